/**
 * Bearer-key checks that take the same time whatever the key sent.
 *
 * @module
 */

const MAX_AUTHORIZATION_CHARS = 4096;
const encoder = new TextEncoder();

/**
 * The digest a server keeps instead of its key, for {@linkcode bearerMatches}.
 *
 * @param key the API key.
 * @returns its SHA-256 digest.
 */
export async function bearerDigest(key: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(key)));
}

/**
 * Whether an `Authorization` header carries the key, as `Bearer <key>`. The
 * digests are compared in constant time, so the time taken says nothing
 * about the key.
 *
 * @param header the `Authorization` header, or `null`.
 * @param keyDigest the key's {@linkcode bearerDigest}.
 * @returns true when the header names the key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bearerDigest, bearerMatches } from "./bearer.ts";
 * const digest = await bearerDigest("k");
 * assert.equal(await bearerMatches("Bearer k", digest), true);
 * assert.equal(await bearerMatches("k", digest), false);
 * ```
 */
export async function bearerMatches(header: string | null, keyDigest: Uint8Array): Promise<boolean> {
  if (header === null || header.length > MAX_AUTHORIZATION_CHARS) return false;
  const match = /^Bearer[ ]+(.+)$/i.exec(header.trim());
  const given = await bearerDigest(match ? match[1] : "");
  let diff = match ? 0 : 1;
  for (let i = 0; i < keyDigest.length; i++) diff |= keyDigest[i] ^ given[i];
  return diff === 0;
}

/**
 * Which of several keys an `Authorization` header carries (`Bearer <key>`),
 * for a server that accepts more than one at a time (key rotation). Every
 * digest is compared, in constant time, whichever matches.
 *
 * @param header the `Authorization` header, or `null`.
 * @param keyDigests the keys' {@linkcode bearerDigest}s.
 * @returns the index of the matching key, or -1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bearerDigest, bearerIndex } from "./bearer.ts";
 * const digests = [await bearerDigest("old"), await bearerDigest("new")];
 * assert.equal(await bearerIndex("Bearer new", digests), 1);
 * assert.equal(await bearerIndex("Bearer other", digests), -1);
 * ```
 */
export async function bearerIndex(header: string | null, keyDigests: readonly Uint8Array[]): Promise<number> {
  const tooLong = header !== null && header.length > MAX_AUTHORIZATION_CHARS;
  const match = header === null || tooLong ? null : /^Bearer[ ]+(.+)$/i.exec(header.trim());
  const given = await bearerDigest(match ? match[1] : "");
  let found = -1;
  for (let k = 0; k < keyDigests.length; k++) {
    let diff = match ? 0 : 1;
    for (let i = 0; i < keyDigests[k].length; i++) diff |= keyDigests[k][i] ^ given[i];
    if (diff === 0 && found < 0) found = k;
  }
  return found;
}
