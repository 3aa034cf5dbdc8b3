/**
 * Codemode and MCP, both ways: Codemode as an MCP server (`execute_code`,
 * `search_tools`, `get_tool_types` over stdio or Streamable HTTP), and
 * upstream MCP servers as typed tools for the script (`McpToolSource`).
 * Both sides are built on the official MCP TypeScript SDK v2
 * (`@modelcontextprotocol/server`, `@modelcontextprotocol/client`) and speak
 * MCP 2026-07-28 and the 2025 revisions alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../../mod.ts";
 * import { createMcpServer, mcpSourcesFromConfig } from "./mod.ts";
 * const sources = mcpSourcesFromConfig({ files: { command: "mcp-files", args: [], env: {}, startup: "lazy" } });
 * await using cm = new Codemode({ sources });
 * assert.equal(sources[0].namespace, "files");
 * const server = await createMcpServer(new Codemode());
 * assert.equal(server.isConnected(), false);
 * ```
 *
 * @module
 */
export * from "./server/mod.ts";
export {
  type AuthorizationRequest,
  DEFAULT_REDIRECT_URL,
  FileTokenStore,
  type McpHttpServer,
  type McpOAuthConfig,
  type McpOAuthGrant,
  type McpOAuthOptions,
  type McpServerConfig,
  mcpSourcesFromConfig,
  type McpStartup,
  type McpStdioServer,
  McpToolSource,
  type McpToolSourceOptions,
  MemoryTokenStore,
  type OAuthCredentials,
  type OAuthRegisteredClient,
  type OAuthTokenSet,
  type OAuthTokenStore,
  UpstreamToolError,
} from "./client/mod.ts";
export type { AnyTool, Tool, ToolContext, ToolSource } from "./client/mod.ts";
