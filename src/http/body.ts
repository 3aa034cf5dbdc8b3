/**
 * Reads a request body with a byte cap and a deadline, so that a client that
 * sends a huge body, or a slow or stalled one, cannot hold the server.
 *
 * @module
 */

/** Options of {@linkcode readBody}. */
export interface ReadBodyOptions {
  /** Largest body, in bytes; a larger one is refused (413) without reading the rest. */
  maxBytes: number;
  /** The whole body must arrive within this many milliseconds of the read's start (else 408). */
  timeoutMs: number;
  /** Aborting stops the read (503), e.g. when the server shuts down. */
  signal?: AbortSignal;
}

/** The body, or why there is none: the status to answer and a message that names the limit. */
export type BodyRead =
  | { ok: true; text: string }
  | { ok: false; status: 400 | 408 | 413 | 503; reason: string; message: string };

/**
 * Reads a request body as text, up to `maxBytes` and within `timeoutMs`. A
 * declared `Content-Length` over the cap is refused without reading; a body
 * that grows past the cap, arrives too slowly, or whose client goes away is
 * cancelled at once.
 *
 * @param req the request.
 * @param options the cap, the deadline and a signal that stops the read.
 * @returns the text, or the status and message to answer with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBody } from "./body.ts";
 * const req = new Request("http://localhost/", { method: "POST", body: "x".repeat(10) });
 * const read = await readBody(req, { maxBytes: 5, timeoutMs: 1000 });
 * assert.equal(read.ok ? 200 : read.status, 413);
 * ```
 */
export async function readBody(req: Request, options: ReadBodyOptions): Promise<BodyRead> {
  const { maxBytes, timeoutMs, signal } = options;
  const tooLarge: BodyRead = {
    ok: false,
    status: 413,
    reason: "body_too_large",
    message: `Request body too large: over ${maxBytes} bytes (maxBodyBytes)`,
  };
  if (Number(req.headers.get("content-length")) > maxBytes) return tooLarge;
  if (req.body === null) return { ok: true, text: "" };
  const reader = req.body.getReader();
  let stopped: BodyRead | undefined;
  // Cancelling the reader ends a pending read() with `done`, so the loop below never waits past the stop.
  const stop = (why: BodyRead) => {
    stopped ??= why;
    reader.cancel().catch(() => {});
  };
  const timer = setTimeout(() =>
    stop({
      ok: false,
      status: 408,
      reason: "body_timeout",
      message: `Request body not received within ${timeoutMs} ms (bodyTimeoutMs)`,
    }), timeoutMs);
  const onAbort = () => stop({ ok: false, status: 503, reason: "closing", message: "Server is shutting down" });
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const decoder = new TextDecoder();
  let received = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (stopped) return stopped;
      if (done) return { ok: true, text: text + decoder.decode() };
      received += value.byteLength;
      if (received > maxBytes) {
        stop(tooLarge);
        return tooLarge;
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (e) {
    // The client went away mid-body; there is no one to answer, but the handler must return something.
    return stopped ?? { ok: false, status: 400, reason: "body_unreadable", message: (e as Error).message };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}
