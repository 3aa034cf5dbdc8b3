/**
 * Small promise helpers for the MCP client: timeouts that never outlive what
 * they guard, and waits that a signal can abandon.
 *
 * @module
 */

/**
 * Resolves after `ms` milliseconds (at once for 0 or less).
 *
 * @example
 * ```ts
 * import { sleep } from "./async.ts";
 * await sleep(1);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * Rejects with `message` when the promise takes longer than `ms`; the timer
 * is cleared as soon as either settles, so it never keeps the process alive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withTimeout } from "./async.ts";
 * await assert.rejects(withTimeout(new Promise(() => {}), 5, "too slow"), /too slow/);
 * assert.equal(await withTimeout(Promise.resolve(1), 5, "too slow"), 1);
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Waits for a shared promise, giving up when the signal aborts without
 * cancelling the promise (others may still be waiting for it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortable } from "./async.ts";
 * const ac = new AbortController();
 * const waiting = abortable(new Promise(() => {}), ac.signal);
 * ac.abort(new Error("gave up"));
 * await assert.rejects(waiting, /gave up/);
 * ```
 */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
