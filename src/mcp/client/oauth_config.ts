/**
 * The `oauth` settings of an HTTP upstream MCP server (a key of its
 * `mcpServers` entry): its type, and its zod schema.
 *
 * @module
 */
import { z } from "zod";

/** The OAuth grants Codemode can use to get an access token. */
export type McpOAuthGrant = "client_credentials" | "authorization_code";

/**
 * How Codemode gets an OAuth access token for an upstream MCP server over
 * HTTP. The server's 401 starts it: Codemode finds the authorization server
 * (RFC 9728, RFC 8414), gets a token, and sends it as `Authorization: Bearer`.
 */
export interface McpOAuthConfig {
  /**
   * `client_credentials`: machine to machine, with `clientId` and
   * `clientSecret`. `authorization_code`: a user authorizes Codemode in a
   * browser (with PKCE); the host is asked to show the URL and hand back the code.
   */
  grant: McpOAuthGrant;
  /**
   * The client id registered with the authorization server. Required for
   * `client_credentials`; without it, `authorization_code` registers a client
   * dynamically (RFC 7591) and keeps it with the tokens.
   */
  clientId?: string;
  /** The client secret: required for `client_credentials`, for a confidential client with `authorization_code`. */
  clientSecret?: string;
  /** Scopes to ask for, space-separated; by default those the server says it needs. */
  scope?: string;
  /** `authorization_code` only: where the browser is sent back. @default {"http://127.0.0.1:33418/callback"} */
  redirectUrl?: string;
  /**
   * The authorization server the client is registered with. When set, the
   * client's credentials are never presented to another one, whatever the MCP
   * server advertises (recommended: an upstream names its authorization server).
   */
  issuer?: string;
  /** A JSON file keeping tokens across runs (mode 0600; absolute once loaded); unset: in memory only. */
  tokenFile?: string;
}

/**
 * The redirect URL of `authorization_code` when none is configured: a
 * loopback address (RFC 8252), where the CLI listens for the code.
 */
export const DEFAULT_REDIRECT_URL = "http://127.0.0.1:33418/callback";

/** YAML turns `clientId: 1234` into a number; these values are strings. */
function scalarToString(value: unknown): unknown {
  return typeof value === "number" || typeof value === "boolean" ? String(value) : value;
}

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const text = z.preprocess(scalarToString, z.string().min(1));
// No length limit with a generic message: that message would quote the secret.
const secret = z.preprocess(
  scalarToString,
  z.string().min(1).refine((v) => v.length <= 4096, "must be at most 4096 characters"),
);

/**
 * The zod schema of `oauth`: strict; `client_credentials` needs `clientId`
 * and `clientSecret` and takes no `redirectUrl`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oauthSchema } from "./oauth_config.ts";
 * assert.deepEqual(oauthSchema.parse({ grant: "client_credentials", clientId: "a", clientSecret: "b" }), {
 *   grant: "client_credentials", clientId: "a", clientSecret: "b",
 * });
 * assert.equal(oauthSchema.safeParse({ grant: "client_credentials", clientId: "a" }).success, false);
 * ```
 */
export const oauthSchema: z.ZodType<McpOAuthConfig, unknown> = z.strictObject({
  grant: z.enum(["client_credentials", "authorization_code"]),
  clientId: text.optional(),
  clientSecret: secret.optional(),
  scope: text.optional(),
  redirectUrl: httpUrl.optional(),
  issuer: httpUrl.optional(),
  tokenFile: text.optional(),
}).superRefine((o, ctx) => {
  if (o.grant === "client_credentials") {
    for (const key of ["clientId", "clientSecret"] as const) {
      if (o[key] === undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: "required by client_credentials" });
      }
    }
    if (o.redirectUrl !== undefined) {
      ctx.addIssue({ code: "custom", path: ["redirectUrl"], message: "only used by grant: authorization_code" });
    }
  } else if (o.clientSecret !== undefined && o.clientId === undefined) {
    ctx.addIssue({ code: "custom", path: ["clientId"], message: "required with clientSecret" });
  }
});
