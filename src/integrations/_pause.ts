/**
 * What the framework faces of pause and resume share: the part of
 * `Codemode` they use, reading a paused result out of a stored tool output,
 * and turning a person's answer into one decision per pending call.
 *
 * @module
 */
import type { ExecutionResult, PausedExecution, PendingApproval } from "../rpc/result.ts";
import type { ApprovalDecision } from "../approvals/options.ts";
import { type CodemodeLike, type CodemodeToolOptions, rejectedResult, type RunOptions } from "./description.ts";
import type { Limits } from "../limits.ts";
import { pendingCallText } from "../format.ts";
import type { ExecutionEventHandler } from "../events.ts";

/** The part of `Codemode` a face that resumes uses: {@linkcode CodemodeLike} and `resume`. */
export interface ResumableCodemode extends CodemodeLike {
  /** Continues a paused execution with a decision for each of its pending calls (`Codemode.resume`). */
  resume(
    continuation: string,
    decisions: Record<string, ApprovalDecision>,
    options?: RunOptions & { limits?: Partial<Limits>; onEvent?: ExecutionEventHandler },
  ): Promise<ExecutionResult>;
}

/**
 * The paused part of a tool output, read defensively: outputs come back from
 * stored messages, so anything that is not a paused result is `undefined`.
 *
 * @param output a Codemode tool's output, normally an {@linkcode ExecutionResult}.
 * @returns the continuation and the pending calls, when the execution paused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pausedOf } from "./_pause.ts";
 * assert.equal(pausedOf({ stopReason: "completed" }), undefined);
 * const paused = { continuation: "t", pending: [], expiresAt: "2030-01-01T00:00:00.000Z" };
 * assert.deepEqual(pausedOf({ stopReason: "paused", paused }), paused);
 * ```
 */
export function pausedOf(output: unknown): PausedExecution | undefined {
  if (typeof output !== "object" || output === null) return undefined;
  const { stopReason, paused } = output as { stopReason?: unknown; paused?: unknown };
  if (stopReason !== "paused" || typeof paused !== "object" || paused === null) return undefined;
  const { continuation, pending } = paused as { continuation?: unknown; pending?: unknown };
  return typeof continuation === "string" && Array.isArray(pending) ? paused as PausedExecution : undefined;
}

/**
 * A person's answer, as the faces take it: `true` or `false` for every
 * pending call at once, or an object naming calls by id, each `true`,
 * `false` or an {@linkcode ApprovalDecision}. A call the answer does not
 * approve is rejected: nothing runs that no one said yes to.
 */
export type ApprovalAnswer = boolean | Record<string, boolean | ApprovalDecision>;

/**
 * One decision per pending call from a person's answer (see {@linkcode ApprovalAnswer}).
 *
 * @param pending the calls waiting for a decision.
 * @param answer what the person answered (anything else rejects every call).
 * @returns the decisions, by pending id (an object without a prototype).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decisionsFrom } from "./_pause.ts";
 * const pending = [{ id: "a" }, { id: "b" }];
 * assert.deepEqual({ ...decisionsFrom(pending, true) }, { a: { approved: true }, b: { approved: true } });
 * assert.deepEqual({ ...decisionsFrom(pending, { a: true, b: { approved: false, reason: "too much" } }) }, {
 *   a: { approved: true },
 *   b: { approved: false, reason: "too much" },
 * });
 * assert.deepEqual(decisionsFrom(pending, { a: true }).b, { approved: false, reason: "no decision was given for it" });
 * ```
 */
export function decisionsFrom(
  pending: readonly Pick<PendingApproval, "id">[],
  answer: unknown,
): Record<string, ApprovalDecision> {
  // No prototype: an id such as `__proto__` is a key like any other.
  const decisions: Record<string, ApprovalDecision> = Object.create(null);
  for (const { id } of pending) decisions[id] = decisionOf(answerFor(answer, id));
  return decisions;
}

function answerFor(answer: unknown, id: string): unknown {
  if (typeof answer === "boolean") return answer;
  if (typeof answer !== "object" || answer === null || !Object.hasOwn(answer, id)) return undefined;
  return (answer as Record<string, unknown>)[id];
}

function decisionOf(given: unknown): ApprovalDecision {
  if (given === true) return { approved: true };
  if (given === false) return { approved: false };
  if (typeof given === "object" && given !== null) {
    const { approved, reason } = given as { approved?: unknown; reason?: unknown };
    if (approved === true) return { approved: true };
    if (approved === false) return typeof reason === "string" ? { approved: false, reason } : { approved: false };
  }
  return { approved: false, reason: "no decision was given for it" };
}

/**
 * The pending calls of a paused execution as a person reads them: one line each, `id: tools.x({...})`.
 *
 * @param pending the calls waiting for a decision.
 * @returns the lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describePending } from "./_pause.ts";
 * const line = describePending([{ id: "p1", tool: "orders.refund", input: { id: "A-7" } }]);
 * assert.equal(line, 'p1: tools.orders.refund({"id":"A-7"})');
 * ```
 */
export function describePending(pending: readonly Pick<PendingApproval, "id" | "tool" | "input">[]): string {
  return pending.map((call) => `${call.id}: ${pendingCallText(call)}`).join("\n");
}

/**
 * Resumes a paused execution for a framework face: like `runScript`, an
 * error the framework must see (`run.rethrow`) is rethrown, and anything
 * else `resume` throws (a continuation that expired, was tampered with, or
 * was made with another key) becomes a `rejected` result the model reads.
 *
 * @param codemode the instance that resumes.
 * @param continuation the paused execution's continuation.
 * @param decisions one decision per pending call.
 * @param options the tool's limits.
 * @param run what the framework hands this run: signal, context, call id, errors to rethrow.
 * @returns the resumed execution's result.
 * @throws the error a handler or the approver threw, when `run.rethrow` accepts it.
 */
export async function resumeScript(
  codemode: ResumableCodemode,
  continuation: string,
  decisions: Record<string, ApprovalDecision>,
  options: CodemodeToolOptions,
  run: RunOptions,
): Promise<ExecutionResult> {
  try {
    return await codemode.resume(continuation, decisions, {
      ...run,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } catch (e) {
    if (run.rethrow?.(e)) throw e;
    return e instanceof Error ? rejectedResult(e.name, e.message) : rejectedResult("Error", String(e));
  }
}
