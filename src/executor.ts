/**
 * The executor interface: what runs scripts (`LocalExecutor`, `RemoteExecutor`)
 * is separate from what defines tools. An executor gets the code, the limits
 * and a callback that runs every tool call on the host (which knows the tools,
 * and answers unknown names); it returns an {@linkcode ExecutionResult}.
 *
 * @module
 */
import type { Limits } from "./limits.ts";
import type { ExecutionResult } from "./rpc/result.ts";

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
  /** An id that ties this execution to the request that caused it, in logs and traces. */
  correlationId?: string;
  /** W3C trace context (`traceparent`, `tracestate`) of the span this execution runs under. */
  traceHeaders?: Record<string, string>;
}

/** Something that runs scripts in a sandbox. */
export interface Executor {
  /** Runs one script to its end; never throws for anything the script does. */
  execute(request: ExecuteRequest): Promise<ExecutionResult>;
  /** Ends every execution in flight and releases all resources. */
  close(): Promise<void>;
}
