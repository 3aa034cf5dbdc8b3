/**
 * The configuration of one upstream MCP server (an entry of `codemode.yaml`'s
 * `mcpServers`): its types, and its zod schema, which the config schema uses.
 *
 * @module
 */
import { z } from "zod";
import { type McpOAuthConfig, oauthSchema } from "./oauth_config.ts";

/** When an MCP server is started: on first use, or when Codemode starts. */
export type McpStartup = "lazy" | "eager";

/** An MCP server started as a local process speaking stdio (Claude Desktop's shape). */
export interface McpStdioServer {
  /** The program to run. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Extra environment variables for it. */
  env: Record<string, string>;
  /** Its working directory, absolute (resolved against the config file's directory). */
  cwd?: string;
  /** When to start it. */
  startup: McpStartup;
}

/** An MCP server reached over HTTP. */
export interface McpHttpServer {
  /** The server's http(s) URL. */
  url: string;
  /** Headers sent with every request, e.g. `Authorization`. */
  headers: Record<string, string>;
  /** Get an OAuth access token (client credentials, or a user's authorization) instead of a fixed header. */
  oauth?: McpOAuthConfig;
  /** When to connect. */
  startup: McpStartup;
}

/** One entry of `mcpServers`: exactly one of `command` (stdio) or `url` (HTTP). */
export type McpServerConfig = McpStdioServer | McpHttpServer;

const ENV_NAME = /^[^=\0]+$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** YAML turns `PORT: 8080` into a number; env values, args and headers are strings. */
function scalarToString(value: unknown): unknown {
  return typeof value === "number" || typeof value === "boolean" ? String(value) : value;
}

const stringish = z.preprocess(scalarToString, z.string());
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const nonEmpty = z.string().min(1);

/**
 * The zod schema of one `mcpServers` entry: strict, exactly one of `command`
 * (stdio) or `url` (HTTP), `startup` defaulting to `lazy`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mcpServerSchema } from "./server_config.ts";
 * assert.deepEqual(mcpServerSchema.parse({ url: "http://127.0.0.1:9/mcp" }), {
 *   url: "http://127.0.0.1:9/mcp", headers: {}, startup: "lazy",
 * });
 * assert.equal(mcpServerSchema.safeParse({ command: "x", url: "http://a" }).success, false);
 * ```
 */
export const mcpServerSchema: z.ZodType<McpServerConfig, unknown> = z.strictObject({
  command: nonEmpty.optional(),
  args: z.array(stringish).optional(),
  env: z.record(z.string().regex(ENV_NAME, { error: "invalid environment variable name" }), stringish).optional(),
  cwd: nonEmpty.optional(),
  url: httpUrl.optional(),
  headers: z.record(
    z.string().regex(HEADER_NAME, { error: "invalid HTTP header name" }),
    stringish.refine((v) => !/[\r\n\0]/.test(v), "header values must not contain line breaks"),
  ).optional(),
  oauth: oauthSchema.optional(),
  startup: z.enum(["lazy", "eager"]).default("lazy"),
}).superRefine((s, ctx) => {
  if ((s.command === undefined) === (s.url === undefined)) {
    ctx.addIssue({ code: "custom", path: [], message: `exactly one of "command" (stdio) or "url" (HTTP) is required` });
  }
  const misplaced = s.command !== undefined ? (["headers", "oauth"] as const) : (["args", "env", "cwd"] as const);
  for (const key of misplaced) {
    if (s[key] !== undefined) {
      const kind = s.command !== undefined ? `"command"` : `"url"`;
      ctx.addIssue({ code: "custom", path: [key], message: `not used by a server with ${kind}` });
    }
  }
  const authorization = Object.keys(s.headers ?? {}).find((name) => name.toLowerCase() === "authorization");
  if (s.oauth !== undefined && authorization !== undefined) {
    ctx.addIssue({ code: "custom", path: ["headers", authorization], message: "oauth sets the Authorization header" });
  }
}).transform((s): McpServerConfig =>
  s.url !== undefined
    ? { url: s.url, headers: s.headers ?? {}, ...(s.oauth !== undefined ? { oauth: s.oauth } : {}), startup: s.startup }
    : {
      command: s.command!,
      args: s.args ?? [],
      env: s.env ?? {},
      ...(s.cwd !== undefined ? { cwd: s.cwd } : {}),
      startup: s.startup,
    }
);
