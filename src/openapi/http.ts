/**
 * Sends one operation's request with `fetch` and reads the answer, bounded:
 * the body is streamed and the call aborted past the size cap; redirects are
 * followed by hand (at most {@linkcode MAX_REDIRECTS}), and one to another
 * origin goes without the source's credentials; a status other than 2xx is an
 * {@linkcode HttpStatusError} with a short excerpt of the body.
 *
 * @module
 */
import type { BuiltRequest } from "./request.ts";

/** How many redirects one call follows. */
export const MAX_REDIRECTS = 5;
/** How many characters of an error response's body the error quotes. */
export const MAX_EXCERPT_CHARS = 500;

/** An answer with a status other than 2xx. Its message starts `HTTP <status>`. */
export class HttpStatusError extends Error {
  /** Always `HttpStatusError`. */
  override name = "HttpStatusError";
  /** The HTTP status. */
  readonly status: number;

  /**
   * Creates the error.
   * @param status the HTTP status.
   * @param message the whole message.
   */
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** What {@linkcode send} needs. */
export interface SendOptions {
  /** Ends the call (the tool's timeout, or the execution's end). */
  signal: AbortSignal;
  /** Largest body read, in bytes. */
  maxBytes: number;
  /** Header names (lower case) and query names that carry credentials: left off when a redirect leaves the origin. */
  credentialHeaders: readonly string[];
  /** Query parameters that carry credentials: set again after a redirect within the origin, else removed. */
  credentialQuery: Readonly<Record<string, string>>;
  /** `METHOD /path` of the operation, for messages. */
  label: string;
}

/** A response read in full: its status, content type and body text. */
export interface ReadResponse {
  /** The HTTP status. */
  status: number;
  /** Its `Content-Type`, lower case, or empty. */
  contentType: string;
  /** The body as text. */
  text: string;
}

/**
 * Sends a request and reads the answer.
 *
 * @param method the HTTP method.
 * @param request the built request.
 * @param options signal, size cap and the credentials to drop on a redirect to another origin.
 * @returns the 2xx answer.
 * @throws {HttpStatusError} for a status other than 2xx (3xx past the redirect limit included).
 * @throws {RangeError} when the body is larger than the cap.
 * @throws {Error} when the request fails (the connection, the timeout).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { send } from "./http.ts";
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => new Response("{}", { status: 404 }));
 * const request = { url: new URL(`http://127.0.0.1:${server.addr.port}/x`), headers: new Headers() };
 * const options = { signal: new AbortController().signal, maxBytes: 1000, credentialHeaders: [], credentialQuery: {}, label: "GET /x" };
 * await assert.rejects(send("GET", request, options), /^HttpStatusError: HTTP 404/);
 * ```
 */
export async function send(method: string, request: BuiltRequest, options: SendOptions): Promise<ReadResponse> {
  const origin = request.url.origin;
  let url = request.url;
  let headers = request.headers;
  let body = request.body;
  for (let hop = 0;; hop++) {
    const response = await fetch(url, { method, headers, body, redirect: "manual", signal: options.signal });
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null && hop < MAX_REDIRECTS) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        throw new Error(`${options.label}: redirected to a ${next.protocol} URL`);
      }
      if (next.origin !== origin) {
        headers = new Headers(headers);
        for (const name of options.credentialHeaders) headers.delete(name);
        for (const name of Object.keys(options.credentialQuery)) next.searchParams.delete(name);
      } else {
        for (const [name, value] of Object.entries(options.credentialQuery)) next.searchParams.set(name, value);
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        headers = new Headers(headers);
        headers.delete("content-type");
      }
      url = next;
      continue;
    }
    const text = await readBounded(response, options);
    const contentType = (response.headers.get("content-type") ?? "").toLowerCase();
    if (response.status < 200 || response.status > 299) {
      const excerpt = text.length > MAX_EXCERPT_CHARS ? `${text.slice(0, MAX_EXCERPT_CHARS)}…` : text;
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
      throw new HttpStatusError(response.status, `${status} from ${options.label}${excerpt ? `: ${excerpt}` : ""}`);
    }
    return { status: response.status, contentType, text };
  }
}

/** The body as text, read in chunks; past the cap the read stops and the body is cancelled. */
async function readBounded(response: Response, options: SendOptions): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body?.cancel();
    throw new RangeError(`${options.label}: the response is ${declared} bytes, over the limit of ${options.maxBytes}`);
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > options.maxBytes) {
      await reader.cancel();
      throw new RangeError(`${options.label}: the response is over the limit of ${options.maxBytes} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
