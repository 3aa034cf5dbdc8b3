/**
 * The parts of OAuth that are Codemode's, not the SDK's: having the host's
 * user authorize (and waiting for it, bounded), and saying clearly why an
 * authorization failed.
 *
 * @module
 */
import {
  AuthorizationServerMismatchError,
  OAuthError,
  SdkErrorCode,
  SdkHttpError,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { withTimeout } from "./async.ts";
import type { ResolvedOptions } from "./options.ts";
import type { UpstreamOAuth } from "./oauth_provider.ts";

/**
 * The server wants a user's authorization: the SDK has made the URL; the
 * code must be exchanged with `finishAuth` before connecting again.
 */
export class AuthorizationNeeded extends Error {
  /** Always `AuthorizationNeeded`. */
  override name = "AuthorizationNeeded";

  /**
   * @param url where the user authorizes.
   * @param finishAuth exchanges the code for tokens.
   */
  constructor(readonly url: URL, readonly finishAuth: (code: string) => Promise<void>) {
    super("a user must authorize Codemode");
  }
}

/**
 * Whether a failed connect means "a user must authorize": the SDK refused
 * with `UnauthorizedError` after sending the provider an authorization URL.
 *
 * @param error what connect threw.
 * @param oauth the server's provider, if it has one.
 * @param finishAuth the transport's code exchange.
 * @returns the request for a user's authorization, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { authorizationNeeded } from "./oauth_flow.ts";
 * assert.equal(authorizationNeeded(new Error("x"), undefined, undefined), undefined);
 * ```
 */
export function authorizationNeeded(
  error: unknown,
  oauth: UpstreamOAuth | undefined,
  finishAuth: ((code: string) => Promise<void>) | undefined,
): AuthorizationNeeded | undefined {
  const url = oauth?.takeAuthorizationUrl();
  if (!url || !finishAuth || !(error instanceof UnauthorizedError)) return undefined;
  return new AuthorizationNeeded(url, finishAuth);
}

/** What {@linkcode authorizeWithUser} needs. */
export interface AuthorizeArgs {
  /** The server's name. */
  server: string;
  /** Its OAuth provider. */
  oauth: UpstreamOAuth;
  /** What the server asked for. */
  needed: AuthorizationNeeded;
  /** The host's OAuth options (the `authorize` callback and its timeout). */
  options: ResolvedOptions["oauth"];
  /** How long the code exchange may take, in ms. */
  exchangeTimeoutMs: number;
  /** Aborts when the source closes. */
  closed: AbortSignal;
}

/**
 * Has the host's user authorize, then exchanges the code for tokens.
 *
 * @param args the server, its provider, the request and the host's callback.
 * @throws {Error} saying why (no callback, a timeout, a refusal, a bad redirect), for the caller to prefix with the server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthorizationNeeded, authorizeWithUser } from "./oauth_flow.ts";
 * import { UpstreamOAuth } from "./oauth_provider.ts";
 * import { MemoryTokenStore } from "./oauth_store.ts";
 * const oauth = new UpstreamOAuth({
 *   server: "web", serverUrl: "https://a/mcp", store: new MemoryTokenStore(),
 *   config: { grant: "authorization_code", clientId: "app" }, onSecret: () => {}, warn: () => {},
 * });
 * const codes: string[] = [];
 * const needed = new AuthorizationNeeded(new URL("https://as/authorize"), (code) => {
 *   codes.push(code);
 *   return Promise.resolve();
 * });
 * const options = { authorize: () => Promise.resolve("the-code"), authorizationTimeoutMs: 1000 };
 * await authorizeWithUser({ server: "web", oauth, needed, options, exchangeTimeoutMs: 1000, closed: new AbortController().signal });
 * assert.deepEqual(codes, ["the-code"]);
 * ```
 */
export async function authorizeWithUser(args: AuthorizeArgs): Promise<void> {
  const { server, oauth, needed, options } = args;
  const authorize = options.authorize;
  if (!authorize) {
    throw new Error(
      "it needs a user to authorize Codemode (OAuth authorization_code), " +
        "and the host has no way to ask (McpToolSourceOptions.oauth.authorize)",
    );
  }
  const ms = options.authorizationTimeoutMs;
  const tooSlow = `the user did not authorize Codemode within ${ms} ms`;
  // Aborted when Codemode stops waiting, for whatever reason: the host's listener can stop too.
  const waiting = new AbortController();
  let onClose!: () => void;
  const closed = new Promise<never>((_, reject) => onClose = () => reject(new Error("closed")));
  args.closed.addEventListener("abort", onClose, { once: true });
  if (args.closed.aborted) onClose();
  let answer: URL | string;
  try {
    const asked = Promise.resolve().then(() =>
      authorize({ server, authorizationUrl: needed.url, redirectUrl: oauth.redirectUrl!, signal: waiting.signal })
    );
    answer = await withTimeout(Promise.race([asked, closed]), ms, tooSlow);
  } catch (e) {
    if (e instanceof Error && e.message === tooSlow) throw e;
    if (args.closed.aborted) throw new Error(`the MCP client for server "${server}" is closed`);
    throw new Error(`authorizing Codemode failed: ${message(e)}`);
  } finally {
    waiting.abort();
    args.closed.removeEventListener("abort", onClose);
    closed.catch(() => {});
  }
  const code = oauth.codeFrom(answer);
  const exchanged = `exchanging the authorization code took over ${args.exchangeTimeoutMs} ms`;
  await withTimeout(needed.finishAuth(code), args.exchangeTimeoutMs, exchanged);
}

/**
 * Why an OAuth step failed, for a person: the OAuth error code and what to
 * check, when the error is one.
 *
 * @param error what the SDK threw.
 * @returns the explanation, or `undefined` for an error that is not about OAuth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oauthFailure } from "./oauth_flow.ts";
 * import { OAuthError } from "@modelcontextprotocol/client";
 * const refused = new OAuthError("invalid_client", "bad secret");
 * assert.match(oauthFailure(refused)!, /refused the client \(invalid_client: bad secret\); check oauth\.clientId/);
 * assert.equal(oauthFailure(new Error("x")), undefined);
 * ```
 */
export function oauthFailure(error: unknown): string | undefined {
  if (error instanceof OAuthError) {
    const code = String(error.code);
    // An authorization server's description is its own text: bounded, like every upstream text.
    const what = `${code.slice(0, 100)}: ${message(error).slice(0, 500)}`;
    if (code === "invalid_client" || code === "unauthorized_client") {
      return `OAuth: the authorization server refused the client (${what}); check oauth.clientId and oauth.clientSecret`;
    }
    if (code === "invalid_grant") return `OAuth: the authorization server refused the grant (${what})`;
    return `OAuth: the authorization server answered with an error (${what})`;
  }
  if (error instanceof AuthorizationServerMismatchError) {
    // The SDK refused before any request: the client's credentials never reach the other server.
    return `OAuth: the client is bound to authorization server ${error.recordedIssuer.slice(0, 300)} and is not ` +
      `presented to ${error.currentIssuer.slice(0, 300)}, the one the server named`;
  }
  if (error instanceof UnauthorizedError) {
    return "OAuth: the access could not be renewed without a user; the next use asks the user to authorize again";
  }
  if (
    error instanceof SdkHttpError && error.code === SdkErrorCode.ClientHttpAuthentication &&
    /after re-authentication/.test(error.message)
  ) {
    return "OAuth: the server refused the access token the authorization server had just issued";
  }
  return undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
