/**
 * The executor interface and the values it exchanges: what runs code
 * (`LocalExecutor`, later a remote one) is separate from what defines tools.
 *
 * @module
 */
import type { LogLevel } from "../src/rpc/protocol.ts";

export type { LogLevel };

/** Why an execution ended. */
export type StopReason =
  | "completed"
  | "error"
  | "timeout"
  | "memory"
  | "output_limit"
  | "tool_call_limit"
  | "tool_input_limit"
  | "killed"
  | "rejected"
  | "busy";

/** Limits every execution runs under. Each has a safe default. */
export interface Limits {
  /** Wall-clock time for the whole execution, in ms. @default {30000} */
  timeoutMs: number;
  /** V8 heap cap of the sandbox child, in MiB. @default {128} */
  memoryMb: number;
  /**
   * Resident memory of the sandbox process, in MiB, polled every 25 ms on
   * Linux: catches ArrayBuffers and WebAssembly memory outside the V8 heap.
   * @default {512}
   */
  maxRssMb: number;
  /** Largest script accepted, in bytes. @default {100000} */
  maxCodeBytes: number;
  /** Captured log text kept, in bytes; the rest is dropped with a marker. @default {65536} */
  maxLogBytes: number;
  /** Largest JSON result kept, in bytes; larger ones become a preview. @default {1048576} */
  maxResultBytes: number;
  /** All bytes the child may write (protocol and raw); past it the child is killed. @default {16777216} */
  maxOutputBytes: number;
  /** Tool calls one execution may make. @default {1000} */
  maxToolCalls: number;
  /**
   * Characters of tool-call frames (their JSON inputs) in flight at once in
   * one execution. Past it the execution ends with stopReason
   * `tool_input_limit`. @default {4194304}
   */
  maxToolInputBytes: number;
  /**
   * JSON values (containers, elements, properties) of the tool inputs in
   * flight at once in one execution, counted before they are parsed: with
   * `maxToolInputBytes` this bounds the host memory one execution's tool
   * inputs hold. Past it the execution ends with stopReason
   * `tool_input_limit`. @default {20000}
   */
  maxToolInputValues: number;
  /** Time one tool call may take, in ms, unless the tool sets its own. @default {10000} */
  toolTimeoutMs: number;
  /**
   * Executions running at once; more wait in a queue. An executor reads this
   * (and `maxQueued`) once, from its first execution. @default {16}
   */
  maxConcurrent: number;
  /** Executions waiting for a slot; more are refused with stopReason `busy`. @default {256} */
  maxQueued: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  timeoutMs: 30_000,
  memoryMb: 128,
  maxRssMb: 512,
  maxCodeBytes: 100_000,
  maxLogBytes: 65_536,
  maxResultBytes: 1_048_576,
  maxOutputBytes: 16_777_216,
  maxToolCalls: 1_000,
  maxToolInputBytes: 4_194_304,
  maxToolInputValues: 20_000,
  toolTimeoutMs: 10_000,
  maxConcurrent: 16,
  maxQueued: 256,
});

/** One captured log line. */
export interface LogEntry {
  /** `log`, `info`, `warn`, `error`, `debug`, or raw `stdout`/`stderr` output. */
  level: LogLevel;
  /** The text, formatted as `console.log` would. */
  text: string;
  /** Milliseconds since the execution started. */
  atMs: number;
}

/** One tool call in an execution's trace. */
export interface ToolCallRecord {
  /** The tool's dotted name as the script called it (e.g. `weather.get`). */
  tool: string;
  /** Whether the tool returned a value. */
  ok: boolean;
  /** Time from the call leaving the sandbox to its reply, in ms. */
  durationMs: number;
  /** The tool's error, when `ok` is false (the script's `ToolError` adds the call site to it). */
  error?: string;
  /** 1-based line in the user's code of a failed call, when known. */
  line?: number;
  /** 1-based column in the user's code of a failed call, when known. */
  column?: number;
}

/** An error as the model sees it: positions are in the user's own code. */
export interface ExecutionError {
  /** Error class name, e.g. `TypeError`, `ToolError`, `TimeoutError`. */
  name: string;
  /** The message. */
  message: string;
  /** Stack with frames in `script.ts` only. */
  stack?: string;
  /** 1-based line in the user's code. */
  line?: number;
  /** 1-based column in the user's code. */
  column?: number;
}

/** What one execution produced. */
export interface ExecutionResult {
  /** Unique id of this execution (tool handlers see it too). */
  executionId: string;
  /** True when the script returned normally (`stopReason` is `completed`). */
  ok: boolean;
  /** Why the execution ended. */
  stopReason: StopReason;
  /** The JSON value the script returned, if any. */
  result?: unknown;
  /** What went wrong, when `ok` is false. */
  error?: ExecutionError;
  /** Captured console output, capped at `maxLogBytes`. */
  logs: LogEntry[];
  /** Every tool call the script made, in the order they were made. */
  toolCalls: ToolCallRecord[];
  /** Wall-clock time of the execution in ms. */
  durationMs: number;
}

/** Runs one tool call for the sandbox; throws an Error whose message the script sees. */
export type ToolInvoker = (
  tool: string,
  input: unknown,
  signal: AbortSignal,
) => Promise<unknown>;

/** What an executor needs to run one script. */
export interface ExecuteRequest {
  /** Unique id, passed to tool handlers. */
  executionId: string;
  /** The script body. */
  code: string;
  /** Dotted names of callable tools. */
  tools: string[];
  /** Limits for this run. */
  limits: Limits;
  /** Runs tool calls on the host. */
  invoke: ToolInvoker;
  /** Aborting ends the execution with stopReason `killed`. */
  signal?: AbortSignal;
}

/** Something that runs scripts in a sandbox. */
export interface Executor {
  /** Runs one script to its end; never throws for anything the script does. */
  execute(request: ExecuteRequest): Promise<ExecutionResult>;
  /** Ends every execution in flight and releases all resources. */
  close(): Promise<void>;
}

/**
 * Merges limit overrides onto a base, rejecting values that are not positive numbers.
 *
 * @param base the limits to start from.
 * @param overrides the limits to change.
 * @returns the merged limits.
 * @throws {RangeError} naming the limit and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS, resolveLimits } from "./types.ts";
 * assert.equal(resolveLimits(DEFAULT_LIMITS, { timeoutMs: 5 }).timeoutMs, 5);
 * assert.throws(() => resolveLimits(DEFAULT_LIMITS, { timeoutMs: -1 }), /timeoutMs/);
 * ```
 */
export function resolveLimits(
  base: Readonly<Limits>,
  overrides: Partial<Limits> = {},
): Limits {
  const limits = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in base)) throw new RangeError(`Unknown limit "${key}"`);
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        `Limit ${key} must be a positive number, got ${JSON.stringify(value)}`,
      );
    }
    limits[key as keyof Limits] = value;
  }
  return limits;
}
