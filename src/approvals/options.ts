/**
 * The settings of approvals that pause and resume, and the decisions a
 * resume is given.
 *
 * @module
 */
import type { PendingApproval } from "../rpc/result.ts";
import { ContinuationError } from "./continuation.ts";

/** A person's decision on one pending call: run it, or refuse it (the script reads the reason). */
export type ApprovalDecision = { approved: true } | { approved: false; reason?: string };

/** Options of approvals (`Codemode`'s `approvals`, `codemode.yaml`'s `approvals:`). */
export interface ApprovalsOptions {
  /**
   * The secret continuations are sealed with (AES-256-GCM, key derived by HKDF), at least 32 characters; the
   * same wherever a continuation may be resumed. Without it, a random key of this process: a continuation
   * cannot be resumed after a restart or on another host. @default {a random key per process}
   */
  key?: string;
  /**
   * Longest wait for the approver's answer to one call, in ms; then the call is left for later (the execution
   * pauses where it can). The execution's timeout does not run meanwhile. @default {300000}
   */
  timeoutMs?: number;
  /** How long a continuation can be resumed, in ms. @default {86400000} */
  continuationTtlMs?: number;
  /**
   * The largest continuation, in characters: an execution whose record (tool inputs and results, values read)
   * would not fit cannot pause, and its calls that need approval are refused, saying so. @default {1048576}
   */
  maxContinuationBytes?: number;
}

/** The defaults of {@linkcode ApprovalsOptions}. */
export const DEFAULT_APPROVALS: Readonly<Required<Omit<ApprovalsOptions, "key">>> = Object.freeze({
  timeoutMs: 300_000,
  continuationTtlMs: 86_400_000,
  maxContinuationBytes: 1_048_576,
});

/** The most decisions one resume takes. */
const MAX_DECISIONS = 1000;
const MAX_REASON_CHARS = 1000;

/**
 * Checks the settings.
 *
 * @param options the settings given.
 * @returns them with the defaults.
 * @throws {RangeError} naming the setting out of range.
 */
export function resolveApprovals(options: ApprovalsOptions = {}): Required<Omit<ApprovalsOptions, "key">> {
  const resolved = { ...DEFAULT_APPROVALS };
  for (const name of ["timeoutMs", "continuationTtlMs", "maxContinuationBytes"] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1 || value > 2 ** 31 * 1000) {
      throw new RangeError(`approvals.${name} must be a whole number above 0, got ${JSON.stringify(value)}`);
    }
    resolved[name] = value;
  }
  if (resolved.maxContinuationBytes < 4096) {
    throw new RangeError(`approvals.maxContinuationBytes must be at least 4096, got ${resolved.maxContinuationBytes}`);
  }
  return resolved;
}

/**
 * Matches the decisions given to a resume with the pending calls: one for each, none for anything else.
 *
 * @param pending the continuation's pending calls.
 * @param decisions approval id → decision.
 * @returns the decisions by id.
 * @throws {ContinuationError} naming an unknown id, a pending call without a decision, or a malformed decision.
 */
export function matchDecisions(pending: PendingApproval[], decisions: unknown): Map<string, ApprovalDecision> {
  if (typeof decisions !== "object" || decisions === null || Array.isArray(decisions)) {
    throw new ContinuationError("The decisions must be an object: approval id → { approved: true | false }");
  }
  const entries = Object.entries(decisions);
  if (entries.length > MAX_DECISIONS) throw new ContinuationError(`More than ${MAX_DECISIONS} decisions`);
  const ids = new Set(pending.map((p) => p.id));
  const matched = new Map<string, ApprovalDecision>();
  for (const [id, decision] of entries) {
    const shown = JSON.stringify(id.slice(0, 80));
    if (!ids.has(id)) {
      throw new ContinuationError(
        `No pending approval ${shown} in this continuation (its ids: ${[...ids].join(", ")})`,
      );
    }
    matched.set(id, checkDecision(decision, shown));
  }
  const missing = pending.filter((p) => !matched.has(p.id));
  if (missing.length > 0) {
    throw new ContinuationError(
      `No decision for ${missing.map((p) => `${p.id} (tools.${p.tool})`).join(", ")}: every pending call must be ` +
        "approved or rejected",
    );
  }
  return matched;
}

function checkDecision(decision: unknown, id: string): ApprovalDecision {
  const d = decision as { approved?: unknown; reason?: unknown } | null;
  if (typeof d !== "object" || d === null || typeof d.approved !== "boolean") {
    throw new ContinuationError(`The decision for ${id} must be { approved: true } or { approved: false, reason? }`);
  }
  if (d.approved) return { approved: true };
  if (d.reason !== undefined && typeof d.reason !== "string") {
    throw new ContinuationError(`The reason of the decision for ${id} must be a string`);
  }
  const reason = typeof d.reason === "string" && d.reason.trim() !== ""
    ? d.reason.slice(0, MAX_REASON_CHARS)
    : undefined;
  return reason === undefined ? { approved: false } : { approved: false, reason };
}
