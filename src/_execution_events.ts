// What `Codemode` tells an execution's `onEvent`, built from what the result
// will carry: the same names, the same cuts.
import type { EventStream } from "./_event_stream.ts";
import type { ExecutionResult } from "./rpc/result.ts";
import { cut, MAX_TRACE_ERROR_CHARS, MAX_TRACE_TOOL_CHARS } from "../executor/_bounds.ts";
import { errorMessage } from "./tools/run.ts";

/** What a watched tool call found out, for its outcome. */
export interface CallFacts {
  /** The tool's registered name (or `$search`, `$types`) once it is known. */
  tool?: string;
  /** Set when a policy or the approver refused the call. */
  refused?: boolean;
}

/** The longest error name an event carries. */
const MAX_ERROR_NAME_CHARS = 64;

function errorOf(name: unknown, message: string): { name: string; message: string } {
  return {
    name: cut(typeof name === "string" ? name : "Error", MAX_ERROR_NAME_CHARS),
    message: cut(message, MAX_TRACE_ERROR_CHARS),
  };
}

/** A tool call arrived: returns what ends it (with the error it threw, if it failed). */
export function toolStarted(
  events: EventStream,
  callId: string,
  called: string,
  facts: CallFacts,
): (error?: { thrown: unknown }) => void {
  const started = performance.now();
  events.emit({ type: "tool_start", callId, tool: cut(called, MAX_TRACE_TOOL_CHARS) });
  return (failed) => {
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const tool = cut(facts.tool ?? called, MAX_TRACE_TOOL_CHARS);
    const error = failed && errorOf((failed.thrown as Error | undefined)?.name, errorMessage(failed.thrown));
    events.emit({
      type: "tool_end",
      callId,
      tool,
      ok: !failed,
      durationMs,
      ...(facts.refused ? { refused: true } : {}),
      ...(error ? { error } : {}),
    });
  };
}

/**
 * The execution ended: the log entries the executor did not tell of as they
 * happened (a remote executor's, the truncation marker), then the end. Returns
 * the result, with a warning in its logs when `onEvent` failed.
 */
export function executionEnded(events: EventStream, result: ExecutionResult): ExecutionResult {
  for (const { level, text } of result.logs.slice(events.logs)) events.emit({ type: "log", level, text });
  const { ok, stopReason, durationMs, error } = result;
  events.emit({
    type: "end",
    ok,
    stopReason,
    durationMs,
    toolCalls: result.toolCalls.length,
    ...(error ? { error: errorOf(error.name, error.message) } : {}),
  });
  const failure = events.failure;
  if (failure === undefined) return result;
  return { ...result, logs: [...result.logs, { level: "warn", text: failure, atMs: events.elapsed() }] };
}
