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
