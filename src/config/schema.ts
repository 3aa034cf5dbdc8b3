/**
 * The `codemode.yaml` schema (zod, strict everywhere: unknown keys are errors)
 * and the configuration types it produces.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_LIMITS, type Limits } from "../../executor/types.ts";

/** How an execution is run: in a local Deno subprocess, or by a remote executor service. */
export type ExecutorConfig = LocalExecutorConfig | RemoteExecutorConfig;

/** `executor.type: local` (the default). */
export interface LocalExecutorConfig {
  /** Runs scripts in a local zero-permission Deno subprocess. */
  type: "local";
  /** Limit overrides; unset fields keep the defaults. */
  limits: Partial<Limits>;
}

/** `executor.type: remote`. */
export interface RemoteExecutorConfig {
  /** Runs scripts on an executor service. */
  type: "remote";
  /** The service's http(s) URL. */
  url: string;
  /** The key the service expects; normally `${SOME_ENV_VAR}`. */
  apiKey: string;
  /** Limit overrides; unset fields keep the defaults. */
  limits: Partial<Limits>;
}

/** What a policy does with a matching tool call. */
export type PolicyAction = "allow" | "deny" | "approve";

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
  /** When to connect. */
  startup: McpStartup;
}

/** One entry of `mcpServers`: exactly one of `command` (stdio) or `url` (HTTP). */
export type McpServerConfig = McpStdioServer | McpHttpServer;

/** `logging`. */
export interface LoggingConfig {
  /** The lowest level written. */
  level: "debug" | "info" | "warn" | "error";
  /** One JSON object per line, or human-readable text. */
  format: "json" | "text";
}

/** `metrics`. */
export interface MetricsConfig {
  /** Whether metrics are served. */
  enabled: boolean;
  /** The HTTP path they are served on; starts with `/`. */
  path: string;
}

/** A validated `codemode.yaml`, with every default filled in. */
export interface CodemodeConfig {
  /** Tool modules or directories; absolute once loaded with `loadConfig`. */
  tools: string[];
  /** What runs the scripts. */
  executor: ExecutorConfig;
  /** Tool name or glob (`*` matches within and across `.` segments) → what to do with calls. */
  policies: Record<string, PolicyAction>;
  /** MCP servers by name (identifier-like: letters, digits, `_`, `-`). */
  mcpServers: Record<string, McpServerConfig>;
  /** Logging. */
  logging: LoggingConfig;
  /** Metrics. */
  metrics: MetricsConfig;
}

const SERVER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ENV_NAME = /^[^=\0]+$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// setTimeout treats anything above 2^31-1 ms as 0, so larger limits would fire at once.
const MAX_LIMIT = 2_147_483_647;

/** Numbers written as `${VAR}` arrive as strings; accept plain digit strings. */
function digitsToNumber(value: unknown): unknown {
  return typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
}

/** Booleans written as `${VAR}` arrive as strings; accept exactly `true` and `false`. */
function wordToBoolean(value: unknown): unknown {
  return value === "true" ? true : value === "false" ? false : value;
}

/** YAML turns `PORT: 8080` into a number; env values, args and headers are strings. */
function scalarToString(value: unknown): unknown {
  return typeof value === "number" || typeof value === "boolean" ? String(value) : value;
}

const positiveInt = z.preprocess(digitsToNumber, z.number().int().positive().max(MAX_LIMIT));
const stringish = z.preprocess(scalarToString, z.string());
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const nonEmpty = z.string().min(1);

const limitsSchema = z.strictObject(
  Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((key) => [key, positiveInt.optional()])) as {
    [K in keyof Limits]: z.ZodOptional<typeof positiveInt>;
  },
);

const executorSchema = z.strictObject({
  type: z.enum(["local", "remote"]).default("local"),
  url: httpUrl.optional(),
  apiKey: nonEmpty.optional(),
  limits: limitsSchema.prefault({}),
}).superRefine((e, ctx) => {
  for (const key of ["url", "apiKey"] as const) {
    if (e.type === "remote" && e[key] === undefined) {
      ctx.addIssue({ code: "custom", path: [key], message: `required when executor.type is "remote"` });
    }
    if (e.type === "local" && e[key] !== undefined) {
      ctx.addIssue({ code: "custom", path: [key], message: `only used when executor.type is "remote"` });
    }
  }
}).transform((e): ExecutorConfig => {
  const limits = e.limits as Partial<Limits>;
  return e.type === "remote" ? { type: "remote", url: e.url!, apiKey: e.apiKey!, limits } : { type: "local", limits };
});

const mcpServerSchema = z.strictObject({
  command: nonEmpty.optional(),
  args: z.array(stringish).optional(),
  env: z.record(z.string().regex(ENV_NAME, { error: "invalid environment variable name" }), stringish).optional(),
  cwd: nonEmpty.optional(),
  url: httpUrl.optional(),
  headers: z.record(
    z.string().regex(HEADER_NAME, { error: "invalid HTTP header name" }),
    stringish.refine((v) => !/[\r\n\0]/.test(v), "header values must not contain line breaks"),
  ).optional(),
  startup: z.enum(["lazy", "eager"]).default("lazy"),
}).superRefine((s, ctx) => {
  if ((s.command === undefined) === (s.url === undefined)) {
    ctx.addIssue({ code: "custom", path: [], message: `exactly one of "command" (stdio) or "url" (HTTP) is required` });
  }
  const misplaced = s.command !== undefined ? (["headers"] as const) : (["args", "env", "cwd"] as const);
  for (const key of misplaced) {
    if (s[key] !== undefined) {
      const kind = s.command !== undefined ? `"command"` : `"url"`;
      ctx.addIssue({ code: "custom", path: [key], message: `not used by a server with ${kind}` });
    }
  }
}).transform((s): McpServerConfig =>
  s.url !== undefined ? { url: s.url, headers: s.headers ?? {}, startup: s.startup } : {
    command: s.command!,
    args: s.args ?? [],
    env: s.env ?? {},
    ...(s.cwd !== undefined ? { cwd: s.cwd } : {}),
    startup: s.startup,
  }
);

const schema = z.strictObject({
  tools: z.array(nonEmpty).default([]),
  executor: executorSchema.prefault({}),
  policies: z.record(nonEmpty, z.enum(["allow", "deny", "approve"])).default({}),
  mcpServers: z.record(
    z.string().regex(SERVER_NAME, {
      error: "server names start with a letter or _ and contain only letters, digits, _ and -",
    }),
    mcpServerSchema,
  ).default({}),
  logging: z.strictObject({
    level: z.enum(["debug", "info", "warn", "error"]).default("info"),
    format: z.enum(["json", "text"]).default("json"),
  }).prefault({}),
  metrics: z.strictObject({
    enabled: z.preprocess(wordToBoolean, z.boolean()).default(false),
    path: z.string().startsWith("/", { error: `must start with "/"` }).default("/metrics"),
  }).prefault({}),
});

// Compile-time proof that the documented interfaces are exactly what the schema produces.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const inferredMatches: Same<z.output<typeof schema>, CodemodeConfig> = true;
void inferredMatches;

/**
 * The zod (v4) schema of `codemode.yaml` (after YAML parsing and `${VAR}` interpolation).
 *
 * Strict everywhere; fills defaults (`executor.type: local`, `logging.level: info`,
 * `logging.format: json`, `metrics.enabled: false`, `metrics.path: /metrics`,
 * `mcpServers.*.startup: lazy`). Tool paths are left as written: `loadConfig` resolves them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configSchema } from "./schema.ts";
 * const parsed = configSchema.safeParse({ executor: { limits: { timeoutMs: 5000 } } });
 * assert.ok(parsed.success);
 * assert.deepEqual(parsed.data.executor, { type: "local", limits: { timeoutMs: 5000 } });
 * assert.equal(configSchema.safeParse({ executor: { limts: {} } }).success, false);
 * ```
 */
export const configSchema: z.ZodType<CodemodeConfig> = schema;
