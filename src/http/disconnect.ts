/**
 * Tells a server when a client goes away before its response is complete:
 * the connection dropped, or the response stream was cancelled.
 *
 * @module
 */

/**
 * Calls `gone` once if the client goes away before `res` has been sent in
 * full, and returns the response to send in its place (the same status and
 * headers; the body is passed through unchanged).
 *
 * Deno cancels a response's body stream when the connection drops, whether
 * before the handler returned or while the body is streamed; that is what
 * is watched. `request.signal` is not used: Deno 2 also aborts it after a
 * successful response, and warns once a process reads it.
 *
 * @param res the response the handler made.
 * @param gone called at most once, with the reason, when the client is gone first.
 * @returns the response to send.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onClientGone } from "./disconnect.ts";
 * let gone = false;
 * const res = onClientGone(new Response(new ReadableStream()), () => gone = true);
 * await res.body!.cancel("the client left");
 * assert.equal(gone, true);
 * ```
 */
export function onClientGone(res: Response, gone: (reason: unknown) => void): Response {
  if (res.body === null) return res;
  let settled = false;
  const settle = (isGone: boolean, reason?: unknown) => {
    if (settled) return;
    settled = true;
    if (isGone) gone(reason);
  };
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(value);
        settle(false);
        controller.close();
      } catch (e) {
        settle(true, e); // the response broke: the client will not get its answer
        throw e;
      }
    },
    cancel(reason) {
      settle(true, reason ?? "response stream cancelled");
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
