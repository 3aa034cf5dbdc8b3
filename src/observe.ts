/**
 * The observer interface: how `Codemode` tells logs, metrics, traces and an
 * audit trail what its executions and tool calls do, without knowing any of
 * them. The core calls an {@linkcode Observer}; `./observability`'s
 * `Observability` is one (JSON logs, Prometheus, OpenTelemetry, audit).
 * Without an observer the core does none of this work.
 *
 * Every call into an observer is guarded by the core: an observer (or the
 * sink behind it) that throws is ignored for that call, and the execution goes
 * on as if there were none. Observers should still not throw: what they would
 * have recorded is lost.
 *
 * @module
 */
import type { ExecutionResult } from "./rpc/result.ts";
import type { ExecutorLoad } from "./executor.ts";

/** The longest correlation id {@linkcode isCorrelationId} accepts. */
export const MAX_CORRELATION_ID_CHARS = 128;

const CORRELATION_ID = /^[A-Za-z0-9._:;=+\/@-]+$/;

/**
 * Whether a value may be used as a correlation id: 1 to 128 characters, each
 * a letter, digit or one of `. _ : ; = + / @ -` (UUIDs, ULIDs, W3C trace ids,
 * AWS `Root=…;Parent=…` ids and base64 fit). No spaces or control characters,
 * so one cannot forge a log line or a header.
 *
 * @param value anything, e.g. an `X-Request-Id` header's value.
 * @returns true when it is a valid correlation id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCorrelationId } from "./observe.ts";
 * assert.ok(isCorrelationId("req-01J9Z8Q2K4"));
 * assert.equal(isCorrelationId("a\nb"), false);
 * assert.equal(isCorrelationId("x".repeat(129)), false);
 * ```
 */
export function isCorrelationId(value: unknown): boolean {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_CORRELATION_ID_CHARS &&
    CORRELATION_ID.test(value);
}

/** What an observer learns when an execution starts. */
export interface ExecutionStart {
  /** The execution's id (the result's `executionId`). */
  executionId: string;
  /** The correlation id: the caller's, else the execution's id. */
  correlationId: string;
  /** Who asked for the execution, as the caller named it (an MCP session, an API key's id). */
  principal?: string;
  /**
   * The W3C trace context (`traceparent`, `tracestate`) of the caller's span
   * in another process, e.g. the host of a remote execution: the execution's
   * span continues that trace instead of the active one.
   */
  traceHeaders?: Record<string, string>;
}

/**
 * How one tool call ended:
 * - `ok`: the tool returned a value;
 * - `error`: invalid input, a handler error, a timeout or invalid output;
 * - `refused`: a `deny` policy, or the approver (or the lack of one) refused the call;
 * - `unknown`: the name is not a tool (the observer sees no name then).
 */
export type ToolCallOutcome = "ok" | "error" | "refused" | "unknown";

/** Observes one tool call; made by {@linkcode ExecutionObservation.toolCall}. */
export interface ToolCallObservation {
  /**
   * Calls `run` at once, synchronously and once, inside the call's tracing
   * context, so that what the call starts (the handler's own spans) nests
   * under it. The core ignores what this returns.
   */
  runInContext(run: () => void): void;
  /**
   * The call ended; called once.
   *
   * @param tool the registered name, `$search` or `$types`; `undefined` when the name the script called
   * is not a tool, which an observer must not use as a label (a script can invent any number of names).
   * @param outcome how it ended.
   */
  end(tool: string | undefined, outcome: ToolCallOutcome): void;
}

/** Observes one execution; made by {@linkcode Observer.execution}. */
export interface ExecutionObservation {
  /**
   * Headers that carry the execution's trace context (W3C `traceparent`,
   * `tracestate`) to an executor in another process; `undefined` when there
   * is none to carry.
   */
  traceHeaders(): Record<string, string> | undefined;
  /**
   * A tool call arrives from the script, before its name is looked up.
   *
   * @param input the call's input as the script sent it: read it now or never (the core does not keep it).
   */
  toolCall(input: unknown): ToolCallObservation;
  /**
   * The execution ended: with its result, or (`result` undefined) with the error
   * `execute` throws (an executor failure, or an error a caller's `rethrow` let out).
   */
  end(result: ExecutionResult | undefined, error?: unknown): void;
}

/** Something that runs code and reports its load, e.g. a `LocalExecutor`. */
export interface LoadSource {
  /** How busy it is now; executors that cannot tell have no such method. */
  load?(): ExecutorLoad;
}

/**
 * Hears of executions and their tool calls, e.g. `Observability` from
 * `./observability`. Passed as `CodemodeOptions.observer`.
 */
export interface Observer {
  /** An execution starts: returns what observes it to its end. */
  execution(start: ExecutionStart): ExecutionObservation;
  /**
   * Told of the executor of a `Codemode` that takes this observer, whose load
   * (sandboxes running, executions queued) it may read when it likes.
   *
   * @returns what to call when that `Codemode` closes.
   */
  watchExecutor?(executor: LoadSource): () => void;
}
