/**
 * The limits one execution runs under, their defaults, and how overrides are
 * merged. Settings of a whole executor (`maxConcurrent`, `maxQueued`) are not
 * limits: they are options of the executor (`LocalExecutorOptions`).
 *
 * @module
 */

/** Limits every execution runs under. Each has a safe default. */
export interface Limits {
  /** Wall-clock time for the whole execution, in ms. @default {30000} */
  timeoutMs: number;
  /** V8 heap cap of the sandbox child, in MiB. @default {128} */
  memoryMb: number;
  /**
   * Resident memory of the sandbox process, in MiB, polled every 25 ms on
   * Linux: catches ArrayBuffers and WebAssembly memory outside the V8 heap.
   * @default {512}
   */
  maxRssMb: number;
  /** Largest script accepted, in bytes. @default {100000} */
  maxCodeBytes: number;
  /** Captured log text kept, in bytes; the rest is dropped with a marker. @default {65536} */
  maxLogBytes: number;
  /**
   * Longest single log line, in characters; a longer one is cut with a
   * marker (by the child, and again by the host's `maxLogBytes`). @default {16384}
   */
  maxLogLineBytes: number;
  /** Largest JSON result kept, in bytes; larger ones become a preview. @default {1048576} */
  maxResultBytes: number;
  /** All bytes the child may write (protocol and raw); past it the child is killed. @default {16777216} */
  maxOutputBytes: number;
  /** Tool calls one execution may make. @default {1000} */
  maxToolCalls: number;
  /**
   * Characters of tool-call frames (their JSON inputs) in flight at once in
   * one execution. Past it the execution ends with stopReason
   * `tool_input_limit`. @default {4194304}
   */
  maxToolInputBytes: number;
  /**
   * JSON values (containers, elements, properties) of the tool inputs in
   * flight at once in one execution, counted before they are parsed: with
   * `maxToolInputBytes` this bounds the host memory one execution's tool
   * inputs hold. Past it the execution ends with stopReason
   * `tool_input_limit`. @default {20000}
   */
  maxToolInputValues: number;
  /** Time one tool call may take, in ms, unless the tool sets its own. @default {10000} */
  toolTimeoutMs: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  timeoutMs: 30_000,
  memoryMb: 128,
  maxRssMb: 512,
  maxCodeBytes: 100_000,
  maxLogBytes: 65_536,
  maxLogLineBytes: 16_384,
  maxResultBytes: 1_048_576,
  maxOutputBytes: 16_777_216,
  maxToolCalls: 1_000,
  maxToolInputBytes: 4_194_304,
  maxToolInputValues: 20_000,
  toolTimeoutMs: 10_000,
});

/** Settings of a whole executor, which one execution cannot change. */
const EXECUTOR_SETTINGS: Record<string, string> = {
  maxConcurrent: "new LocalExecutor({ maxConcurrent })",
  maxQueued: "new LocalExecutor({ maxQueued })",
};

/**
 * Merges limit overrides onto a base, rejecting values that are not positive numbers.
 *
 * @param base the limits to start from.
 * @param overrides the limits to change.
 * @returns the merged limits.
 * @throws {RangeError} naming the limit and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS, resolveLimits } from "./limits.ts";
 * assert.equal(resolveLimits(DEFAULT_LIMITS, { timeoutMs: 5 }).timeoutMs, 5);
 * assert.throws(() => resolveLimits(DEFAULT_LIMITS, { timeoutMs: -1 }), /timeoutMs/);
 * // Executor-wide settings are not per-run limits: never silently ignored.
 * assert.throws(() => resolveLimits(DEFAULT_LIMITS, { maxConcurrent: 2 } as never), /LocalExecutor/);
 * ```
 */
export function resolveLimits(
  base: Readonly<Limits>,
  overrides: Partial<Limits> = {},
): Limits {
  const limits = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (key in EXECUTOR_SETTINGS) {
      throw new RangeError(
        `"${key}" is a setting of the whole executor, not a limit of one execution: pass it to ${
          EXECUTOR_SETTINGS[key]
        } (or executor.${key} in codemode.yaml)`,
      );
    }
    if (!Object.hasOwn(base, key)) {
      throw new RangeError(`Unknown limit "${key}"; the limits are: ${Object.keys(base).join(", ")}`);
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        `Limit ${key} must be a positive number, got ${JSON.stringify(value)}`,
      );
    }
    limits[key as keyof Limits] = value;
  }
  return limits;
}
