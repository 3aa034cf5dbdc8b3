/**
 * `Observability`: the observer that gives Codemode JSON logs, Prometheus
 * metrics, OpenTelemetry spans and an audit trail of tool calls.
 *
 * @module
 */
import { type Context, context, propagation, type Span, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import type { ExecutionResult } from "../rpc/result.ts";
import type {
  ExecutionObservation,
  ExecutionStart,
  LoadSource,
  Observer,
  ToolCallObservation,
  ToolCallOutcome,
} from "../observe.ts";
import { JsonLogger, type LogThreshold } from "./logger.ts";
import { type AuditRecord, type AuditSink, inputDigest } from "./audit.ts";
import { CodemodeMetrics, UNKNOWN_TOOL_LABEL } from "./metrics.ts";

/** The names of the spans Codemode makes. */
export const SPAN_NAMES: Readonly<{ execution: "codemode.execute"; toolCall: "codemode.tool_call" }> = Object.freeze({
  execution: "codemode.execute",
  toolCall: "codemode.tool_call",
});

/** An OpenTelemetry `TracerProvider` (of `@opentelemetry/api` or an SDK), by the member used. */
export interface TracerProviderLike {
  /** The tracer of an instrumentation scope (Codemode asks for `codemode`). */
  getTracer(name: string): unknown;
}

/** Options of {@linkcode Observability}. */
export interface ObservabilityOptions {
  /** The lowest log level written (`debug` adds a line per tool call). @default {"info"} */
  logLevel?: LogThreshold;
  /** Where log lines go (each ends in `\n`). @default {stderr} */
  logWrite?: (line: string) => void;
  /** Whether to keep Prometheus metrics; without them {@linkcode Observability.metrics} is empty. @default {true} */
  metrics?: boolean;
  /**
   * Receives an {@linkcode AuditRecord} for every tool call; `false` for none.
   * @default {an `audit` line in the log, at info level}
   */
  audit?: AuditSink | false;
  /**
   * Where spans go. @default {the global provider of `@opentelemetry/api`: nothing is recorded until the
   * application registers an SDK}
   */
  tracerProvider?: TracerProviderLike;
  /** Most distinct `tool` label values in the metrics (then `(other)`). @default {1000} */
  maxToolLabels?: number;
}

/**
 * Logs, metrics, traces and audit records of every execution and tool call,
 * as a Codemode observer (`new Codemode({ observer })`). It never logs tool
 * inputs or results, nor error messages (which may quote inputs): only ids,
 * names, outcomes and durations, and a digest of each input in the audit
 * record. An audit sink that throws or rejects is ignored for that record.
 *
 * - Logs: JSON lines (`time`, `level`, `msg`, then `executionId`,
 *   `correlationId`, `principal`, `tool`, `durationMs`, `outcome`, …): an
 *   `execution` line per execution (info, or warn when it did not complete),
 *   a `tool_call` line per call at debug, an `audit` line per call at info.
 * - Metrics: see {@linkcode CodemodeMetrics}; {@linkcode Observability.metrics} is the exposition.
 * - Traces: a `codemode.execute` span per execution, under the span active
 *   when `execute` was called, and a `codemode.tool_call` span per call under
 *   it, active while the call runs (a handler's own spans nest under it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { Codemode, defineTool } from "../../mod.ts";
 * import { Observability } from "./observability.ts";
 * const lines: string[] = [];
 * const observer = new Observability({ logWrite: (line) => void lines.push(line) });
 * const add = defineTool({ name: "math.add", input: z.object({ a: z.number(), b: z.number() }), handler: ({ a, b }) => a + b });
 * await using cm = new Codemode({ tools: [add], observer });
 * const r = await cm.execute("return await tools.math.add({ a: 1, b: 2 })", { correlationId: "req-1" });
 * assert.equal(r.correlationId, "req-1");
 * assert.match(await observer.metrics(), /codemode_tool_calls_total\{tool="math.add",outcome="ok"\} 1/);
 * const audit = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "audit");
 * assert.deepEqual([audit.tool, audit.outcome, audit.correlationId], ["math.add", "ok", "req-1"]);
 * ```
 */
export class Observability implements Observer {
  /** The JSON logger, for the faces' own events too. */
  readonly logger: JsonLogger;
  readonly #metrics?: CodemodeMetrics;
  readonly #tracer: Tracer;
  readonly #audit?: AuditSink;
  readonly #executors = new Map<LoadSource, number>();

  /**
   * Creates the logger, the metrics registry and the tracer.
   *
   * @param options log level and destination, metrics, audit sink and tracer provider.
   * @throws {RangeError} on an unknown log level.
   */
  constructor(options: ObservabilityOptions = {}) {
    this.logger = new JsonLogger({ level: options.logLevel, write: options.logWrite });
    if (options.metrics !== false) {
      this.#metrics = new CodemodeMetrics({
        loadSources: () => this.#executors.keys(),
        maxToolLabels: options.maxToolLabels,
      });
    }
    this.#tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer("codemode") as Tracer;
    if (options.audit !== false) {
      this.#audit = options.audit ?? (this.logger.enabled("info") ? (r) => this.logger.info("audit", r) : undefined);
    }
  }

  /** The content type of {@linkcode Observability.metrics}: Prometheus' text format 0.0.4. */
  get contentType(): string {
    return this.#metrics?.registry.contentType ?? "text/plain; version=0.0.4; charset=utf-8";
  }

  /** Whether metrics are kept. */
  get metricsEnabled(): boolean {
    return this.#metrics !== undefined;
  }

  /**
   * The metrics in Prometheus' text exposition format.
   *
   * @returns the exposition; empty when metrics are off.
   */
  async metrics(): Promise<string> {
    return this.#metrics ? await this.#metrics.registry.metrics() : "";
  }

  /**
   * Counts a request a face refused before any execution (`codemode_rejected_total{reason}`).
   *
   * @param reason one of the face's fixed reasons (`auth`, `origin`, `body_too_large`, …), never request text.
   */
  rejected(reason: string): void {
    this.#metrics?.rejected(reason);
  }

  /**
   * See {@linkcode Observer.execution}: starts the execution's span, under the active one.
   *
   * @param start the execution's ids and principal.
   * @returns what observes the execution.
   */
  execution(start: ExecutionStart): ExecutionObservation {
    return new ObservedExecution(this, start, this.#tracer, this.#metrics, this.#audit);
  }

  /**
   * See {@linkcode Observer.watchExecutor}: the gauges add up the load of every executor watched.
   *
   * @param executor an executor, counted once however many instances share it.
   * @returns what stops watching it.
   */
  watchExecutor(executor: LoadSource): () => void {
    this.#executors.set(executor, (this.#executors.get(executor) ?? 0) + 1);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const n = (this.#executors.get(executor) ?? 1) - 1;
      if (n > 0) this.#executors.set(executor, n);
      else this.#executors.delete(executor);
    };
  }
}

class ObservedExecution implements ExecutionObservation {
  readonly start: ExecutionStart;
  readonly logger: JsonLogger;
  readonly tracer: Tracer;
  readonly metrics?: CodemodeMetrics;
  readonly audit?: AuditSink;
  readonly span: Span;
  readonly context: Context;

  constructor(
    owner: Observability,
    start: ExecutionStart,
    tracer: Tracer,
    metrics: CodemodeMetrics | undefined,
    audit: AuditSink | undefined,
  ) {
    this.start = start;
    this.logger = owner.logger;
    this.tracer = tracer;
    this.metrics = metrics;
    this.audit = audit;
    const parent = start.traceHeaders ? propagation.extract(context.active(), start.traceHeaders) : context.active();
    this.span = tracer.startSpan(SPAN_NAMES.execution, {
      attributes: { "codemode.execution_id": start.executionId, "codemode.correlation_id": start.correlationId },
    }, parent);
    this.context = trace.setSpan(parent, this.span);
  }

  traceHeaders(): Record<string, string> | undefined {
    const carrier: Record<string, string> = {};
    propagation.inject(this.context, carrier);
    return carrier;
  }

  toolCall(input: unknown): ToolCallObservation {
    return new ObservedToolCall(this, this.audit ? inputDigest(input) : undefined);
  }

  end(result: ExecutionResult | undefined, error?: unknown): void {
    const { executionId, correlationId, principal } = this.start;
    if (!result) {
      const name = error instanceof Error ? error.name : typeof error;
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: name });
      this.span.end();
      this.logger.error("execution_failed", { executionId, correlationId, principal, error: name });
      return;
    }
    this.span.setAttributes({
      "codemode.stop_reason": result.stopReason,
      "codemode.ok": result.ok,
      "codemode.tool_calls": result.toolCalls.length,
      "codemode.duration_ms": result.durationMs,
    });
    if (!result.ok) this.span.setStatus({ code: SpanStatusCode.ERROR, message: result.stopReason });
    this.span.end();
    this.metrics?.execution(result);
    this.logger.log(result.ok ? "info" : "warn", "execution", {
      executionId,
      correlationId,
      principal,
      outcome: result.ok ? "ok" : "error",
      stopReason: result.stopReason,
      error: result.error?.name,
      durationMs: result.durationMs,
      toolCalls: result.toolCalls.length,
    });
  }
}

class ObservedToolCall implements ToolCallObservation {
  readonly #execution: ObservedExecution;
  readonly #digest?: string;
  readonly #started = performance.now();
  readonly #span: Span;

  constructor(execution: ObservedExecution, digest: string | undefined) {
    this.#execution = execution;
    this.#digest = digest;
    this.#span = execution.tracer.startSpan(SPAN_NAMES.toolCall, undefined, execution.context);
  }

  runInContext(run: () => void): void {
    context.with(trace.setSpan(this.#execution.context, this.#span), run);
  }

  end(tool: string | undefined, outcome: ToolCallOutcome): void {
    const ms = performance.now() - this.#started;
    const durationMs = Math.round(ms * 1000) / 1000;
    const label = tool ?? UNKNOWN_TOOL_LABEL;
    const execution = this.#execution;
    this.#span.setAttributes({
      "codemode.tool": label,
      "codemode.outcome": outcome,
      "codemode.duration_ms": durationMs,
    });
    if (outcome !== "ok") this.#span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    this.#span.end();
    execution.metrics?.toolCall(tool, outcome, ms / 1000);
    const { executionId, correlationId, principal } = execution.start;
    if (execution.logger.enabled("debug")) {
      execution.logger.debug("tool_call", { executionId, correlationId, principal, tool: label, outcome, durationMs });
    }
    if (execution.audit && this.#digest !== undefined) {
      const record: AuditRecord = {
        time: new Date().toISOString(),
        tool: label,
        inputSha256: this.#digest,
        outcome,
        durationMs,
        executionId,
        correlationId,
        ...(principal !== undefined ? { principal } : {}),
      };
      deliver(execution.audit, record);
    }
  }
}

/** Hands a record to the sink; what it throws or rejects with is dropped. */
function deliver(sink: AuditSink, record: AuditRecord): void {
  try {
    const done = sink(record);
    if (done && typeof done.then === "function") done.then(undefined, () => {});
  } catch {
    // An audit sink never breaks the call it records.
  }
}
