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
  /**
   * Claims a continuation as it is resumed: answers `true` the first time it is given an id, `false` after,
   * so that a continuation resumes once (a second resume would run its approved calls again). The default
   * remembers the continuations this process resumed ({@linkcode memoryClaims}) until they expire; give one
   * over shared storage (an insert into a table with a unique key, a Redis `SET NX`) for once across restarts
   * and hosts too. Library only. @default {memoryClaims()}
   */
  claim?: ContinuationClaim;
}

/** See {@linkcode ApprovalsOptions.claim}: `true` when `id` had not been claimed before. */
export type ContinuationClaim = (id: string, expiresAt: Date) => boolean | Promise<boolean>;

/** The most resumed continuations {@linkcode memoryClaims} remembers at once. */
export const MAX_REMEMBERED_CLAIMS = 100_000;

/**
 * The default {@linkcode ContinuationClaim}: this process's memory of the continuations it resumed, each kept
 * until it expires (past {@linkcode MAX_REMEMBERED_CLAIMS}, the oldest is forgotten first).
 *
 * @param max the most it remembers.
 * @returns the claim.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryClaims } from "./options.ts";
 * const claim = memoryClaims();
 * const later = new Date(Date.now() + 60_000);
 * assert.equal(claim("ap_1", later), true);
 * assert.equal(claim("ap_1", later), false);
 * ```
 */
export function memoryClaims(max: number = MAX_REMEMBERED_CLAIMS): ContinuationClaim {
  const claimed = new Map<string, number>();
  return (id, expiresAt) => {
    const now = Date.now();
    if ((claimed.get(id) ?? -Infinity) > now) return false;
    claimed.delete(id);
    claimed.set(id, expiresAt.getTime());
    // Claims are made in about the order their continuations expire: the oldest go first.
    for (const [old, expiry] of claimed) {
      if (expiry > now && claimed.size <= max) break;
      claimed.delete(old);
    }
    return true;
  };
}

/** The defaults of {@linkcode ApprovalsOptions}. */
export const DEFAULT_APPROVALS: Readonly<Required<Omit<ApprovalsOptions, "key" | "claim">>> = Object.freeze({
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveApprovals } from "./options.ts";
 * assert.equal(resolveApprovals({ timeoutMs: 1000 }).timeoutMs, 1000);
 * assert.throws(() => resolveApprovals({ continuationTtlMs: 0 }), /approvals\.continuationTtlMs/);
 * ```
 */
export function resolveApprovals(options: ApprovalsOptions = {}): Required<Omit<ApprovalsOptions, "key" | "claim">> {
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchDecisions } from "./options.ts";
 * const pending = [{ id: "ap_1", tool: "a.b", input: {}, reason: { kind: "needsApproval" as const }, toolCallId: "x:1" }];
 * assert.deepEqual(matchDecisions(pending, { ap_1: { approved: true } }).get("ap_1"), { approved: true });
 * assert.throws(() => matchDecisions(pending, { ap_2: { approved: true } }), /No pending approval "ap_2"/);
 * ```
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
