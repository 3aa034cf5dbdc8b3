/**
 * What went wrong with one upstream server, in words a model and a person can
 * act on: every message names the server and what was asked of it, is
 * redacted, and is bounded.
 *
 * @module
 */
import { ProtocolError, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { oauthFailure } from "./oauth_flow.ts";
import type { Secrets } from "./secrets.ts";

/** The part of a connection these messages read. */
export interface ConnectionState {
  /** Whether it was lost. */
  lost: boolean;
  /** Why, when that is known better than "closed". */
  reason?: string;
}

/** How a failed request ended, and whether its connection can still be used. */
export interface RequestFailure {
  /** The message, redacted. */
  message: string;
  /** The connection cannot be trusted any more: close it, the next request reconnects. */
  broken: boolean;
}

const MAX_MESSAGE_CHARS = 2000;

/**
 * Failure messages for one server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FailureText } from "./failures.ts";
 * import { Secrets } from "./secrets.ts";
 * const text = new FailureText("web", new Secrets(["s3cret-value"]), 1000);
 * const failure = text.request({ lost: false }, `the call to "x"`, new TypeError("reset by s3cret-value"), new AbortController().signal);
 * assert.deepEqual(failure, {
 *   message: `upstream MCP server "web" closed the connection during the call to "x": reset by [redacted]`,
 *   broken: true,
 * });
 * ```
 */
export class FailureText {
  readonly #server: string;
  readonly #secrets: Secrets;
  readonly #timeoutMs: number;

  /**
   * @param server the server's name.
   * @param secrets its secrets, to redact.
   * @param timeoutMs the longest a request may wait, named when it is over.
   */
  constructor(server: string, secrets: Secrets, timeoutMs: number) {
    this.#server = server;
    this.#secrets = secrets;
    this.#timeoutMs = timeoutMs;
  }

  /** An error's message, redacted, then cut (so that the cut cannot leave the start of a secret). */
  describe(e: unknown): string {
    const message = this.#secrets.redact(e instanceof Error ? e.message : String(e));
    return message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS) + "…" : message;
  }

  /** Why a connection failed: what is known of its loss, or the error. */
  lost(conn: ConnectionState, e: unknown): string {
    if (conn.reason) return conn.reason;
    if (conn.lost || isClosedError(e)) return `upstream MCP server "${this.#server}" closed the connection`;
    return this.describe(e);
  }

  /**
   * Why a request failed.
   *
   * @param conn the connection it was sent on.
   * @param what the request, e.g. `the call to "search"`.
   * @param e what the SDK threw.
   * @param signal the caller's signal (aborted: the caller gave up).
   * @returns the message, and whether the connection is broken.
   */
  request(conn: ConnectionState, what: string, e: unknown, signal: AbortSignal): RequestFailure {
    const server = `upstream MCP server "${this.#server}"`;
    const done = (message: string, broken = false) => ({ message: this.#secrets.redact(message), broken });
    if (signal.aborted) return done(`${what} on ${server} was cancelled`);
    if (conn.lost || isClosedError(e)) return done(`${this.lost(conn, e)} during ${what}`);
    if (e instanceof SdkError && e.code === SdkErrorCode.RequestTimeout) {
      return done(`${server} did not answer ${what} within ${this.#timeoutMs} ms`);
    }
    if (e instanceof ProtocolError) return done(`${server} refused ${what}: ${this.describe(e)}`);
    // Tokens that cannot be renewed: the next request connects again, and authorizes again.
    const oauth = oauthFailure(e);
    if (oauth) return done(`${server} refused ${what}: ${oauth}`, true);
    // A transport failure. fetch rejects with a TypeError when the server dies before its response starts.
    const closed = e instanceof TypeError ? "closed the connection" : "failed";
    return done(`${server} ${closed} during ${what}: ${this.describe(e)}`, true);
  }
}

/**
 * Whether the SDK says the connection closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isClosedError } from "./failures.ts";
 * assert.equal(isClosedError(new Error("x")), false);
 * ```
 */
export function isClosedError(e: unknown): boolean {
  return e instanceof SdkError && e.code === SdkErrorCode.ConnectionClosed;
}
