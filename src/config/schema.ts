/**
 * The `codemode.yaml` schema (zod, strict everywhere: unknown keys are errors)
 * and the configuration types it produces.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_LIMITS, type Limits } from "../limits.ts";
import type { ToolPolicy } from "../tools/policy.ts";
import { type LocalExecutorOptions, MAX_IDLE_TIMEOUT_MS, MAX_POOL_SIZE } from "../../executor/local.ts";
import { type McpServerConfig, mcpServerSchema } from "../mcp/client/server_config.ts";

/**
 * `executor`: scripts run in a local zero-permission Deno subprocess. (`type:
 * remote`, an executor service, is refused until this version includes the
 * service.)
 */
export interface ExecutorConfig extends Pick<LocalExecutorOptions, "maxConcurrent" | "maxQueued" | "pool"> {
  /** Always `local`. */
  type: "local";
  /** Per-execution limit overrides; unset fields keep the defaults. */
  limits: Partial<Limits>;
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
}

const SERVER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
// setTimeout treats anything above 2^31-1 ms as 0, so larger limits would fire at once.
const MAX_LIMIT = 2_147_483_647;

/** Numbers written as `${VAR}` arrive as strings; accept plain digit strings. */
function digitsToNumber(value: unknown): unknown {
  return typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
}

const positiveInt = z.preprocess(digitsToNumber, z.number().int().positive().max(MAX_LIMIT));
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const nonEmpty = z.string().min(1);

const limitsSchema = z.strictObject(
  Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((key) => [key, positiveInt.optional()])) as {
    [K in keyof Limits]: z.ZodOptional<typeof positiveInt>;
  },
);

/** Keys that belong to features this version does not include: refused, with what is missing. */
const NOT_YET = "this version does not include the Codemode executor service (`codemode serve`), which it needs";

/** `executor.pool`: sandbox children started ahead (see `LocalExecutorOptions.pool`). */
const poolSchema = z.strictObject({
  size: z.preprocess(digitsToNumber, z.number().int().min(0).max(MAX_POOL_SIZE)),
  idleTimeoutMs: z.preprocess(digitsToNumber, z.number().int().min(1).max(MAX_IDLE_TIMEOUT_MS)).optional(),
});

const executorSchema = z.strictObject({
  type: z.enum(["local", "remote"]).default("local"),
  url: httpUrl.optional(),
  apiKey: nonEmpty.optional(),
  maxConcurrent: positiveInt.optional(),
  maxQueued: z.preprocess(digitsToNumber, z.number().int().min(0).max(MAX_LIMIT)).optional(),
  pool: poolSchema.optional(),
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
  ...(e.pool !== undefined ? { pool: e.pool } : {}),
  limits: e.limits as Partial<Limits>,
}));

/**
 * A key this version refuses wherever it appears, naming what it lacks. (A
 * type rather than a refinement: zod skips refinements once another key has
 * failed, and every problem is reported at once.)
 */
const refused = (what: string) => z.never({ error: `${what} is not available: ${NOT_YET}` }).optional();

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
  logging: refused("logging (JSON logs of executions)"),
  metrics: refused("metrics (Prometheus metrics)"),
}).transform(({ logging: _logging, metrics: _metrics, ...config }) => config);

// Compile-time proof that the documented interfaces are exactly what the schema produces.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const inferredMatches: Same<z.output<typeof schema>, CodemodeConfig> = true;
void inferredMatches;

/**
 * The zod (v4) schema of `codemode.yaml` (after YAML parsing and `${VAR}` interpolation).
 *
 * Strict everywhere; fills defaults (`executor.type: local`, `mcpServers.*.startup: lazy`).
 * Refuses, with what is missing, the keys of features this version lacks:
 * `executor.type: remote`, `logging` and `metrics` (they come with the executor
 * service). Tool paths are left as written: `loadConfig` resolves them.
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
