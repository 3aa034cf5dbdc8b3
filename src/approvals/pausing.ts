/**
 * What a `Codemode` needs to pause executions and resume them: its approvals
 * settings and continuation key, a record for each execution that may pause,
 * and the continuation of one that did.
 *
 * @module
 */
import { type ExecutionResult, hostError } from "../rpc/result.ts";
import { ContinuationError, ContinuationSealer } from "./continuation.ts";
import {
  type ApprovalDecision,
  type ApprovalsOptions,
  type ContinuationClaim,
  matchDecisions,
  memoryClaims,
  resolveApprovals,
} from "./options.ts";
import { ExecutionRecorder, type Replay } from "./recorder.ts";

/** Room in a continuation for the header, the pending calls and the base64 of the record. */
const OVERHEAD_CHARS = 8192;

/** The approvals side of one `Codemode`. */
export class Pausing {
  /** The settings, with their defaults. */
  readonly settings: ReturnType<typeof resolveApprovals>;
  /** Whether continuations are sealed with a configured key (another process with it can resume them). */
  readonly keyed: boolean;
  readonly #sealer: ContinuationSealer;
  readonly #claim: ContinuationClaim;

  /**
   * @param options the `approvals` option.
   * @throws {RangeError} on a setting out of range or a key too short.
   */
  constructor(options: ApprovalsOptions | undefined) {
    this.settings = resolveApprovals(options);
    this.#sealer = new ContinuationSealer(options?.key);
    this.keyed = options?.key !== undefined;
    this.#claim = options?.claim ?? memoryClaims();
  }

  /**
   * Opens a continuation, matches the decisions with its pending calls, and claims it (it resumes once).
   *
   * @returns the record to replay.
   * @throws {ContinuationError} naming what is wrong, or saying that it was resumed already.
   */
  async open(continuation: string, decisions: Record<string, ApprovalDecision>): Promise<Replay> {
    const { payload, expiresAt } = await this.#sealer.open(continuation, this.settings.maxContinuationBytes);
    const matched = matchDecisions(payload.pending, decisions);
    // The pending ids are random and new at every pause: the first names this continuation.
    if (await this.#claim(payload.pending[0]?.id ?? "", expiresAt) !== true) {
      throw new ContinuationError(
        "The continuation was resumed already: it resumes once (resuming it again would run its approved calls " +
          "again); run the script again for a new one",
      );
    }
    return { payload, decisions: matched };
  }

  /**
   * The record of an execution: its tool calls and values read, bounded so that its continuation fits.
   *
   * @param code the script.
   * @param correlationId the correlation id resumes keep.
   * @param replay the record to replay, for a resume.
   * @returns the recorder.
   */
  recorder(code: string, correlationId: string, replay: Replay | undefined): ExecutionRecorder {
    const budget = Math.floor(this.settings.maxContinuationBytes * 0.74) - code.length - OVERHEAD_CHARS;
    return new ExecutionRecorder(code, correlationId, Math.max(0, budget), replay);
  }

  /**
   * A recorded execution's final result: a paused one gets its continuation; a resumed one that completed
   * before its replay did diverged.
   *
   * @param result what the executor returned.
   * @param recorder its record.
   * @returns the result.
   */
  async finish(result: ExecutionResult, recorder: ExecutionRecorder): Promise<ExecutionResult> {
    const unfinished = result.stopReason === "completed" ? recorder.unfinishedReplay() : undefined;
    if (unfinished) {
      const { result: _, ...rest } = result;
      return { ...rest, ok: false, stopReason: "error", error: hostError("DivergenceError", unfinished) };
    }
    const payload = recorder.paused;
    if (result.stopReason !== "paused" || !payload) return result;
    const { token, expiresAt } = await this.#sealer.seal(payload, this.settings.continuationTtlMs);
    const max = this.settings.maxContinuationBytes;
    if (token.length > max) {
      const message = `The execution paused for approval, but its continuation is ${token.length} characters, ` +
        `over the ${max} limit (approvals.maxContinuationBytes)`;
      return { ...result, stopReason: "error", error: hostError("OutputLimitError", message) };
    }
    return { ...result, paused: { continuation: token, pending: payload.pending, expiresAt: expiresAt.toISOString() } };
  }
}
