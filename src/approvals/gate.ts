/**
 * The approval gate of one tool call: what runs between the call's validated
 * input and its handler. It asks the approver (the execution's timeout
 * stopped meanwhile), leaves the call waiting for a decision when no one
 * answers now (the execution then pauses), or applies the decision a resume
 * was given.
 *
 * @module
 */
import {
  type Approver,
  decideApproval,
  laterRefusal,
  MAX_REFUSAL_CHARS,
  type NeedsApproval,
} from "../tools/approval.ts";
import { ToolError } from "../tools/run.ts";
import type { ExecutionClock } from "../executor.ts";
import type { ApprovalReason } from "../rpc/result.ts";
import type { ExecutionRecorder, Step } from "./recorder.ts";

/** What the calls of one execution share. */
export interface GateScope {
  /** The execution's id. */
  executionId: string;
  /** The approver that decides now, if any. */
  approver: Approver | undefined;
  /** Stopped while the approver is asked. */
  clock: ApprovalClock;
  /** The record, when the execution may pause. */
  recorder: ExecutionRecorder | undefined;
  /** Why the execution cannot pause, when it has no recorder. */
  cannotPause: string;
  /** The longest wait for the approver's answer. */
  timeoutMs: number;
}

/** One call, as the gate sees it. */
export interface GatedCall {
  /** The name the script called. */
  name: string;
  /** The tool's registered name. */
  tool: string;
  /** `true` to ask in any case, or the tool's own requirement. */
  check: NeedsApproval<never>;
  /** Why it needs approval, for a pending call. */
  reason: ApprovalReason;
  /** What the recorder said of it, when the execution is recorded. */
  step: Step | undefined;
  /** The call's id and context, as its handler sees them. */
  toolCallId: string;
  /** The caller's context. */
  context: unknown;
  /** Fires when the execution ends. */
  signal: AbortSignal;
  /** Told when the call is refused. */
  onRefused: () => void;
}

/**
 * The authorization of a call: `undefined` when it needs none.
 *
 * @param scope the execution's side.
 * @param call the call.
 * @returns what `runToolCall` awaits before the handler runs, or `undefined`.
 */
export function approvalGate(scope: GateScope, call: GatedCall): ((input: unknown) => Promise<void>) | undefined {
  const { step } = call;
  const refuse = (reason: string): never => {
    call.onRefused();
    throw new ToolError(`tools.${call.name} was not run: ${reason}`);
  };
  if (step?.kind === "decided") {
    const { decision } = step;
    return () => {
      try {
        if (!decision.approved) refuse(decision.reason ?? "the approval was rejected");
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    };
  }
  if (call.check === false) return undefined;
  return async (input) => {
    const request = {
      tool: call.tool,
      input,
      executionId: scope.executionId,
      signal: call.signal,
      toolCallId: call.toolCallId,
      context: call.context,
    };
    const decided = await scope.clock.hold(() => decideApproval(scope.approver, request, call.check, scope.timeoutMs));
    if (decided.verdict === "run") return;
    if (decided.verdict === "refused") return refuse(decided.reason);
    const recorder = scope.recorder;
    const cannotPause = recorder ? recorder.whyNotPausable() : scope.cannotPause;
    if (!recorder || cannotPause !== undefined || step?.kind !== "live") {
      return refuse(laterRefusal(decided.why, cannotPause, scope.timeoutMs).slice(0, MAX_REFUSAL_CHARS));
    }
    const approval = {
      id: approvalId(),
      tool: call.tool,
      input: jsonSafe(input),
      reason: call.reason,
      toolCallId: call.toolCallId,
    };
    await recorder.defer(step.index, approval, call.signal);
  };
}

/** The execution's clock, stopped while any call's approver is asked. */
export class ApprovalClock implements ExecutionClock {
  #asking = 0;
  readonly #listeners = new Set<() => void>();

  /** Whether an approver is being asked. */
  get stopped(): boolean {
    return this.#asking > 0;
  }

  /**
   * Calls `listener` at each stop and start.
   *
   * @param listener the listener.
   * @returns what removes it.
   */
  onChange(listener: () => void): () => void {
    const own = () => listener();
    this.#listeners.add(own);
    return () => void this.#listeners.delete(own);
  }

  /**
   * Runs `work` with the clock stopped.
   *
   * @param work the approver's wait.
   * @returns what `work` resolves to.
   */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    if (this.#asking++ === 0) this.#notify();
    try {
      return await work();
    } finally {
      if (--this.#asking === 0) this.#notify();
    }
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

function approvalId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return "ap_" + btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

// The validated input, as JSON can carry it (a zod transform may have made a bigint or a Date).
function jsonSafe(value: unknown): unknown {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? null : JSON.parse(json);
  } catch {
    return "(an input that cannot be shown as JSON)";
  }
}
