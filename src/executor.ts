/**
 * The executor interface: what runs scripts (`LocalExecutor`, `RemoteExecutor`)
 * is separate from what defines tools. An executor gets the code, the limits
 * and a callback that runs every tool call on the host (which knows the tools,
 * and answers unknown names); it returns an {@linkcode ExecutionResult}.
 *
 * @module
 */
import type { Limits } from "./limits.ts";
import type { ExecutionError, ExecutionResult, StopReason } from "./rpc/result.ts";
import type { ReadEntry } from "./rpc/protocol.ts";

export type { ReadEntry };

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
  /** Limits for this run. */
  limits: Limits;
  /** Runs tool calls on the host. */
  invoke: ToolInvoker;
  /** Aborting ends the execution with stopReason `killed`. */
  signal?: AbortSignal;
  /**
   * The id that ties this execution to the request that caused it (logs, the
   * result's `correlationId`); an executor in another process passes it on.
   */
  correlationId?: string;
  /**
   * The W3C trace context of the execution's span (`traceparent`,
   * `tracestate`), for an executor in another process to continue the trace;
   * set only when an observer traces.
   */
  traceHeaders?: Record<string, string>;
  /**
   * Record what the script reads, so the execution can pause for approval and be resumed by replay; set by
   * `Codemode` only for an executor whose `pausable` is true.
   */
  recording?: ExecutionRecording;
  /** Aborting ends the execution with the {@linkcode ExecutionEnding} given as the abort reason. */
  halt?: AbortSignal;
  /** Stops the execution's timeout while it is stopped (an approval is being decided). */
  clock?: ExecutionClock;
}

/** How a host that halts an execution wants it to end. */
export interface ExecutionEnding {
  /** The stop reason of the result. */
  stopReason: StopReason;
  /** The result's error, if any. */
  error?: ExecutionError;
}

/** The recording side of an execution that may pause for approval (see `RunParams.record`). */
export interface ExecutionRecording {
  /** The values the script read in the run that paused, served again in order (a resume); empty otherwise. */
  replay: ReadEntry[];
  /** The most characters of read values the child records; past it, it reports `"overflow"`. */
  maxChars: number;
  /** Hears, in frame order and before the call it came with, what the script read since its previous frame. */
  onReads(reads: ReadEntry[] | "overflow"): void;
  /** The child blocked for replies with no timer due: it cannot go on until a tool call is answered. */
  onBlocked(): void;
}

/** A clock the host can stop: the execution's timeout does not run while it is stopped. */
export interface ExecutionClock {
  /** Whether it is stopped now. */
  readonly stopped: boolean;
  /** Calls `listener` each time it stops or starts again; returns what removes the listener. */
  onChange(listener: () => void): () => void;
}

/** How busy an executor is at one moment. */
export interface ExecutorLoad {
  /** Executions holding a slot: their sandbox is starting or running. */
  running: number;
  /** Executions waiting for a slot. */
  queued: number;
}

/** Something that runs scripts in a sandbox. */
export interface Executor {
  /** Runs one script to its end; never throws for anything the script does. */
  execute(request: ExecuteRequest): Promise<ExecutionResult>;
  /** Ends every execution in flight and releases all resources. */
  close(): Promise<void>;
  /** How busy it is now (read by observers for their gauges); optional. */
  load?(): ExecutorLoad;
  /**
   * Whether it honours `recording`, `halt` and `clock` (`LocalExecutor` does): only then can an execution
   * pause for approval and its timeout stop while a call is being approved.
   */
  readonly pausable?: boolean;
}
