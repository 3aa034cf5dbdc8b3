/**
 * Runs one tool call on the host: validate the input, authorize, run the
 * handler under its timeout, check the output. Every failure is a
 * {@linkcode ToolError} whose message names the tool; nothing else (no
 * stack, no cause) reaches the script.
 *
 * @module
 */
import type { AnyTool, ToolContext } from "./define.ts";
import { cut } from "./validate.ts";
import type { ErrorName } from "../rpc/result.ts";

/** The longest message a failed validation puts in a {@linkcode ToolError}. */
export const MAX_VALIDATION_MESSAGE = 2000;

/** A failed tool call, as the script sees it. */
export class ToolError extends Error {
  /** Always `ToolError`: the same name as the script's error and the result's `error.name`. */
  override name: Extract<ErrorName, "ToolError"> = "ToolError";
}

/** How to run one call. */
export interface ToolCallOptions {
  /** The execution making the call. */
  executionId: string;
  /** How long the handler may take. */
  timeoutMs: number;
  /** Fires when the execution ends; aborts the handler's signal. */
  signal: AbortSignal;
  /** Throws a {@linkcode ToolError} when the validated call may not run. */
  authorize?: (input: unknown) => Promise<void>;
  /** The call's id, passed to the handler as `toolCallId`. */
  toolCallId?: string;
  /** The caller's context, passed to the handler as it is. */
  context?: unknown;
  /** The execution's correlation id, passed to the handler as `correlationId`. */
  correlationId?: string;
  /** A handler's error this returns true for is thrown as it is, not as a {@linkcode ToolError}. */
  rethrow?: (error: unknown) => boolean;
}

/**
 * Runs a call of `tool` (called as `tools.<name>`) with raw `input` from the sandbox.
 *
 * @returns the handler's (checked) output.
 * @throws {ToolError} for invalid input, a refusal, a timeout, a handler error or bad output; an error of the
 * handler that `options.rethrow` accepts, or of `options.authorize`, as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { defineTool } from "./define.ts";
 * import { runToolCall } from "./run.ts";
 * const add = defineTool({ name: "m.add", input: z.object({ a: z.number() }), handler: ({ a }) => a + 1 });
 * const opts = { executionId: "x", timeoutMs: 1000, signal: new AbortController().signal };
 * assert.equal(await runToolCall(add, "m.add", { a: 1 }, opts), 2);
 * await assert.rejects(runToolCall(add, "m.add", { a: "1" }, opts), /Invalid input for tools\.m\.add: a:/);
 * ```
 */
export async function runToolCall(
  tool: AnyTool,
  name: string,
  input: unknown,
  options: ToolCallOptions,
): Promise<unknown> {
  const parsed = tool.validateInput(input === undefined ? {} : input);
  if (!parsed.ok) {
    throw new ToolError(
      cut(`Invalid input for tools.${name}: ${parsed.issues.join("; ")}`, MAX_VALIDATION_MESSAGE),
    );
  }
  if (options.authorize) await options.authorize(parsed.value);
  const { timeoutMs } = options;
  const call = lazySignal(options.signal);
  const context: ToolContext = {
    executionId: options.executionId,
    tool: tool.name,
    get signal() {
      return call.signal();
    },
    ...(options.toolCallId !== undefined ? { toolCallId: options.toolCallId } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    ...(options.correlationId !== undefined ? { correlationId: options.correlationId } : {}),
  };
  const failure = (e: unknown) =>
    e instanceof ToolError || options.rethrow?.(e) ? e : new ToolError(`tools.${name} failed: ${errorMessage(e)}`);
  try {
    let output: unknown;
    try {
      output = tool.handler(parsed.value, context);
    } catch (e) {
      throw failure(e);
    }
    // A handler that returned a value is done: only a pending one needs its
    // timeout (a timer on every call was a third of a call's cost on the host).
    if (isThenable(output)) output = await settleInTime(output, name, timeoutMs, call, failure);
    return checkOutput(tool, name, output);
  } finally {
    call.dispose();
  }
}

/**
 * The handler's signal, made when the handler first reads it: most handlers
 * never do, and linking a signal to the execution's on every call was a
 * tenth of the host's work on it. It aborts when the execution does, or the
 * call times out, whenever it is made.
 */
function lazySignal(execution: AbortSignal): { signal(): AbortSignal; abort(): void; dispose(): void } {
  let call: AbortController | undefined;
  let timedOut = false;
  const onEnd = () => call?.abort(execution.reason);
  return {
    signal() {
      if (call) return call.signal;
      call = new AbortController();
      if (timedOut) call.abort();
      else if (execution.aborted) call.abort(execution.reason);
      else execution.addEventListener("abort", onEnd, { once: true });
      return call.signal;
    },
    abort() {
      timedOut = true;
      call?.abort();
    },
    dispose() {
      if (call) execution.removeEventListener("abort", onEnd);
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

function settleInTime(
  output: PromiseLike<unknown>,
  name: string,
  timeoutMs: number,
  call: { abort(): void },
  failure: (e: unknown) => unknown,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      call.abort();
      reject(new ToolError(`tools.${name} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    Promise.resolve(output).then(resolve, (e) => reject(failure(e))).finally(() => clearTimeout(timer));
  });
}

/**
 * The message of an error, or the value as text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorMessage } from "./run.ts";
 * assert.equal(errorMessage(new Error("x")), "x");
 * assert.equal(errorMessage(5), "5");
 * ```
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function checkOutput(tool: AnyTool, name: string, output: unknown): unknown {
  if (!tool.validateOutput) return output;
  const checked = tool.validateOutput(output);
  if (checked.ok) return checked.value;
  const message = `tools.${name} returned output that does not match its schema: ${checked.issues.join("; ")}`;
  throw new ToolError(cut(message, MAX_VALIDATION_MESSAGE));
}
