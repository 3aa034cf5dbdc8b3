/**
 * Approvals: a tool's own requirement (`needsApproval` on `defineTool`, or
 * imported with an AI SDK tool), the host's approver, and how one call is
 * decided. Every way a call can go unapproved is a refusal the script reads
 * as `tools.x was not run: <why>`; nothing runs unless an approver said yes.
 *
 * @module
 */
import type { ToolPolicy } from "./policy.ts";

/** A call waiting for approval. */
export interface ApprovalRequest {
  /** The tool's name. */
  tool: string;
  /** The validated input. */
  input: unknown;
  /** The execution that made the call. */
  executionId: string;
  /** Fires when the execution ends: no answer is used after that, so stop asking. */
  signal: AbortSignal;
  /** The call's id, as its handler would see it (`ctx.toolCallId`). */
  toolCallId?: string;
  /** The execution's context (`execute(code, { context })`), as its handler would see it. */
  context?: unknown;
}

/**
 * Decides whether a call that needs approval may run. Only `true` approves;
 * `"later"` leaves the decision to someone else: the execution pauses (see
 * `Codemode.resume`) where it can, and the call is refused where it cannot;
 * `false`, any other value, or an error refuses. Throw {@linkcode ApprovalRefused}
 * to refuse with a reason the script reads.
 */
export type Approver = (request: ApprovalRequest) => ApproverAnswer | Promise<ApproverAnswer>;

/** What an {@linkcode Approver} answers: `true` runs the call, `"later"` defers it, anything else refuses. */
export type ApproverAnswer = boolean | "later";

/**
 * How one call that may need approval was decided: run it, refuse it, or leave it for later (no approver,
 * the approver said `"later"`, or it gave no answer in time).
 */
export type ApprovalVerdict =
  | { verdict: "run" }
  | { verdict: "refused"; reason: string }
  | { verdict: "later"; why: "no approver" | "deferred" | "timeout" };

/** What a `needsApproval` check gets besides the input. */
export interface ApprovalCheckContext {
  /** The execution that made the call. */
  executionId: string;
  /** The tool's name. */
  tool: string;
  /** The call's id, as its handler would see it. */
  toolCallId?: string;
  /** The execution's context, as its handler would see it. */
  context?: unknown;
}

/**
 * A tool's own approval requirement. `true`: every call is put to the
 * approver. A function of the validated input: a call is put to the approver
 * unless it returns `false` (a check that throws refuses the call). `false`:
 * none of its own (the configured policy applies).
 */
export type NeedsApproval<I = unknown> =
  | boolean
  | ((input: I, context: ApprovalCheckContext) => boolean | Promise<boolean>);

/**
 * Thrown by an {@linkcode Approver} to refuse a call with a reason: the
 * script reads `tools.x was not run: <message>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ApprovalRefused, approvalRefusal } from "./approval.ts";
 * const request = { tool: "a.b", input: {}, executionId: "x", signal: new AbortController().signal };
 * const approver = () => {
 *   throw new ApprovalRefused("nobody is on call");
 * };
 * assert.equal(await approvalRefusal(approver, request), "nobody is on call");
 * ```
 */
export class ApprovalRefused extends Error {
  /** Always `ApprovalRefused`. */
  override name = "ApprovalRefused";
}

/** The longest reason of a refusal the script reads. */
export const MAX_REFUSAL_CHARS = 1000;

/**
 * The policy of a tool: the configured one, tightened by the tool's own
 * `needsApproval`. A configured `deny` wins; otherwise a tool that needs
 * approval is `approve`, even where the configuration says `allow`.
 *
 * @param configured the policy from the rules (`allow` when none matches).
 * @param needsApproval the tool's own requirement, if any.
 * @returns the policy that applies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { effectivePolicy } from "./approval.ts";
 * assert.equal(effectivePolicy("allow", true), "approve");
 * assert.equal(effectivePolicy("allow", () => false), "approve"); // asked per call
 * assert.equal(effectivePolicy("deny", true), "deny");
 * assert.equal(effectivePolicy("allow", false), "allow");
 * ```
 */
export function effectivePolicy(configured: ToolPolicy, needsApproval: NeedsApproval<never> | undefined): ToolPolicy {
  if (configured === "deny" || needsApproval === undefined || needsApproval === false) return configured;
  return "approve";
}

/**
 * Decides one call that may need approval: runs the tool's check (when
 * `needsApproval` is a function), then asks the approver. Waits no longer
 * than the execution: when `request.signal` fires, the call is refused
 * whatever the approver is still doing.
 *
 * @param approver the host's hook, if any.
 * @param request the tool, its validated input, the execution and its signal.
 * @param needsApproval `true` (the default) to ask in any case, or the tool's own check.
 * @returns `undefined` when the call may run, or why not (a call left for later is refused too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { approvalRefusal } from "./approval.ts";
 * const req = { tool: "a.b", input: { n: 1 }, executionId: "x", signal: new AbortController().signal };
 * assert.equal(await approvalRefusal(() => true, req), undefined);
 * assert.equal(await approvalRefusal(() => false, req), "the approver refused it");
 * assert.match((await approvalRefusal(undefined, req))!, /no approver/);
 * // A check that answers false lets the call run without asking.
 * assert.equal(await approvalRefusal(undefined, req, (input: { n: number }) => input.n > 10), undefined);
 * ```
 */
export async function approvalRefusal(
  approver: Approver | undefined,
  request: ApprovalRequest,
  needsApproval: NeedsApproval<never> = true,
): Promise<string | undefined> {
  const decided = await decideApproval(approver, request, needsApproval);
  if (decided.verdict === "run") return undefined;
  return decided.verdict === "refused" ? decided.reason : laterRefusal(decided.why);
}

/**
 * Why a call left for later was refused, when the execution cannot pause.
 *
 * @param why why it was left for later.
 * @param cannotPause why the execution cannot pause, if known.
 * @param timeoutMs the approval timeout, for `timeout`.
 * @returns the reason the script reads.
 */
export function laterRefusal(
  why: "no approver" | "deferred" | "timeout",
  cannotPause?: string,
  timeoutMs?: number,
): string {
  const first = why === "no approver"
    ? "it needs approval and no approver is configured"
    : why === "deferred"
    ? "the approver deferred it"
    : `the approver gave no answer within ${timeoutMs} ms (approvals.timeoutMs)`;
  return cannotPause ? `${first}, and the execution cannot pause: ${cannotPause}` : first;
}

/**
 * Decides one call that may need approval, like {@linkcode approvalRefusal}, telling a call left for later
 * (no approver, `"later"`, no answer within `timeoutMs`) from a refusal.
 *
 * @param approver the host's hook, if any.
 * @param request the tool, its validated input, the execution and its signal.
 * @param needsApproval `true` to ask in any case, or the tool's own check.
 * @param timeoutMs the longest wait for the approver's answer. @default {no limit but the execution's end}
 * @returns the verdict.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decideApproval } from "./approval.ts";
 * const req = { tool: "a.b", input: {}, executionId: "x", signal: new AbortController().signal };
 * assert.deepEqual(await decideApproval(() => "later", req), { verdict: "later", why: "deferred" });
 * assert.deepEqual(await decideApproval(undefined, req), { verdict: "later", why: "no approver" });
 * assert.deepEqual(await decideApproval(() => new Promise(() => {}), req, true, 10), { verdict: "later", why: "timeout" });
 * ```
 */
export async function decideApproval(
  approver: Approver | undefined,
  request: ApprovalRequest,
  needsApproval: NeedsApproval<never> = true,
  timeoutMs?: number,
): Promise<ApprovalVerdict> {
  if (needsApproval === false) return { verdict: "run" };
  if (typeof needsApproval === "function") {
    const check = needsApproval as (input: unknown, context: ApprovalCheckContext) => boolean | Promise<boolean>;
    const { executionId, tool, toolCallId, context: given } = request;
    const context: ApprovalCheckContext = { executionId, tool, toolCallId, context: given };
    try {
      // Only an explicit false skips the approver: a check that returns nothing by mistake still asks.
      if (await untilEnd(() => check(request.input, context), request.signal) === false) return { verdict: "run" };
    } catch (e) {
      const reason = e instanceof ExecutionEnded ? e.message : cut(`its needsApproval check failed: ${messageOf(e)}`);
      return { verdict: "refused", reason };
    }
  }
  if (!approver) return { verdict: "later", why: "no approver" };
  try {
    const answer = await untilEnd(() => approver(request), request.signal, timeoutMs);
    if (answer === true) return { verdict: "run" };
    if (answer === "later") return { verdict: "later", why: "deferred" };
    return { verdict: "refused", reason: "the approver refused it" };
  } catch (e) {
    if (e instanceof ApprovalTimedOut) return { verdict: "later", why: "timeout" };
    if (e instanceof ExecutionEnded) return { verdict: "refused", reason: e.message };
    if (e instanceof ApprovalRefused) return { verdict: "refused", reason: cut(e.message) };
    return { verdict: "refused", reason: cut(`the approver failed: ${messageOf(e)}`) };
  }
}

class ApprovalTimedOut extends Error {}

class ExecutionEnded extends Error {
  constructor() {
    super("the execution ended before it was approved");
  }
}

/**
 * Runs `work`, settling with it or, when `signal` fires first, with {@linkcode ExecutionEnded}, or after
 * `timeoutMs` with {@linkcode ApprovalTimedOut}.
 */
function untilEnd<T>(work: () => T | Promise<T>, signal: AbortSignal, timeoutMs?: number): Promise<T> {
  if (signal.aborted) return Promise.reject(new ExecutionEnded());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ExecutionEnded());
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => reject(new ApprovalTimedOut()), timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve().then(work).then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    });
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function cut(text: string): string {
  return text.length <= MAX_REFUSAL_CHARS ? text : `${text.slice(0, MAX_REFUSAL_CHARS)}… [truncated]`;
}
