/**
 * A `fetch` for the MCP SDK v2's HTTP client transport on Deno. In the
 * 2026-07-28 era a client cancels a request by closing its HTTP stream: the
 * transport aborts the signal it gave `fetch`. On Deno (2.9) that abort can
 * be lost once the `fetch` promise has settled: the signals `fetch` and
 * `AbortSignal.any` derive from it are held only weakly (denoland/deno#29075),
 * so after a garbage collection the response stream stays open and the
 * server never learns that the call was cancelled (seen in this project's
 * tests: an SDK v2 client's cancelled call left its sandbox running). This
 * fetch holds each request's signal itself and, when it aborts, cancels the
 * response body, which closes the connection.
 *
 * @module
 */

/** A `fetch` that the SDK transports accept. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Signals of requests whose responses are still being read. */
const held = new Set<AbortSignal>();

/**
 * Wraps `fetch` so that aborting a request's signal also cancels its
 * response body, however long after the response arrived; the signal is held
 * until the body ended, was cancelled, or the signal aborted.
 *
 * @param inner the fetch to wrap. @default {globalThis.fetch}
 * @returns the wrapped fetch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchKeepingSignals } from "./_fetch.ts";
 * const ac = new AbortController();
 * const res = await fetchKeepingSignals(async () => new Response("hi"))("http://localhost/", { signal: ac.signal });
 * assert.equal(await res.text(), "hi");
 * ```
 */
export function fetchKeepingSignals(inner: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const signal = init?.signal;
    if (!signal || signal.aborted) return await inner(url, init);
    held.add(signal);
    const release = () => void held.delete(signal);
    signal.addEventListener("abort", release, { once: true });
    let res: Response;
    try {
      res = await inner(url, init);
    } catch (e) {
      release();
      throw e;
    }
    if (res.body === null) {
      release();
      return res;
    }
    const reader = res.body.getReader();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const onAbort = () => {
      release();
      reader.cancel(signal.reason).catch(() => {});
      try {
        controller.error(signal.reason);
      } catch {
        // Already closed or errored.
      }
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const end = () => {
      signal.removeEventListener("abort", onAbort);
      release();
    };
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      async pull(c) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            end();
            c.close();
          } else {
            c.enqueue(value);
          }
        } catch (e) {
          end();
          c.error(e);
        }
      },
      cancel(reason) {
        end();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
