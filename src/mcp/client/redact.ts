/**
 * Keeps an upstream MCP server's secrets (the env values, headers and OAuth
 * client secret it is configured with; `secrets.ts` adds the tokens learnt
 * while running) out of every text and value that may reach the sandbox:
 * results, error messages, load failures, tool descriptions and schemas.
 *
 * @module
 */
import type { McpServerConfig } from "./server_config.ts";
import { encodedForms } from "./_encodings.ts";
import { fold, Matcher, withoutSeparators } from "./_matcher.ts";

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

// Shorter values cannot be secrets worth the name, and replacing them (`1`,
// `true`, `info`) would garble every message.
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces known secret strings in text and in structured values: as they
 * are, in any case, URL-encoded, JSON-escaped, hex, base64 and base64url (also
 * inside a longer base64 blob), and with their characters spread out by
 * whitespace or `-`, `_`, `.`, `:`, `,`, `;`, `|`. One pass over the text,
 * whatever it holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Redactor } from "./redact.ts";
 * const r = new Redactor(["Bearer s3cr3t-token"]);
 * assert.equal(r.redact("401: bad token s3cr3t-token"), "401: bad token [redacted]");
 * assert.equal(r.redact("S3CR3T TOKEN / czNjcjN0LXRva2Vu"), "[redacted] / [redacted]");
 * assert.deepEqual(r.redactValue({ "s3cr3t-token": ["s 3 c r 3 t t o k e n", 1] }), { "[redacted]": ["[redacted]", 1] });
 * ```
 */
export class Redactor {
  readonly #matcher?: Matcher;

  /**
   * Builds a redactor.
   *
   * @param values secret values; a value with spaces (`Bearer xyz`) also
   * redacts each long enough word of it, since servers often echo just the token.
   */
  constructor(values: Iterable<string>) {
    const exact = new Set<string>();
    const spaced = new Set<string>();
    for (const value of values) {
      for (const part of [value, ...value.split(/\s+/)]) {
        if (part.length < MIN_SECRET_LENGTH) continue;
        for (const form of encodedForms(part)) {
          exact.add(fold(form));
          const bare = withoutSeparators(fold(form));
          if (bare.length >= MIN_SECRET_LENGTH) spaced.add(bare);
        }
      }
    }
    if (exact.size > 0) this.#matcher = new Matcher([...exact], [...spaced]);
  }

  /**
   * Returns the text with every secret replaced by `[redacted]`.
   *
   * @param text any text.
   * @returns the redacted text (the same string when there was nothing to replace).
   */
  redact(text: string): string {
    const ranges = this.#matcher?.ranges(text) ?? [];
    if (ranges.length === 0) return text;
    let out = text.slice(0, ranges[0]);
    for (let i = 0; i < ranges.length; i += 2) {
      out += REDACTED + text.slice(ranges[i + 1], i + 2 < ranges.length ? ranges[i + 2] : text.length);
    }
    return out;
  }

  /**
   * Returns a copy of a JSON-like value with every string (object keys
   * included) redacted, and any number that spells a secret replaced. Walks
   * with an explicit stack, so any depth is fine; shared and cyclic
   * references are copied once.
   *
   * @param value a JSON-like value (arrays, plain objects, primitives).
   * @returns the redacted copy (the value itself when there are no secrets).
   */
  redactValue(value: unknown): unknown {
    if (!this.#matcher) return value;
    const copies = new Map<object, Record<string, unknown> | unknown[]>();
    const pending: [object, Record<string, unknown> | unknown[]][] = [];
    const copy = (v: unknown): unknown => {
      if (typeof v === "string") return this.redact(v);
      if (typeof v === "number" || typeof v === "bigint") return this.redact(String(v)) === String(v) ? v : REDACTED;
      if (typeof v !== "object" || v === null) return v;
      let shell = copies.get(v);
      if (shell === undefined) {
        shell = Array.isArray(v) ? new Array(v.length) : {};
        copies.set(v, shell);
        pending.push([v, shell]);
      }
      return shell;
    };
    const root = copy(value);
    for (let job = pending.pop(); job !== undefined; job = pending.pop()) {
      const [source, target] = job;
      if (Array.isArray(source)) {
        for (let i = 0; i < source.length; i++) (target as unknown[])[i] = copy(source[i]);
        continue;
      }
      for (const [key, item] of Object.entries(source)) {
        // A key named `__proto__` must stay a plain property, as JSON.parse made it.
        Object.defineProperty(target, this.redact(key), {
          value: copy(item),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    return root;
  }
}

/**
 * The secret values of one server's configuration: its env values, its
 * header values, the credentials and query values of its URL, and its OAuth
 * client secret.
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
 * const oauth = { grant: "client_credentials" as const, clientId: "app", clientSecret: "s3cr3t!" };
 * assert.deepEqual(secretsOf({ url: "http://h/mcp", headers: {}, oauth, startup: "lazy" }), ["s3cr3t!", "app:s3cr3t!"]);
 * ```
 */
export function secretsOf(config: McpServerConfig): string[] {
  if ("command" in config) return Object.values(config.env);
  const values = [...Object.values(config.headers), ...urlSecrets(config.url), ...oauthSecrets(config)];
  return [...new Set(values)].filter((v) => v.length > 0);
}

/** The client secret, and `id:secret` as HTTP Basic authentication encodes it (in base64, as a whole). */
function oauthSecrets(config: McpServerConfig): string[] {
  const { clientId, clientSecret } = ("oauth" in config ? config.oauth : undefined) ?? {};
  if (clientSecret === undefined) return [];
  const basic = `${encodeURIComponent(clientId ?? "")}:${encodeURIComponent(clientSecret)}`;
  return [clientSecret, basic];
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
