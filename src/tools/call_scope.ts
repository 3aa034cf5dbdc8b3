/**
 * What one execution hands each of its tool calls from the caller of
 * `execute`: the caller's context, an id for every call, and the errors that
 * leave the execution instead of reaching the script (a LangGraph interrupt
 * thrown by a handler or the approver must pause the graph, not be caught by
 * the model's script).
 *
 * @module
 */
import type { Approver } from "./approval.ts";
import { errorMessage, ToolError } from "./run.ts";

/** What the caller of `execute` gives the execution's tool calls. */
export interface CallScopeOptions {
  /** The id of the call that runs the script; each tool call's id is `<toolCallId>:<n>`. @default {executionId} */
  toolCallId?: string;
  /** Passed to every handler as `ctx.context`, as it is. */
  context?: unknown;
  /** Passed to every handler as `ctx.correlationId`. @default {executionId} */
  correlationId?: string;
  /** Errors of handlers and the approver this returns true for end the execution and are rethrown. */
  rethrow?: (error: unknown) => boolean;
}

/**
 * The tool-call side of one execution: numbers its calls, and records the
 * first error that must leave the execution, aborting {@linkcode CallScope.signal}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallScope } from "./call_scope.ts";
 * class Pause extends Error {}
 * const scope = new CallScope("exec-1", { toolCallId: "call_7", rethrow: (e) => e instanceof Pause });
 * assert.equal(scope.nextCall().toolCallId, "call_7:1");
 * assert.equal(scope.nextCall().toolCallId, "call_7:2");
 * const pause = new Pause("wait for a human");
 * assert.match(scope.escape(pause, "tools.db.write").message, /tools\.db\.write ended the execution/);
 * assert.ok(scope.signal.aborted);
 * assert.throws(() => scope.throwIfEscaped(), (e) => e === pause);
 * ```
 */
export class CallScope {
  readonly #prefix: string;
  readonly #correlationId: string;
  readonly #options: CallScopeOptions;
  readonly #abort = new AbortController();
  #calls = 0;
  #escaped?: { error: unknown };

  /**
   * Creates the scope of one execution.
   *
   * @param executionId the execution's id, the prefix of call ids when no `toolCallId` is given.
   * @param options the caller's call id, context, correlation id and `rethrow` test.
   */
  constructor(executionId: string, options: CallScopeOptions = {}) {
    this.#prefix = options.toolCallId ?? executionId;
    this.#correlationId = options.correlationId ?? executionId;
    this.#options = options;
  }

  /** Aborts when an error has to leave the execution. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * What the next tool call's handler gets from the caller: calls are numbered in the order the host receives them.
   *
   * @returns the call's id, the caller's context, the correlation id and the `rethrow` test, as `runToolCall`
   * takes them.
   */
  nextCall(): { toolCallId: string; context: unknown; correlationId: string; rethrow: (error: unknown) => boolean } {
    return {
      toolCallId: `${this.#prefix}:${++this.#calls}`,
      context: this.#options.context,
      correlationId: this.#correlationId,
      rethrow: (error) => this.rethrows(error),
    };
  }

  /**
   * Tells whether an error must leave the execution.
   *
   * @param error what a handler or the approver threw.
   * @returns the caller's `rethrow` verdict; false when it has none or it throws.
   */
  rethrows(error: unknown): boolean {
    try {
      return this.#options.rethrow?.(error) === true;
    } catch {
      return false;
    }
  }

  /**
   * Records an error that leaves the execution (the first one wins) and aborts the scope's signal.
   *
   * @param error the error, rethrown later by {@linkcode CallScope.throwIfEscaped}.
   * @param where the call, e.g. `tools.db.write`.
   * @returns what the script is answered while its sandbox is being stopped.
   */
  escape(error: unknown, where: string): ToolError {
    this.#escaped ??= { error };
    this.#abort.abort();
    return new ToolError(`${where} ended the execution: ${errorMessage(error).slice(0, 200)}`);
  }

  /**
   * Wraps the approver so that an error it throws that must leave the execution is recorded first.
   *
   * @param approver the host's approver, if any.
   * @returns the wrapped approver, or `undefined`.
   */
  guard(approver: Approver | undefined): Approver | undefined {
    if (!approver) return undefined;
    return async (request) => {
      try {
        return await approver(request);
      } catch (e) {
        if (this.rethrows(e)) this.escape(e, `the approver of tools.${request.tool}`);
        throw e;
      }
    };
  }

  /** @throws the recorded error, when one left the execution. */
  throwIfEscaped(): void {
    if (this.#escaped) throw this.#escaped.error;
  }
}
