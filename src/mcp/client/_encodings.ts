/**
 * The forms a secret commonly takes in a message: as it is, URL-encoded,
 * JSON-escaped, hex, and base64 or base64url (also as part of a longer blob).
 *
 * @module
 */

/**
 * The common encodings of a secret (case is left to the matcher).
 *
 * @param secret a secret value.
 * @returns the secret and its encoded forms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodedForms } from "./_encodings.ts";
 * const forms = encodedForms("a/b c1");
 * assert.ok(forms.includes("a%2Fb%20c1") && forms.includes("612f62206331") && forms.includes("YS9iIGMx"));
 * ```
 */
export function encodedForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const url = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const base64 = base64Fragments(bytes);
  return [
    secret,
    url,
    url.replaceAll("%20", "+"),
    json,
    json.replaceAll("/", "\\/"),
    json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
    ...base64,
    ...base64.map((b) => b.replaceAll("+", "-").replaceAll("/", "_")),
  ];
}

/**
 * The base64 characters that depend on the secret's bytes alone, for each of
 * the three places its first byte can take in a 3-byte group: inside a longer
 * blob, the characters on either side mix in the neighbouring bytes.
 */
function base64Fragments(bytes: Uint8Array): string[] {
  const fragments: string[] = [];
  for (const [offset, skip] of [[0, 0], [1, 2], [2, 3]]) {
    const shifted = new Uint8Array(offset + bytes.length);
    shifted.set(bytes, offset);
    let binary = "";
    for (const b of shifted) binary += String.fromCharCode(b);
    fragments.push(btoa(binary).slice(skip, Math.floor(shifted.length * 8 / 6)));
  }
  return fragments;
}
