/**
 * Codemode as an MCP client: the tools of upstream MCP servers (stdio or
 * streamable HTTP) become typed `tools.<server>.<tool>` functions for the
 * sandboxed script. Server env values and headers stay in the host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mcpSourcesFromConfig } from "./mod.ts";
 * const [source] = mcpSourcesFromConfig({ files: { command: "mcp-files", args: [], env: {}, startup: "lazy" } });
 * assert.equal(source.namespace, "files");
 * // new Codemode({ sources: [source] }) connects on the first execute.
 * await source.close();
 * ```
 *
 * @module
 */
export { McpToolSource } from "./source.ts";
export type { AuthorizationRequest, McpOAuthOptions, McpToolSourceOptions } from "./options.ts";
export { DEFAULT_REDIRECT_URL, type McpOAuthConfig, type McpOAuthGrant } from "./oauth_config.ts";
export {
  FileTokenStore,
  MemoryTokenStore,
  type OAuthCredentials,
  type OAuthRegisteredClient,
  type OAuthTokenSet,
  type OAuthTokenStore,
} from "./oauth_store.ts";
export { mcpSourcesFromConfig } from "./config.ts";
export { UpstreamToolError } from "./result.ts";
// Types the API above refers to, so that this entry point documents itself.
export type { McpHttpServer, McpServerConfig, McpStartup, McpStdioServer } from "./server_config.ts";
export type { ToolSource } from "../../tools/source.ts";
export type { AnyTool, Tool, ToolContext } from "../../tools/define.ts";
export type { Validation, Validator } from "../../tools/validate.ts";
export type { JsonSchema, JsonSchemaObject } from "../../tools/json_schema.ts";
