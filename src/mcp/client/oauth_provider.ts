/**
 * The SDK's `OAuthClientProvider` for one upstream server: the configured
 * client (or one registered dynamically), tokens kept in the host's store,
 * the PKCE verifier and `state` of an authorization in progress. Every
 * secret it learns is reported, so that the source can redact it.
 *
 * @module
 */
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  OAuthTokens,
} from "@modelcontextprotocol/client";
import { DEFAULT_REDIRECT_URL, type McpOAuthConfig } from "./oauth_config.ts";
import { FileTokenStore, MemoryTokenStore, type OAuthCredentials, type OAuthTokenStore } from "./oauth_store.ts";
import type { McpServerConfig } from "./server_config.ts";

/** What {@linkcode UpstreamOAuth} needs. */
export interface UpstreamOAuthOptions {
  /** The server's name in `mcpServers`: the store's key, and named in messages. */
  server: string;
  /** The server's URL: stored credentials obtained for another URL are not used. */
  serverUrl: string;
  /** The `oauth` settings. */
  config: McpOAuthConfig;
  /** Where tokens are kept. */
  store: OAuthTokenStore;
  /** Told about every secret learnt (tokens, verifier, code), to redact it. */
  onSecret: (value: string) => void;
  /** Told when the store cannot be read or written (the tokens are then kept in memory). */
  warn: (message: string) => void;
}

const MAX_CODE_CHARS = 4096;

/**
 * The OAuth client of a server configured with `oauth`, with its token
 * store: the host's, else the server's `tokenFile`, else memory.
 *
 * @param server the server's name.
 * @param config its configuration.
 * @param host the host's store (if any), the secret sink and the warning sink.
 * @returns the provider, or `undefined` for a server without `oauth`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oauthFor } from "./oauth_provider.ts";
 * const host = { onSecret: () => {}, warn: () => {} };
 * assert.equal(oauthFor("files", { command: "x", args: [], env: {}, startup: "lazy" }, host), undefined);
 * const oauth = { grant: "authorization_code" as const };
 * assert.ok(oauthFor("web", { url: "https://a/mcp", headers: {}, oauth, startup: "lazy" }, host));
 * ```
 */
export function oauthFor(
  server: string,
  config: McpServerConfig,
  host: Pick<UpstreamOAuthOptions, "onSecret" | "warn"> & { store?: OAuthTokenStore },
): UpstreamOAuth | undefined {
  if (!("url" in config) || config.oauth === undefined) return undefined;
  const { tokenFile } = config.oauth;
  const store = host.store ??
    (tokenFile !== undefined ? new FileTokenStore(tokenFile, host.warn) : new MemoryTokenStore());
  return new UpstreamOAuth({ ...host, server, serverUrl: config.url, config: config.oauth, store });
}

/**
 * The OAuth client of one upstream server, as the SDK's transport uses it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpstreamOAuth } from "./oauth_provider.ts";
 * import { MemoryTokenStore } from "./oauth_store.ts";
 * const secrets: string[] = [];
 * const oauth = new UpstreamOAuth({
 *   server: "web", serverUrl: "https://mcp.example/mcp", store: new MemoryTokenStore(),
 *   config: { grant: "client_credentials", clientId: "id", clientSecret: "secret" },
 *   onSecret: (s) => secrets.push(s), warn: () => {},
 * });
 * assert.equal(oauth.redirectUrl, undefined); // no browser: a machine-to-machine grant
 * await oauth.saveTokens({ access_token: "at-123456", token_type: "Bearer" });
 * assert.equal((await oauth.tokens())?.access_token, "at-123456");
 * assert.deepEqual(secrets, ["at-123456"]);
 * ```
 */
export class UpstreamOAuth implements OAuthClientProvider {
  readonly #o: UpstreamOAuthOptions;
  #credentials?: Promise<OAuthCredentials>;
  #verifier?: string;
  #state?: string;
  #pending?: URL;
  #discovery?: OAuthDiscoveryState;
  /** Set only without a configured `clientId`: the SDK then registers a client dynamically. */
  readonly saveClientInformation?: (client: OAuthClientInformationMixed) => Promise<void>;

  /**
   * Creates the provider; the store is read on first use.
   *
   * @param options the server, its settings, the store and the secret sink.
   */
  constructor(options: UpstreamOAuthOptions) {
    this.#o = options;
    if (options.config.clientId === undefined) {
      this.saveClientInformation = (client) =>
        this.#update((c) => {
          if (client.client_secret) this.#o.onSecret(client.client_secret);
          return { ...c, client: { ...client } };
        });
    }
  }

  /** The grant's redirect URL; `undefined` for `client_credentials`, which needs no browser. */
  get redirectUrl(): string | undefined {
    const { config } = this.#o;
    return config.grant === "authorization_code" ? config.redirectUrl ?? DEFAULT_REDIRECT_URL : undefined;
  }

  /** How Codemode describes itself when it registers (and which grant it uses). */
  get clientMetadata(): OAuthClientMetadata {
    const { config } = this.#o;
    const interactive = config.grant === "authorization_code";
    return {
      client_name: "Codemode",
      redirect_uris: interactive ? [this.redirectUrl!] : [],
      grant_types: interactive ? ["authorization_code", "refresh_token"] : ["client_credentials"],
      response_types: interactive ? ["code"] : [],
      token_endpoint_auth_method: config.clientSecret !== undefined ? "client_secret_basic" : "none",
      ...(config.scope !== undefined ? { scope: config.scope } : {}),
    };
  }

  /** A fresh `state` for an authorization request; the redirect must bring it back. */
  state(): string {
    this.#state = randomToken();
    return this.#state;
  }

  /** The configured client, or the one registered dynamically. */
  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const { clientId, clientSecret, issuer } = this.#o.config;
    if (clientId === undefined) return (await this.#load()).client;
    return {
      client_id: clientId,
      ...(clientSecret !== undefined ? { client_secret: clientSecret } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
    };
  }

  /** The current tokens, if any. */
  async tokens(): Promise<OAuthTokens | undefined> {
    return (await this.#load()).tokens as OAuthTokens | undefined;
  }

  /** Keeps new tokens (in the store, and as secrets to redact). */
  saveTokens(tokens: OAuthTokens): Promise<void> {
    for (const value of [tokens.access_token, tokens.refresh_token, tokens.id_token]) {
      if (value) this.#o.onSecret(value);
    }
    return this.#update((c) => ({ ...c, tokens: { ...tokens } }));
  }

  /** Remembers where the user must go; the source asks the host to take them there. */
  redirectToAuthorization(authorizationUrl: URL): void {
    this.#pending = authorizationUrl;
  }

  /** Keeps the PKCE verifier of the authorization in progress (in memory only). */
  saveCodeVerifier(codeVerifier: string): void {
    this.#o.onSecret(codeVerifier);
    this.#verifier = codeVerifier;
  }

  /** The PKCE verifier of the authorization in progress. */
  codeVerifier(): string {
    if (this.#verifier === undefined) throw new Error("no authorization is in progress (no PKCE verifier)");
    return this.#verifier;
  }

  /** `client_credentials` asks for a token directly; the code grant uses the SDK's request. */
  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (this.#o.config.grant !== "client_credentials") return undefined;
    return new URLSearchParams({ grant_type: "client_credentials", ...(scope ? { scope } : {}) });
  }

  /** Forgets what the authorization server said is no longer valid. */
  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    if (scope === "all" || scope === "verifier") this.#verifier = undefined;
    if (scope === "all" || scope === "discovery") this.#discovery = undefined;
    const dropTokens = scope === "all" || scope === "tokens";
    const dropClient = scope === "all" || scope === "client";
    if (dropTokens || dropClient) {
      await this.#update((c) => ({
        serverUrl: c.serverUrl,
        ...(dropTokens || c.tokens === undefined ? {} : { tokens: c.tokens }),
        ...(dropClient || c.client === undefined ? {} : { client: c.client }),
      }));
    }
  }

  /** Keeps what discovery found, for the next connection (in memory only). */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  /** What discovery found before, if anything. */
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }

  /**
   * The authorization URL the SDK asked to send the user to, once.
   *
   * @returns the URL, or `undefined` when no authorization is waiting.
   */
  takeAuthorizationUrl(): URL | undefined {
    const url = this.#pending;
    this.#pending = undefined;
    return url;
  }

  /**
   * The authorization code from the host's answer: the redirect URL the
   * browser reached (its `state` must be the request's), or the code itself.
   *
   * @param answer what the host's `authorize` callback returned.
   * @returns the code.
   * @throws {Error} for an error redirect, a missing code or a `state` that is not the request's.
   */
  codeFrom(answer: URL | string): string {
    let code: string | null;
    if (answer instanceof URL) {
      const params = answer.searchParams;
      if (this.#state !== undefined && params.get("state") !== this.#state) {
        throw new Error("the redirect's state is not the authorization request's (a stale or forged redirect)");
      }
      const error = params.get("error");
      if (error !== null) {
        const why = [error, params.get("error_description")].filter(Boolean).join(": ");
        throw new Error(`the authorization was refused (${why.slice(0, 500)})`);
      }
      code = params.get("code");
    } else {
      code = typeof answer === "string" ? answer : null;
    }
    if (!code || code.length > MAX_CODE_CHARS) throw new Error("the answer holds no authorization code");
    this.#o.onSecret(code);
    return code;
  }

  #load(): Promise<OAuthCredentials> {
    this.#credentials ??= this.#read();
    return this.#credentials;
  }

  async #read(): Promise<OAuthCredentials> {
    const empty = { serverUrl: this.#o.serverUrl };
    let stored: OAuthCredentials | undefined;
    try {
      stored = await this.#o.store.load(this.#o.server);
    } catch (e) {
      this.#o.warn(`could not read its OAuth tokens (${e instanceof Error ? e.message : String(e)})`);
      return empty;
    }
    if (stored === undefined || stored.serverUrl !== this.#o.serverUrl) return empty;
    for (const value of [stored.tokens?.access_token, stored.tokens?.refresh_token, stored.client?.client_secret]) {
      if (typeof value === "string" && value) this.#o.onSecret(value);
    }
    return stored;
  }

  /** Changes the credentials in memory, then in the store (a store failure is a warning, not an error). */
  async #update(change: (current: OAuthCredentials) => OAuthCredentials): Promise<void> {
    const next = change(await this.#load());
    this.#credentials = Promise.resolve(next);
    try {
      await this.#o.store.save(this.#o.server, next);
    } catch (e) {
      this.#o.warn(`could not store its OAuth tokens, kept in memory (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
