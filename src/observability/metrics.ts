/**
 * Codemode's Prometheus metrics, on a `prom-client` registry of their own
 * (never the global one), every name prefixed `codemode_`.
 *
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ExecutionResult } from "../rpc/result.ts";
import type { LoadSource, ToolCallOutcome } from "../observe.ts";

/** The `tool` label of a call whose name is not a tool. */
export const UNKNOWN_TOOL_LABEL = "(unknown)";
/** The `tool` label of calls of tools past {@linkcode MetricsOptions.maxToolLabels}. */
export const OTHER_TOOL_LABEL = "(other)";
/** The default of {@linkcode MetricsOptions.maxToolLabels}. */
export const DEFAULT_MAX_TOOL_LABELS = 1000;

/** Most distinct `reason` labels of `codemode_rejected_total` (then `(other)`). */
export const MAX_REJECT_REASONS = 32;

/**
 * The registry of {@linkcode CodemodeMetrics}, by the members most callers need; at run time a
 * `prom-client` `Registry`, so `registry as Registry` is safe (e.g. for `Registry.merge`).
 */
export interface MetricsRegistry {
  /** The exposition, in the format of {@linkcode MetricsRegistry.contentType}. */
  metrics(): Promise<string>;
  /** The exposition's content type (Prometheus' text format 0.0.4). */
  readonly contentType: string;
}

/** Options of {@linkcode CodemodeMetrics}. */
export interface MetricsOptions {
  /** Where the executors whose load the gauges show come from, read at each scrape. */
  loadSources?: () => Iterable<LoadSource>;
  /**
   * Most distinct `tool` label values; calls of further tools are labelled
   * `(other)`, so the series stay bounded even with a huge catalogue. @default {1000}
   */
  maxToolLabels?: number;
}

/** Bucket bounds of `codemode_execution_duration_seconds`. */
const EXECUTION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Bucket bounds of `codemode_tool_call_duration_seconds`. */
const TOOL_CALL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const TOOL_OUTCOMES: readonly ToolCallOutcome[] = ["ok", "error", "refused", "unknown"];

/** One tool's label children, made once, so that a call allocates no label object. */
interface ToolSeries {
  calls: Record<ToolCallOutcome, { inc(): void }>;
  duration: { observe(seconds: number): void };
}

/**
 * The metrics of executions and tool calls:
 *
 * - `codemode_executions_total{outcome, stop_reason}`: executions ended, `outcome` `ok` or `error`;
 * - `codemode_execution_duration_seconds{outcome}`: a histogram of their durations;
 * - `codemode_tool_calls_total{tool, outcome}`: tool calls, `outcome` `ok`, `error`, `refused` or `unknown`;
 * - `codemode_tool_call_duration_seconds{tool}`: a histogram of their durations;
 * - `codemode_sandboxes_running`, `codemode_queue_length`: executions holding a slot, and waiting for one;
 * - `codemode_rejected_total{reason}`: requests refused: `busy` (no slot free), or a face's own reasons (`auth`, …);
 * - `codemode_protocol_errors_total`: executions a sandbox ended by sending a malformed frame.
 *
 * `tool` is a registered name, `$search`, `$types`, `(unknown)` or `(other)`: never a name a script made up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CodemodeMetrics } from "./metrics.ts";
 * const metrics = new CodemodeMetrics();
 * metrics.toolCall("weather.get", "ok", 0.012);
 * metrics.toolCall(undefined, "unknown", 0.001);
 * const text = await metrics.registry.metrics();
 * assert.match(text, /codemode_tool_calls_total\{tool="weather.get",outcome="ok"\} 1/);
 * assert.match(text, /codemode_tool_calls_total\{tool="\(unknown\)",outcome="unknown"\} 1/);
 * ```
 */
export class CodemodeMetrics {
  readonly #registry = new Registry();
  readonly #executions: Counter<"outcome" | "stop_reason">;
  readonly #executionSeconds: Histogram<"outcome">;
  readonly #toolCalls: Counter<"tool" | "outcome">;
  readonly #toolCallSeconds: Histogram<"tool">;
  readonly #rejected: Counter<"reason">;
  readonly #protocolErrors: Counter;
  readonly #tools = new Map<string, ToolSeries>();
  readonly #reasons = new Set<string>();
  readonly #maxToolLabels: number;

  /**
   * Registers the metrics on a new registry.
   *
   * @param options where the executors' load comes from, and the bound on tool labels.
   */
  constructor(options: MetricsOptions = {}) {
    const registers = [this.#registry];
    this.#maxToolLabels = options.maxToolLabels ?? DEFAULT_MAX_TOOL_LABELS;
    this.#executions = new Counter({
      name: "codemode_executions_total",
      help: "Executions ended, by outcome (ok, error) and stop reason.",
      labelNames: ["outcome", "stop_reason"],
      registers,
    });
    this.#executionSeconds = new Histogram({
      name: "codemode_execution_duration_seconds",
      help: "Wall-clock duration of executions, by outcome.",
      labelNames: ["outcome"],
      buckets: EXECUTION_BUCKETS,
      registers,
    });
    this.#toolCalls = new Counter({
      name: "codemode_tool_calls_total",
      help: "Tool calls made by scripts, by tool and outcome (ok, error, refused, unknown).",
      labelNames: ["tool", "outcome"],
      registers,
    });
    this.#toolCallSeconds = new Histogram({
      name: "codemode_tool_call_duration_seconds",
      help: "Duration of tool calls on the host, by tool.",
      labelNames: ["tool"],
      buckets: TOOL_CALL_BUCKETS,
      registers,
    });
    this.#rejected = new Counter({
      name: "codemode_rejected_total",
      help: "Requests refused, by reason (busy: no sandbox slot and a full queue).",
      labelNames: ["reason"],
      registers,
    });
    this.#protocolErrors = new Counter({
      name: "codemode_protocol_errors_total",
      help: "Executions ended because the sandbox sent a malformed protocol frame.",
      registers,
    });
    const sources = options.loadSources ?? (() => []);
    const total = (key: "running" | "queued") => {
      let sum = 0;
      for (const source of sources()) sum += source.load?.()[key] ?? 0;
      return sum;
    };
    new Gauge({
      name: "codemode_sandboxes_running",
      help: "Executions holding a sandbox slot (starting or running).",
      registers,
      collect() {
        this.set(total("running"));
      },
    });
    new Gauge({
      name: "codemode_queue_length",
      help: "Executions waiting for a sandbox slot.",
      registers,
      collect() {
        this.set(total("queued"));
      },
    });
  }

  /** The registry holding these metrics and nothing else (never the global one). */
  get registry(): MetricsRegistry {
    return this.#registry;
  }

  /**
   * Counts an ended execution (and a `busy` refusal, or a protocol error, from its result).
   *
   * @param result the execution's result.
   */
  execution(result: ExecutionResult): void {
    const outcome = result.ok ? "ok" : "error";
    this.#executions.inc({ outcome, stop_reason: result.stopReason });
    this.#executionSeconds.observe({ outcome }, result.durationMs / 1000);
    if (result.stopReason === "busy") this.#rejected.inc({ reason: "busy" });
    if (result.error?.name === "ProtocolError") this.#protocolErrors.inc();
  }

  /**
   * Counts an ended tool call.
   *
   * @param tool the registered name (or `$search`, `$types`); `undefined` for a name that is no tool.
   * @param outcome how it ended.
   * @param seconds how long it took.
   */
  toolCall(tool: string | undefined, outcome: ToolCallOutcome, seconds: number): void {
    const series = this.#series(tool ?? UNKNOWN_TOOL_LABEL);
    series.calls[outcome].inc();
    series.duration.observe(seconds);
  }

  /**
   * Counts a refused request.
   *
   * @param reason one of a fixed set of the caller's reasons (`auth`, `origin`, …), never text from a
   * request; past {@linkcode MAX_REJECT_REASONS} distinct ones, further reasons count as `(other)`.
   */
  rejected(reason: string): void {
    if (!this.#reasons.has(reason)) {
      if (this.#reasons.size >= MAX_REJECT_REASONS) reason = "(other)";
      this.#reasons.add(reason);
    }
    this.#rejected.inc({ reason });
  }

  #series(label: string): ToolSeries {
    const series = this.#tools.get(label);
    if (series) return series;
    if (this.#tools.size < this.#maxToolLabels) return this.#newSeries(label);
    return this.#tools.get(OTHER_TOOL_LABEL) ?? this.#newSeries(OTHER_TOOL_LABEL);
  }

  #newSeries(label: string): ToolSeries {
    const calls = {} as Record<ToolCallOutcome, { inc(): void }>;
    for (const outcome of TOOL_OUTCOMES) calls[outcome] = this.#toolCalls.labels({ tool: label, outcome });
    const series = { calls, duration: this.#toolCallSeconds.labels({ tool: label }) };
    this.#tools.set(label, series);
    return series;
  }
}
