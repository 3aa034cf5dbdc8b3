/**
 * Builds the MCP tool sources of a `codemode.yaml`'s `mcpServers` section.
 *
 * @module
 */
import type { McpServerConfig } from "./server_config.ts";
import { McpToolSource } from "./source.ts";
import type { McpToolSourceOptions } from "./options.ts";

/**
 * One {@linkcode McpToolSource} per configured server, in the config's order.
 * Nothing is started: lazy servers connect on first use, eager ones when
 * `Codemode.loadTools({ eagerOnly: true })` runs.
 *
 * @param servers `mcpServers` of a loaded config: name → stdio or HTTP server.
 * @param options timeouts and limits shared by every source.
 * @returns the sources.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mcpSourcesFromConfig } from "./config.ts";
 * const sources = mcpSourcesFromConfig({
 *   github: { command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], env: {}, startup: "lazy" },
 *   search: { url: "http://127.0.0.1:8931/mcp", headers: {}, startup: "eager" },
 * });
 * assert.deepEqual(sources.map((s) => [s.namespace, s.startup]), [["github", "lazy"], ["search", "eager"]]);
 * ```
 */
export function mcpSourcesFromConfig(
  servers: Record<string, McpServerConfig>,
  options: McpToolSourceOptions = {},
): McpToolSource[] {
  return Object.entries(servers).map(([name, config]) => new McpToolSource(name, config, options));
}
