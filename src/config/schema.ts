/**
 * The `codemode.yaml` schema (zod, strict everywhere: unknown keys are errors)
 * and the configuration types it produces.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_LIMITS, type Limits } from "../limits.ts";
import type { ToolPolicy } from "../tools/policy.ts";
import type { LocalExecutorOptions } from "../../executor/local.ts";
import { type McpServerConfig, mcpServerSchema } from "../mcp/client/server_config.ts";

/**
 * `executor`: scripts run in a local zero-permission Deno subprocess. (`type:
 * remote`, an executor service, is refused until this version includes the
 * service.)
 */
export interface ExecutorConfig extends Pick<LocalExecutorOptions, "maxConcurrent" | "maxQueued"> {
  /** Always `local`. */
  type: "local";
  /** Per-execution limit overrides; unset fields keep the defaults. */
  limits: Partial<Limits>;
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

/** A validated `codemode.yaml`, with every default filled in. */
export interface CodemodeConfig {
  /** Tool modules or directories; absolute once loaded with `loadConfig`. */
  tools: string[];
  /** What runs the scripts. */
  executor: ExecutorConfig;
  /** Tool name or glob (`*` matches within and across `.` segments) → what to do with calls. */
  policies: Record<string, ToolPolicy>;
  /** MCP servers by name (identifier-like: letters, digits, `_`, `-`). */
  mcpServers: Record<string, McpServerConfig>;
  /** JSON logs and the audit trail; absent: `fromConfig` logs nothing (`codemode mcp` logs at info). */
  logging?: LoggingConfig;
  /** Prometheus metrics; absent: none. */
  metrics?: MetricsConfig;
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
const boolean = z.preprocess(wordToBoolean, z.boolean());
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const nonEmpty = z.string().min(1);

const limitsSchema = z.strictObject(
  Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((key) => [key, positiveInt.optional()])) as {
    [K in keyof Limits]: z.ZodOptional<typeof positiveInt>;
  },
);

/** Keys that belong to features this version does not include: refused, with what is missing. */
const NOT_YET = "this version does not include the Codemode executor service (`codemode serve`), which it needs";

const executorSchema = z.strictObject({
  type: z.enum(["local", "remote"]).default("local"),
  url: httpUrl.optional(),
  apiKey: nonEmpty.optional(),
  maxConcurrent: positiveInt.optional(),
  maxQueued: z.preprocess(digitsToNumber, z.number().int().min(0).max(MAX_LIMIT)).optional(),
  limits: limitsSchema.prefault({}),
}).superRefine((e, ctx) => {
  if (e.type === "remote") {
    ctx.addIssue({ code: "custom", path: ["type"], message: `"remote" is not available: ${NOT_YET}; use type: local` });
  }
  for (const key of ["url", "apiKey"] as const) {
    if (e.type === "local" && e[key] !== undefined) {
      ctx.addIssue({ code: "custom", path: [key], message: `only used when executor.type is "remote"` });
    }
  }
}).transform((e): ExecutorConfig => ({
  type: "local",
  ...(e.maxConcurrent !== undefined ? { maxConcurrent: e.maxConcurrent } : {}),
  ...(e.maxQueued !== undefined ? { maxQueued: e.maxQueued } : {}),
  limits: e.limits as Partial<Limits>,
}));

// The levels of `JsonLogger` (src/observability/logger.ts), which the config does not import.
const loggingSchema = z.strictObject({
  level: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  audit: boolean.default(true),
});

const metricsSchema = z.strictObject({ enabled: boolean });

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
  logging: loggingSchema.optional(),
  metrics: metricsSchema.optional(),
}).transform(({ logging, metrics, ...config }): CodemodeConfig => ({
  ...config,
  ...(logging ? { logging } : {}),
  ...(metrics ? { metrics } : {}),
}));

// Compile-time proof that the documented interfaces are exactly what the schema produces.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const inferredMatches: [
  Same<z.output<typeof schema>, CodemodeConfig>,
  Same<z.output<typeof loggingSchema>, LoggingConfig>,
  Same<z.output<typeof metricsSchema>, MetricsConfig>,
] = [true, true, true];
void inferredMatches;

/**
 * The zod (v4) schema of `codemode.yaml` (after YAML parsing and `${VAR}` interpolation).
 *
 * Strict everywhere; fills defaults (`executor.type: local`, `mcpServers.*.startup: lazy`,
 * `logging.level: info`, `logging.audit: true`). Refuses, with what is missing,
 * `executor.type: remote` (it comes with the executor service). Tool paths are
 * left as written: `loadConfig` resolves them.
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
