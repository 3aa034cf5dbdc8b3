/**
 * The `codemode.yaml` schema (zod, strict everywhere: unknown keys are errors)
 * and the configuration types it produces.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_LIMITS, type Limits } from "../limits.ts";
import type { ToolPolicy } from "../tools/policy.ts";
import {
  type LocalExecutorOptions,
  MAX_IDLE_TIMEOUT_MS,
  MAX_POOL_SIZE,
  OS_SANDBOX_MODES,
  type OsSandboxMode,
} from "../../executor/local.ts";
import { type McpServerConfig, mcpServerSchema } from "../mcp/client/server_config.ts";
import { type OpenApiSourceConfig, openApiSourceSchema } from "../openapi/options.ts";

/** `executor` with `type: local` (the default): scripts run in a local zero-permission Deno subprocess. */
export interface LocalExecutorConfig extends Pick<LocalExecutorOptions, "maxConcurrent" | "maxQueued" | "pool"> {
  /** `local` (the default): scripts run in sandboxes this host starts; `remote`: on an executor service (`codemode serve`). */
  type: "local";
  /** Per-execution limit overrides; unset fields keep the defaults. */
  limits: Partial<Limits>;
}

/** `executor` with `type: remote`: scripts run on an executor service (`codemode serve`). */
export interface RemoteExecutorConfig {
  /** `remote`. */
  type: "remote";
  /** The service, `http(s)://host:port` or its endpoint `ws(s)://host:port/execute`. */
  url: string;
  /** One of the service's API keys; write `${VAR}` to take it from the environment. */
  apiKey?: string;
  /** Per-execution limits asked of the service (it lowers them to its ceilings). */
  limits: Partial<Limits>;
}

/** `executor`: what runs the scripts. */
export type ExecutorConfig = LocalExecutorConfig | RemoteExecutorConfig;

/** An API key of the service with the id it is reported by. */
export interface ServiceApiKeyConfig {
  /** What logs and metrics name the caller by. */
  id: string;
  /** The key. */
  key: string;
}

/** `service`: the executor service that `codemode serve` runs (it loads no tools). */
export interface ServiceConfig {
  /** The TCP port. @default {8788} */
  port?: number;
  /** The address to bind; a non-loopback one requires API keys. @default {"127.0.0.1"} */
  hostname?: string;
  /** Keys hosts must send (`Authorization: Bearer`): bare keys or `{ id, key }`; also `CODEMODE_API_KEYS`. */
  apiKeys: (string | ServiceApiKeyConfig)[];
  /** Sandboxes running at once. @default {16} */
  maxConcurrent?: number;
  /** Executions waiting for a sandbox; past it a `busy` result. @default {64} */
  maxQueued?: number;
  /** Ceilings: the highest limits a host may ask for (unset: the defaults). */
  limits: Partial<Limits>;
  /** How long running executions may finish on SIGTERM before they are killed, in ms. @default {25000} */
  shutdownTimeoutMs?: number;
  /** Sandbox children started ahead for the ceilings' limits (`--pool` wins). @default {size 2 under codemode serve} */
  pool?: LocalExecutorOptions["pool"];
}

/** The lowest level of the log (`silent`: none). */
export type LogLevelConfig = "debug" | "info" | "warn" | "error" | "silent";

/** `logging`: JSON log lines on stderr. */
export interface LoggingConfig {
  /** The lowest level written: `debug` adds a line per tool call; `silent` writes none. @default {"info"} */
  level: LogLevelConfig;
  /** Whether every tool call's audit record is an `audit` line of the log (at info). @default {true} */
  audit: boolean;
}

/** `metrics`: Prometheus metrics. */
export interface MetricsConfig {
  /** Keep the metrics; `codemode mcp --http` serves them at `GET /metrics` (with its API key). */
  enabled: boolean;
}

/** `sandbox`: the walls around each sandbox child, for the local executor and `codemode serve`. */
export interface SandboxConfig {
  /**
   * The OS wall (Linux, bubblewrap) around each child, besides Deno's
   * permissions: `auto` uses it where the host offers it, `required` refuses
   * to run scripts without it (naming what is missing), `off` does not use
   * it. `--os-sandbox` wins. @default {"auto"}
   */
  os: OsSandboxMode;
}

/** `approvals`: how executions pause for approval and resume (`Codemode`'s `approvals` option). */
export interface ApprovalsConfig {
  /**
   * The secret continuations are sealed with (AES-256-GCM), at least 32 characters, usually `${VAR}`; the same
   * wherever a continuation may be resumed. Absent: a random key per process, so a paused execution cannot be
   * resumed after a restart or on another host.
   */
  key?: string;
  /**
   * Longest wait for an approver's answer to one call, in ms; then the call is left for later (the execution
   * pauses). The script's timeout does not run meanwhile. @default {300000}
   */
  timeoutMs?: number;
  /** How long a continuation can be resumed, in ms. @default {86400000} */
  continuationTtlMs?: number;
  /**
   * The largest continuation, in characters; an execution whose record would not fit cannot pause, and its
   * calls that need approval are refused, saying so. @default {1048576}
   */
  maxContinuationBytes?: number;
}

/** A validated `codemode.yaml`, with every default filled in. */
export interface CodemodeConfig {
  /** Tool modules or directories; absolute once loaded with `loadConfig`. */
  tools: string[];
  /** What runs the scripts. */
  executor: ExecutorConfig;
  /** The executor service's settings (`codemode serve`), when given. */
  service?: ServiceConfig;
  /** Tool name or glob (`*` matches within and across `.` segments) → what to do with calls. */
  policies: Record<string, ToolPolicy>;
  /** MCP servers by name (identifier-like: letters, digits, `_`, `-`). */
  mcpServers: Record<string, McpServerConfig>;
  /**
   * REST APIs by namespace (identifier-like, not also an MCP server's name): each operation of the API's OpenAPI
   * spec becomes `tools.<namespace>.<operation>`.
   */
  openapi: Record<string, OpenApiSourceConfig>;
  /** JSON logs and the audit trail; absent: `fromConfig` logs nothing (`codemode mcp` logs at info). */
  logging?: LoggingConfig;
  /** Prometheus metrics; absent: none. */
  metrics?: MetricsConfig;
  /** Type-check every script against the tools' declarations before it runs. @default {false} */
  typecheck: boolean;
  /** Show result types observed from tools that declare none (types only, in memory). @default {true} */
  observeOutputTypes: boolean;
  /** The walls around each sandbox child; absent: `os: auto`. */
  sandbox?: SandboxConfig;
  /** Pausing for approval and resuming: the continuation key, timeouts, sizes; absent: the defaults. */
  approvals?: ApprovalsConfig;
}

const SERVER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
// setTimeout treats anything above 2^31-1 ms as 0, so larger limits would fire at once.
const MAX_LIMIT = 2_147_483_647;

/** Numbers written as `${VAR}` arrive as strings; accept plain digit strings. */
function digitsToNumber(value: unknown): unknown {
  return typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
}

/** Booleans written as `${VAR}` arrive as strings; accept `true` and `false`. */
function wordToBoolean(value: unknown): unknown {
  return value === "true" ? true : value === "false" ? false : value;
}

const positiveInt = z.preprocess(digitsToNumber, z.number().int().positive().max(MAX_LIMIT));
const serviceUrl = z.url({ protocol: /^(https?|wss?)$/, error: "expected an http(s) or ws(s) URL" });
const boolean = z.preprocess(wordToBoolean, z.boolean());
const nonEmpty = z.string().min(1);

const limitsSchema = z.strictObject(
  Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((key) => [key, positiveInt.optional()])) as {
    [K in keyof Limits]: z.ZodOptional<typeof positiveInt>;
  },
);

const maxQueued = z.preprocess(digitsToNumber, z.number().int().min(0).max(MAX_LIMIT));

/** `executor.pool`: sandbox children started ahead (see `LocalExecutorOptions.pool`). */
const poolSchema = z.strictObject({
  size: z.preprocess(digitsToNumber, z.number().int().min(0).max(MAX_POOL_SIZE)),
  idleTimeoutMs: z.preprocess(digitsToNumber, z.number().int().min(1).max(MAX_IDLE_TIMEOUT_MS)).optional(),
});

const executorSchema = z.strictObject({
  type: z.enum(["local", "remote"]).default("local"),
  url: serviceUrl.optional(),
  apiKey: nonEmpty.optional(),
  maxConcurrent: positiveInt.optional(),
  maxQueued: maxQueued.optional(),
  pool: poolSchema.optional(),
  limits: limitsSchema.prefault({}),
}).superRefine((e, ctx) => {
  if (e.type === "remote" && e.url === undefined) {
    ctx.addIssue({ code: "custom", path: ["url"], message: `required when executor.type is "remote"` });
  }
  for (const key of ["url", "apiKey"] as const) {
    if (e.type === "local" && e[key] !== undefined) {
      ctx.addIssue({ code: "custom", path: [key], message: `only used when executor.type is "remote"` });
    }
  }
  for (const key of ["maxConcurrent", "maxQueued", "pool"] as const) {
    if (e.type === "remote" && e[key] !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `only used when executor.type is "local" (the service's own is service.${key})`,
      });
    }
  }
}).transform((e): ExecutorConfig =>
  e.type === "remote"
    ? {
      type: "remote",
      url: e.url!,
      ...(e.apiKey !== undefined ? { apiKey: e.apiKey } : {}),
      limits: e.limits as Partial<Limits>,
    }
    : {
      type: "local",
      ...(e.maxConcurrent !== undefined ? { maxConcurrent: e.maxConcurrent } : {}),
      ...(e.maxQueued !== undefined ? { maxQueued: e.maxQueued } : {}),
      ...(e.pool !== undefined ? { pool: e.pool } : {}),
      limits: e.limits as Partial<Limits>,
    }
);

// A custom check, so that the error never quotes the key.
const apiKey = z.string().refine((k) => k.length >= 16, { error: "an API key needs at least 16 characters" });

const serviceSchema = z.strictObject({
  port: z.preprocess(digitsToNumber, z.number().int().min(0).max(65_535)).optional(),
  hostname: nonEmpty.optional(),
  apiKeys: z.array(z.union([
    apiKey,
    z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: "an id of 1-64 letters, digits, _ . -" }),
      key: apiKey,
    }),
  ])).default([]),
  maxConcurrent: positiveInt.optional(),
  maxQueued: maxQueued.optional(),
  limits: limitsSchema.prefault({}),
  shutdownTimeoutMs: z.preprocess(digitsToNumber, z.number().int().min(0).max(MAX_LIMIT)).optional(),
  pool: poolSchema.optional(),
}).transform((s): ServiceConfig => ({ ...s, limits: s.limits as Partial<Limits> }));

// The levels of `JsonLogger` (src/observability/logger.ts), which the config does not import.
const loggingSchema = z.strictObject({
  level: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  audit: boolean.default(true),
});

const metricsSchema = z.strictObject({ enabled: boolean });

// A custom check, so that the error never quotes the key.
const approvalsSchema = z.strictObject({
  key: z.string().refine((k) => k.length >= 32, { error: "the key needs at least 32 characters" }).optional(),
  timeoutMs: positiveInt.optional(),
  continuationTtlMs: positiveInt.optional(),
  maxContinuationBytes: z.preprocess(digitsToNumber, z.number().int().min(4096).max(MAX_LIMIT)).optional(),
});

const sandboxSchema = z.strictObject({
  os: z.enum(OS_SANDBOX_MODES as [OsSandboxMode, ...OsSandboxMode[]]).default("auto"),
});

const schema = z.strictObject({
  tools: z.array(nonEmpty).default([]),
  executor: executorSchema.prefault({}),
  service: serviceSchema.optional(),
  policies: z.record(nonEmpty, z.enum(["allow", "deny", "approve"])).default({}),
  mcpServers: z.record(
    z.string().regex(SERVER_NAME, {
      error: "server names start with a letter or _ and contain only letters, digits, _ and -",
    }),
    mcpServerSchema,
  ).default({}),
  openapi: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: "OpenAPI namespaces start with a letter or _ and contain only letters, digits and _",
    }),
    openApiSourceSchema,
  ).default({}),
  logging: loggingSchema.optional(),
  metrics: metricsSchema.optional(),
  typecheck: boolean.default(false),
  observeOutputTypes: boolean.default(true),
  sandbox: sandboxSchema.optional(),
  approvals: approvalsSchema.optional(),
}).superRefine((c, ctx) => {
  for (const name of Object.keys(c.openapi)) {
    if (Object.hasOwn(c.mcpServers, name)) {
      ctx.addIssue({ code: "custom", path: ["openapi", name], message: `"${name}" is also an MCP server's namespace` });
    }
  }
}).transform(({ logging, metrics, service, sandbox, approvals, ...config }): CodemodeConfig => ({
  ...config,
  ...(approvals ? { approvals } : {}),
  ...(service ? { service } : {}),
  ...(logging ? { logging } : {}),
  ...(metrics ? { metrics } : {}),
  ...(sandbox ? { sandbox } : {}),
}));

// Compile-time proof that the documented interfaces are exactly what the schema produces.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const inferredMatches: [
  Same<z.output<typeof schema>, CodemodeConfig>,
  Same<z.output<typeof loggingSchema>, LoggingConfig>,
  Same<z.output<typeof metricsSchema>, MetricsConfig>,
  Same<z.output<typeof sandboxSchema>, SandboxConfig>,
  Same<z.output<typeof approvalsSchema>, ApprovalsConfig>,
] = [true, true, true, true, true];
void inferredMatches;

/**
 * The zod (v4) schema of `codemode.yaml` (after YAML parsing and `${VAR}` interpolation).
 *
 * Strict everywhere; fills defaults (`executor.type: local`, `mcpServers.*.startup: lazy`,
 * `logging.level: info`, `logging.audit: true`). Tool paths are left as written:
 * `loadConfig` resolves them.
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

/**
 * Whether a config asks for observability: it has `logging`, or `metrics.enabled: true`.
 *
 * @param config the validated config.
 * @returns true when `observabilityFromConfig` (`./observability.ts`) has something to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wantsObservability } from "./schema.ts";
 * assert.equal(wantsObservability({ metrics: { enabled: false } }), false);
 * assert.equal(wantsObservability({ logging: { level: "info", audit: true } }), true);
 * ```
 */
export function wantsObservability(config: Pick<CodemodeConfig, "logging" | "metrics">): boolean {
  return config.logging !== undefined || config.metrics?.enabled === true;
}
