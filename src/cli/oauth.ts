/**
 * How the CLI has a user authorize an upstream MCP server (OAuth
 * `authorization_code`): it prints the authorization URL on stderr and
 * listens on the loopback redirect URL for the browser to come back with the
 * code (RFC 8252).
 *
 * @module
 */
import type { AuthorizationRequest } from "../mcp/client/options.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
// One listener per port at a time: two servers with the same redirect URL authorize one after the other.
const queues = new Map<string, Promise<unknown>>();

/**
 * The CLI's `authorize` callback for `McpToolSourceOptions.oauth`.
 *
 * @param err where the URL and instructions are written (the CLI's stderr).
 * @returns a callback that resolves with the redirect URL the browser reached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loopbackAuthorizer } from "./oauth.ts";
 * const authorize = loopbackAuthorizer(() => {});
 * const request = {
 *   server: "web", authorizationUrl: new URL("https://as.example/authorize?state=s1"),
 *   redirectUrl: "https://app.example/callback", signal: new AbortController().signal,
 * };
 * await assert.rejects(authorize(request), /loopback/);
 * ```
 */
export function loopbackAuthorizer(err: (text: string) => void): (request: AuthorizationRequest) => Promise<URL> {
  return (request) => {
    const redirect = new URL(request.redirectUrl);
    if (redirect.protocol !== "http:" || !LOOPBACK.has(redirect.hostname) || redirect.port === "") {
      return Promise.reject(
        new Error(
          `the CLI receives the code on a loopback redirect URL with a port (http://127.0.0.1:<port>/…); ` +
            `oauth.redirectUrl is ${redirect.origin}${redirect.pathname}`,
        ),
      );
    }
    const key = redirect.port;
    const previous = queues.get(key) ?? Promise.resolve();
    const turn = previous.catch(() => {}).then(() => receive(request, redirect, err));
    const settled = turn.catch(() => {});
    queues.set(key, settled);
    void settled.then(() => queues.get(key) === settled && queues.delete(key));
    return turn;
  };
}

/** Listens on the redirect URL until the browser comes back with this request's `state`. */
async function receive(request: AuthorizationRequest, redirect: URL, err: (text: string) => void): Promise<URL> {
  if (request.signal.aborted) throw new Error("authorization was abandoned");
  const state = request.authorizationUrl.searchParams.get("state");
  let done!: (url: URL) => void;
  const received = new Promise<URL>((resolve) => done = resolve);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  request.signal.addEventListener("abort", onAbort, { once: true });
  const hostname = redirect.hostname === "[::1]" ? "::1" : "127.0.0.1";
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({ hostname, port: Number(redirect.port), signal: stop.signal, onListen: () => {} }, (req) => {
      const url = new URL(req.url, redirect);
      if (url.pathname !== redirect.pathname) return new Response("not found", { status: 404 });
      // Another tab, an old link, or a forged request: keep waiting for this request's answer.
      if (state !== null && url.searchParams.get("state") !== state) {
        return page(400, "This is not the authorization Codemode is waiting for.");
      }
      done(url);
      const refused = url.searchParams.has("error");
      return page(200, refused ? "Authorization was refused. You can close this window." : AUTHORIZED);
    });
  } catch (e) {
    request.signal.removeEventListener("abort", onAbort);
    throw new Error(`cannot listen on ${redirect.host} for the redirect: ${e instanceof Error ? e.message : e}`);
  }
  err(
    `[codemode] MCP server "${request.server}" needs you to authorize Codemode. Open this URL in a browser:\n` +
      `  ${request.authorizationUrl.href}\n` +
      `[codemode] waiting for the redirect to ${redirect.origin}${redirect.pathname} …\n`,
  );
  const abandoned = new Promise<never>((_, reject) =>
    stop.signal.addEventListener("abort", () => reject(new Error("authorization was abandoned")), { once: true })
  );
  try {
    return await Promise.race([received, abandoned]);
  } finally {
    request.signal.removeEventListener("abort", onAbort);
    stop.abort();
    abandoned.catch(() => {});
    await server.finished;
  }
}

const AUTHORIZED = "Codemode is authorized. You can close this window.";

function page(status: number, text: string): Response {
  const html = `<!doctype html><meta charset="utf-8"><title>Codemode</title><p>${text}</p>`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}
