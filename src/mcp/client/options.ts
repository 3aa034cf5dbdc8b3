/**
 * Options of `McpToolSource`, their defaults, and their checking.
 *
 * @module
 */
import type { OAuthTokenStore } from "./oauth_store.ts";

/** What the host is asked to do when a user must authorize Codemode (OAuth `authorization_code`). */
export interface AuthorizationRequest {
  /** The server's name in `mcpServers`. */
  server: string;
  /** The URL to open in the user's browser. */
  authorizationUrl: URL;
  /** Where the authorization server sends the browser back, with the code. */
  redirectUrl: string;
  /** Aborts when Codemode stops waiting (`authorizationTimeoutMs`, or the source closes). */
  signal: AbortSignal;
}

/** OAuth settings of the host: where tokens are kept and how a user authorizes. */
export interface McpOAuthOptions {
  /**
   * Keeps every server's tokens (keyed by server name). Unset: a server's
   * `oauth.tokenFile` when it has one, else memory.
   */
  store?: OAuthTokenStore;
  /**
   * Has the user authorize (grant `authorization_code`): show them
   * `authorizationUrl`, then resolve with the redirect URL the browser reached
   * (its `state` is checked) or with the bare code. Without it such a server
   * cannot connect until it has tokens.
   */
  authorize?: (request: AuthorizationRequest) => Promise<URL | string>;
  /** How long `authorize` may take, in ms. @default {300000} */
  authorizationTimeoutMs?: number;
}

/** Options of {@linkcode McpToolSource}; every field has a safe default. */
export interface McpToolSourceOptions {
  /** Time to start the server and finish `initialize`, in ms. @default {10000} */
  connectTimeoutMs?: number;
  /** Time one `tools/list` page may take, in ms. @default {10000} */
  listTimeoutMs?: number;
  /**
   * Longest a call may wait for its answer, in ms. Codemode's per-tool timeout
   * (which aborts the call) normally ends a call much sooner. @default {300000}
   */
  callTimeoutMs?: number;
  /** A per-call timeout for this server's tools, over Codemode's `toolTimeoutMs`. */
  toolTimeoutMs?: number;
  /** Largest result passed to a script, in bytes of JSON. @default {1048576} */
  maxResultBytes?: number;
  /** Largest single message from a stdio server; a larger one ends the connection. @default {16777216} */
  maxMessageBytes?: number;
  /** Largest input or output schema of one tool, in bytes of JSON. @default {100000} */
  maxSchemaBytes?: number;
  /** Longest tool description kept, in characters. @default {4000} */
  maxDescriptionChars?: number;
  /** Most tools taken from one server. @default {1000} */
  maxTools?: number;
  /** First delay before reconnecting after a failure, in ms; it doubles up to 5 s. @default {100} */
  reconnectDelayMs?: number;
  /** Where a stdio server's stderr goes. @default {"inherit"} */
  stderr?: "inherit" | "ignore";
  /** Told about skipped tools and other oddities of the server. @default {console.warn} */
  onWarning?: (message: string) => void;
  /** Reads the host's PATH and HOME for a stdio server. @default {Deno.env.get} */
  hostEnv?: (name: string) => string | undefined;
  /** OAuth for servers configured with `oauth`: token store, user authorization. */
  oauth?: McpOAuthOptions;
}

/** Options with every default filled in. */
export type ResolvedOptions =
  & Required<Omit<McpToolSourceOptions, "toolTimeoutMs" | "oauth">>
  & Pick<McpToolSourceOptions, "toolTimeoutMs">
  & { oauth: McpOAuthOptions & { authorizationTimeoutMs: number } };

const DEFAULTS: Omit<ResolvedOptions, "onWarning" | "hostEnv" | "oauth"> = {
  connectTimeoutMs: 10_000,
  listTimeoutMs: 10_000,
  callTimeoutMs: 300_000,
  maxResultBytes: 1 << 20,
  maxMessageBytes: 16 << 20,
  maxSchemaBytes: 100_000,
  maxDescriptionChars: 4000,
  maxTools: 1000,
  reconnectDelayMs: 100,
  stderr: "inherit",
};
/**
 * Fills in defaults and checks that every number is a positive finite number.
 *
 * @param options what the caller set.
 * @returns every option.
 * @throws {RangeError} naming an option that is not a positive number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveOptions } from "./options.ts";
 * assert.equal(resolveOptions({ connectTimeoutMs: 500 }).connectTimeoutMs, 500);
 * assert.equal(resolveOptions({}).maxResultBytes, 1048576);
 * assert.throws(() => resolveOptions({ maxTools: -1 }), /maxTools/);
 * assert.throws(() => resolveOptions({ oauth: { authorizationTimeoutMs: 0 } }), /oauth\.authorizationTimeoutMs/);
 * ```
 */
export function resolveOptions(options: McpToolSourceOptions): ResolvedOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const oauth = { ...options.oauth, authorizationTimeoutMs: options.oauth?.authorizationTimeoutMs ?? 300_000 };
  const numbers = { ...defined, "oauth.authorizationTimeoutMs": oauth.authorizationTimeoutMs };
  for (const [key, value] of Object.entries(numbers)) {
    if (typeof value === "number" && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`MCP client option ${key} must be a positive number, got ${value}`);
    }
  }
  return {
    ...DEFAULTS,
    onWarning: (message) => console.warn(message),
    hostEnv: (key) => Deno.env.get(key),
    ...defined,
    oauth,
  };
}
