/**
 * The executor interface: what runs scripts (`LocalExecutor`, `RemoteExecutor`)
 * is separate from what defines tools. An executor gets the code, the limits
 * and a callback that runs every tool call on the host (which knows the tools,
 * and answers unknown names); it returns an {@linkcode ExecutionResult}.
 *
 * @module
 */
import type { Limits } from "./limits.ts";
import type { ExecutionResult, LogEntry } from "./rpc/result.ts";

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
   * Told of each log entry as it is kept (scrubbed, within `maxLogBytes`), in
   * the order of the result's `logs`; an executor that cannot tell as they
   * happen does not call it (the entries are in the result then). Must not throw.
   */
  onLog?: (entry: LogEntry) => void;
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
}
