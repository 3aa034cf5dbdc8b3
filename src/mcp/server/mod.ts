/**
 * Codemode as an MCP server, built on the official MCP TypeScript SDK v2
 * (`@modelcontextprotocol/server`). Clients of both protocol eras are served:
 * MCP 2026-07-28 (`server/discover`, no sessions) and the 2025 revisions
 * (2025-11-25, 2025-06-18, 2025-03-26) and 2024-11-05 (`initialize`). Any MCP
 * client (Claude Desktop, VS Code, Cursor, CrewAI, the MCP Inspector) gets
 * these tools:
 *
 * - `execute_code({ code })` runs a TypeScript script against the tools in
 *   the zero-permission sandbox;
 * - `search_tools({ query, limit? })` finds tools by keywords, with one-line signatures;
 * - `get_tool_types({ names })` returns the declarations of tools or namespaces;
 * - `resume_execution({ continuation, decisions })` continues a script that
 *   paused for approval (while a tool may need approval, for an instance that
 *   can pause: a `LocalExecutor`).
 *
 * The same declarations are resources: `codemode://namespaces` lists the
 * namespaces, `codemode://types/{namespace}` holds one namespace's.
 *
 * A tool call that needs approval is put to the person at the client that
 * made it: a 2025-era client is sent `elicitation/create`; a 2026-07-28 client
 * gets `input_required` and sends the call again with the answer, while the
 * script waits in the server (`approvalTimeoutMs`, `maxWaitingExecutions`).
 * A client that cannot answer elicitation gets a paused result instead (the
 * calls waiting, and a continuation), and its user decides through
 * `resume_execution`.
 *
 * Serve it on stdio ({@linkcode serveStdio}) or Streamable HTTP
 * ({@linkcode serveHttp}), or connect {@linkcode createMcpServer}'s server to
 * any SDK transport.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
 * import { Codemode } from "../../../mod.ts";
 * import { serveHttp } from "./mod.ts";
 *
 * await using cm = new Codemode();
 * const http = await serveHttp(cm, { port: 0 });
 * // Negotiates 2026-07-28; without versionNegotiation it would open a 2025-era session.
 * const client = new Client({ name: "example", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
 * await client.connect(new StreamableHTTPClientTransport(http.url));
 * assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
 * const { tools } = await client.listTools();
 * assert.deepEqual(tools.map((t) => t.name), ["execute_code", "search_tools", "get_tool_types"]);
 * const r = await client.callTool({ name: "execute_code", arguments: { code: "return 6 * 7" } });
 * assert.equal((r.structuredContent as { result: number }).result, 42);
 * await client.close();
 * await http.close();
 * ```
 *
 * @module
 */
export {
  type CodemodeMcpServer,
  type CodemodeServerLike,
  createMcpServer,
  MCP_TOOL_NAMES,
  type McpServerOptions,
  type McpTransport,
} from "./server.ts";
export {
  DEFAULT_STDIO_MAX_MESSAGE_BYTES,
  redirectConsoleToStderr,
  type ServedMcp,
  serveStdio,
  type StdioServeOptions,
} from "./stdio.ts";
export {
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SESSION_IDLE_MS,
  type HttpMcpServer,
  type HttpServeOptions,
  isLoopbackHost,
  METRICS_PATH,
  type MetricsSource,
  serveHttp,
} from "./http.ts";
export { NAMESPACES_URI, TYPES_MIME_TYPE, TYPES_URI_TEMPLATE, typesUri } from "./resources.ts";
export { jsonLineLogger, type LogEvent, type McpLogger } from "./log.ts";
// Re-exported so this module's documentation is complete on its own.
export type { CatalogEntry } from "../../typegen/catalog.ts";
export type { JsonSchema, JsonSchemaObject, ToolTypeInfo } from "../../typegen/mod.ts";
export type {
  ExecutionError,
  ExecutionResult,
  LogEntry,
  LogLevel,
  StopReason,
  ToolCallRecord,
} from "../../rpc/result.ts";
export type { Limits } from "../../limits.ts";
export type { ApprovalRequest, Approver } from "../../tools/approval.ts";
