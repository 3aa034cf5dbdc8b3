/**
 * Observability for Codemode: JSON logs, Prometheus metrics (`prom-client`,
 * a registry of its own), OpenTelemetry spans (`@opentelemetry/api` only:
 * nothing is recorded until the application registers an SDK) and an audit
 * trail of tool calls, as one {@linkcode Observability} passed to `Codemode`
 * as its `observer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { Codemode, defineTool } from "../../mod.ts";
 * import { type AuditRecord, Observability } from "./mod.ts";
 *
 * const records: AuditRecord[] = [];
 * const observer = new Observability({ logLevel: "warn", audit: (r) => void records.push(r) });
 * const lookup = defineTool({
 *   name: "crm.lookup",
 *   input: z.object({ email: z.string() }),
 *   handler: ({ email }, ctx) => ({ email, requestedBy: ctx.correlationId }),
 * });
 * await using cm = new Codemode({ tools: [lookup], observer });
 * const r = await cm.execute(`return await tools.crm.lookup({ email: "a@example.com" })`, {
 *   correlationId: "req-42",
 *   principal: "api-key:ops",
 * });
 * assert.deepEqual(r.result, { email: "a@example.com", requestedBy: "req-42" });
 * assert.equal(records[0].tool, "crm.lookup");
 * assert.equal(records[0].principal, "api-key:ops");
 * assert.match(records[0].inputSha256, /^[0-9a-f]{64}$/); // the input itself is not recorded
 * assert.match(await observer.metrics(), /codemode_executions_total\{outcome="ok",stop_reason="completed"\} 1/);
 * ```
 *
 * @module
 */
export { Observability, type ObservabilityOptions, SPAN_NAMES, type TracerProviderLike } from "./observability.ts";
export {
  CodemodeMetrics,
  DEFAULT_MAX_TOOL_LABELS,
  MAX_REJECT_REASONS,
  type MetricsOptions,
  type MetricsRegistry,
  OTHER_TOOL_LABEL,
  UNKNOWN_TOOL_LABEL,
} from "./metrics.ts";
export { JsonLogger, type JsonLoggerOptions, LOG_THRESHOLDS, type LogLevelName, type LogThreshold } from "./logger.ts";
export { type AuditRecord, type AuditSink, canonicalJson, inputDigest } from "./audit.ts";
export type {
  ExecutionObservation,
  ExecutionStart,
  LoadSource,
  Observer,
  ToolCallObservation,
  ToolCallOutcome,
} from "../observe.ts";
export type { ExecutorLoad } from "../executor.ts";
export type { ExecutionResult } from "../rpc/result.ts";
