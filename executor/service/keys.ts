/**
 * The executor service's API keys: several at once (for rotation), each with
 * an id the service can report as "who called" without revealing the key.
 *
 * @module
 */
import { bearerDigest, bearerIndex } from "../../src/http/bearer.ts";

/** One API key and the id it is reported by. */
export interface ApiKey {
  /** What logs and metrics name the caller by; never the key. */
  id: string;
  /** The secret a host sends as `Authorization: Bearer <key>`. */
  key: string;
}

/** Shortest key accepted, in characters. */
export const MIN_KEY_CHARS = 16;
const ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The id of a key given without one: `key-` and the first 8 hex digits of its
 * SHA-256 digest (so two services with the same key report the same id).
 *
 * @param key the key.
 * @returns the id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyIdOf } from "./keys.ts";
 * assert.match(await keyIdOf("a-key-of-sixteen-chars"), /^key-[0-9a-f]{8}$/);
 * ```
 */
export async function keyIdOf(key: string): Promise<string> {
  const digest = await bearerDigest(key);
  return "key-" + [...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Parses `CODEMODE_API_KEYS`: comma-separated keys, each `id:key` (an id of
 * letters, digits, `_`, `.`, `-` before the first colon) or a bare key.
 *
 * @param text the variable's value.
 * @returns the keys, an id set only where one was written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseApiKeyList } from "./keys.ts";
 * assert.deepEqual(parseApiKeyList("ci:0123456789abcdef, fedcba9876543210"), [
 *   { id: "ci", key: "0123456789abcdef" },
 *   "fedcba9876543210",
 * ]);
 * ```
 */
export function parseApiKeyList(text: string): (string | ApiKey)[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "").map((entry) => {
    const colon = entry.indexOf(":");
    const id = entry.slice(0, colon);
    return colon > 0 && ID.test(id) ? { id, key: entry.slice(colon + 1) } : entry;
  });
}

/** The keys a service accepts, kept as digests. */
export class ApiKeys {
  readonly #digests: Uint8Array[];
  readonly #ids: string[];

  private constructor(digests: Uint8Array[], ids: string[]) {
    this.#digests = digests;
    this.#ids = ids;
  }

  /**
   * Checks and digests the keys.
   *
   * @param keys bare keys (their id is {@linkcode keyIdOf}) or `{ id, key }`.
   * @returns the key set.
   * @throws {RangeError} for a key shorter than 16 characters, a bad id, or an id or key given twice.
   */
  static async from(keys: readonly (string | ApiKey)[]): Promise<ApiKeys> {
    const digests: Uint8Array[] = [];
    const ids: string[] = [];
    const seen = new Set<string>();
    for (const [i, entry] of keys.entries()) {
      const key = typeof entry === "string" ? entry : entry.key;
      if (typeof key !== "string" || key.length < MIN_KEY_CHARS) {
        throw new RangeError(`API key #${i + 1} is shorter than ${MIN_KEY_CHARS} characters`);
      }
      const id = typeof entry === "string" ? await keyIdOf(key) : entry.id;
      if (!ID.test(id)) throw new RangeError(`API key id ${JSON.stringify(id)} must be 1-64 letters, digits, _ . -`);
      if (seen.has(id) || seen.has("\0" + key)) throw new RangeError(`API key ${id} is given twice`);
      seen.add(id).add("\0" + key);
      digests.push(await bearerDigest(key));
      ids.push(id);
    }
    return new ApiKeys(digests, ids);
  }

  /** How many keys there are; none means no authentication. */
  get size(): number {
    return this.#ids.length;
  }

  /**
   * Which key an `Authorization` header carries, in constant time.
   *
   * @param header the header, or `null`.
   * @returns the key's id, or undefined when it carries none of them.
   */
  async identify(header: string | null): Promise<string | undefined> {
    const i = await bearerIndex(header, this.#digests);
    return i < 0 ? undefined : this.#ids[i];
  }
}
