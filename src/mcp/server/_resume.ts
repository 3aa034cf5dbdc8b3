/**
 * Pausing under `codemode mcp`: a client that cannot answer elicitation gets
 * an `execute_code` result with the calls that wait for approval and the
 * continuation, and sends the decisions back with `resume_execution`. The
 * tool is the approval: a client should put it to its user, never let the
 * model decide (it is marked destructive, so clients that confirm such tools
 * ask).
 *
 * @module
 */
import type {
  CallToolResult,
  InputRequiredResult,
  McpServer,
  RegisteredTool,
  ServerContext,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { ContinuationError } from "../../approvals/continuation.ts";
import type { ApprovalDecision } from "../../approvals/options.ts";
import { type ExecutionResult, executionResultShape } from "../../rpc/result.ts";
import { formatResultForModel } from "../../format.ts";
import type { Approver } from "../../tools/approval.ts";
import type { Limits } from "../../limits.ts";
import type { ExecutionEventHandler } from "../../events.ts";

/** The longest continuation `resume_execution` takes, in characters (the instance's own cap applies too). */
export const MAX_CONTINUATION_CHARS = 16 * 1024 * 1024;

/** Runs one execution for a request: its approver asks the request's client; the face logs and reports it. */
export type Serve = (
  ctx: ServerContext,
  code: string,
  start: (signal: AbortSignal, options: StartOptions) => Promise<ExecutionResult>,
) => Promise<CallToolResult | InputRequiredResult>;

/** What an execution a request starts is given. */
export interface StartOptions {
  /** Decides calls that need approval (the client's user), unless the instance has its own. */
  approver?: Approver;
  /** The request's correlation id, when it sent a valid one. */
  correlationId?: string;
  /** Who asked, for audit records. */
  principal: string;
  /** The server's limits over the instance's. */
  limits?: Partial<Limits>;
  /** Hears of the execution as it runs (the request's progress and log notifications). */
  onEvent?: ExecutionEventHandler;
}

/** What `resume_execution` needs of the instance. */
export interface Resumable {
  /** Continues a paused execution; see `Codemode.resume`. */
  resume(
    continuation: string,
    decisions: Record<string, ApprovalDecision>,
    options?: Omit<StartOptions, "correlationId"> & { signal?: AbortSignal },
  ): Promise<ExecutionResult>;
}

/**
 * Registers `resume_execution({ continuation, decisions })`.
 *
 * @param server the server.
 * @param codemode the instance.
 * @param serve how `execute_code` runs an execution, reused.
 * @returns the registered tool.
 */
export function registerResume(server: McpServer, codemode: Resumable, serve: Serve): RegisteredTool {
  return server.registerTool("resume_execution", {
    title: "Continue a script that paused for approval",
    description:
      "Continues an execute_code script that paused because tool calls need a person's approval (its result has " +
      "stopReason paused, the calls waiting, each with an id, and a continuation). Send the continuation as it " +
      "is and a decision for every id: { approved: true } runs the call, { approved: false, reason } makes it " +
      "fail in the script. Only the user may decide: ask them, never decide for them. The script runs again from " +
      "the start; calls it made before the pause are not run again. It may pause again.",
    inputSchema: z.object({
      continuation: z.string().min(1).max(MAX_CONTINUATION_CHARS).describe("The paused result's continuation."),
      decisions: z.record(
        z.string().min(1).max(64),
        z.object({ approved: z.boolean(), reason: z.string().max(1000).optional() }),
      ).describe("Approval id → the user's decision, for every call that waits."),
    }),
    outputSchema: z.object(executionResultShape),
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  }, async ({ continuation, decisions }, ctx): Promise<CallToolResult | InputRequiredResult> => {
    return await serve(
      ctx,
      continuation,
      (signal, options) =>
        codemode.resume(continuation, decisions as Record<string, ApprovalDecision>, { ...options, signal })
          .catch((e) => {
            if (!(e instanceof ContinuationError)) throw e;
            return refused(e);
          }),
    );
  });
}

// A continuation that cannot be resumed: nothing ran.
function refused(e: ContinuationError): ExecutionResult {
  return {
    executionId: crypto.randomUUID(),
    ok: false,
    stopReason: "rejected",
    error: { name: e.name, message: e.message },
    logs: [],
    toolCalls: [],
    durationMs: 0,
  };
}

/**
 * The tool result of an execution: the text a model reads, the result as `structuredContent`; `isError` when
 * it did not complete, unless it paused (then the text ends with the continuation, for clients that show text only).
 *
 * @param result the execution's result.
 * @param maxChars how much of the result and logs the text keeps.
 * @returns the tool result.
 */
export function toolResult(result: ExecutionResult, maxChars: number): CallToolResult {
  let text = formatResultForModel(result, { maxChars });
  if (result.paused) {
    text += "\n\nTo continue, ask the user to decide each call, then call resume_execution with the decisions and " +
      `this continuation:\n${result.paused.continuation}`;
  }
  return {
    content: [{ type: "text", text }],
    structuredContent: structured(result),
    ...(result.ok || result.paused ? {} : { isError: true }),
  };
}

function structured(result: ExecutionResult): Record<string, unknown> {
  const {
    executionId,
    correlationId,
    ok,
    stopReason,
    result: value,
    error,
    logs,
    toolCalls,
    diagnostics,
    durationMs,
    paused,
  } = result;
  return {
    executionId,
    ...(correlationId !== undefined ? { correlationId } : {}),
    ok,
    stopReason,
    ...(value !== undefined ? { result: value } : {}),
    ...(error !== undefined ? { error } : {}),
    logs,
    toolCalls,
    ...(diagnostics !== undefined ? { diagnostics } : {}),
    durationMs,
    ...(paused !== undefined ? { paused } : {}),
  };
}
