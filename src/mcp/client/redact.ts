/**
 * Keeps an upstream MCP server's secrets (the env values and headers it is
 * configured with) out of every text that may reach the sandbox: error
 * messages, load failures and tool descriptions.
 *
 * @module
 */
import type { McpServerConfig } from "../../config/schema.ts";

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

// Shorter values cannot be secrets worth the name, and replacing them (`1`,
// `true`, `info`) would garble every message.
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces known secret strings, and their URL- and JSON-encoded forms, in text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Redactor } from "./redact.ts";
 * const r = new Redactor(["Bearer s3cr3t-token"]);
 * assert.equal(r.redact("401: bad token s3cr3t-token"), "401: bad token [redacted]");
 * ```
 */
export class Redactor {
  readonly #secrets: string[];

  /**
   * Builds a redactor.
   *
   * @param values secret values; a value with spaces (`Bearer xyz`) also
   * redacts each long enough word of it, since servers often echo just the token.
   */
  constructor(values: Iterable<string>) {
    const secrets = new Set<string>();
    for (const value of values) {
      for (const part of [value, ...value.split(/\s+/)]) {
        if (part.length < MIN_SECRET_LENGTH) continue;
        secrets.add(part);
        secrets.add(encodeURIComponent(part));
        secrets.add(JSON.stringify(part).slice(1, -1));
      }
    }
    // Longest first, so that a secret containing another is replaced whole.
    this.#secrets = [...secrets].sort((a, b) => b.length - a.length);
  }

  /**
   * Returns the text with every secret replaced by `[redacted]`.
   *
   * @param text any text.
   * @returns the redacted text.
   */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.replaceAll(secret, REDACTED);
    return out;
  }
}

/**
 * The secret values of one server's configuration: its env values, its
 * header values, and the credentials and query values of its URL.
 *
 * @param config the server's configuration.
 * @returns the values to redact.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { secretsOf } from "./redact.ts";
 * const s = secretsOf({ url: "http://h/mcp?key=abcdef123", headers: { "X-Api-Key": "k-123456" }, startup: "lazy" });
 * assert.deepEqual(s.sort(), ["abcdef123", "k-123456"]);
 * ```
 */
export function secretsOf(config: McpServerConfig): string[] {
  if ("command" in config) return Object.values(config.env);
  const values = [...Object.values(config.headers), ...urlSecrets(config.url)];
  return [...new Set(values)].filter((v) => v.length > 0);
}

/**
 * The credentials and query values of a URL, raw and decoded. Read from the
 * text, not with `new URL`, so that a URL too malformed to parse (whose error
 * message would quote it) is covered too.
 */
function urlSecrets(url: string): string[] {
  const raw: string[] = [];
  const credentials = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(url)?.[1];
  if (credentials !== undefined) raw.push(...credentials.split(":"));
  const query = url.split("#")[0].split("?").slice(1).join("?");
  for (const pair of query.split("&")) raw.push(pair.split("=").slice(1).join("="));
  return raw.flatMap((value) => [value, decode(value), decode(value.replaceAll("+", " "))]);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
