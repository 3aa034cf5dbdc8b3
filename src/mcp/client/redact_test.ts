import assert from "node:assert/strict";
import { REDACTED, Redactor } from "./redact.ts";

const SECRET = "tok/En+9876=xyz";
const bytes = new TextEncoder().encode(SECRET);
const base64 = (data: Uint8Array) => btoa(String.fromCharCode(...data));
const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("Redactor.redact() removes the secret in any case, URL-encoded, JSON-escaped, hex and base64", () => {
  const r = new Redactor([SECRET]);
  const forms = {
    upper: SECRET.toUpperCase(),
    lower: SECRET.toLowerCase(),
    url: encodeURIComponent(SECRET),
    urlLowerCase: encodeURIComponent(SECRET).toLowerCase(),
    json: JSON.stringify(SECRET).slice(1, -1).replaceAll("/", "\\/"),
    hexLower: hex,
    hexUpper: hex.toUpperCase(),
    base64: base64(bytes),
    base64url: base64(bytes).replaceAll("+", "-").replaceAll("/", "_"),
  };
  for (const [name, form] of Object.entries(forms)) {
    assert.equal(r.redact(`<${form}>`), `<${REDACTED}>`, name);
  }
  assert.equal(r.redact(JSON.stringify({ a: 'q"' + SECRET })), `{"a":"q\\"${REDACTED}"}`);
});

Deno.test("Redactor.redact() finds the secret's base64 inside a longer blob, at every byte alignment", () => {
  const r = new Redactor([SECRET]);
  for (const prefix of ["", "x", "xy", "xyz", "wxyz"]) {
    const blob = base64(new TextEncoder().encode(`${prefix}${SECRET}-trailing bytes`));
    // The characters that carry the secret's bytes alone; those on either side mix in the neighbours.
    const own = blob.slice(Math.ceil(prefix.length * 8 / 6), Math.floor((prefix.length + bytes.length) * 8 / 6));
    const out = r.redact(blob);
    assert.match(out, /\[redacted\]/, `prefix ${prefix.length}`);
    assert.ok(!out.includes(own) && !out.includes(own.slice(0, 8)) && !out.includes(own.slice(-8)), out);
  }
});

Deno.test("Redactor.redact() removes the secret spread out by whitespace and separators", () => {
  const r = new Redactor([SECRET]);
  for (const separator of [" ", "  ", "\t", "\n", "-", "_", ".", ":", ",", ";", "|", " - "]) {
    assert.equal(r.redact(`a ${[...SECRET].join(separator)} b`), `a ${REDACTED} b`, JSON.stringify(separator));
  }
  assert.equal(r.redact([...hex.toUpperCase()].join(":")), REDACTED);
  // Near misses and values too short to be secrets are left alone, as the same string.
  const short = new Redactor(["info", "12345", "", SECRET]);
  const text = "level i-n-f-o, code 1 2 3 4 5, tok En 9876 xy";
  assert.equal(short.redact(text), text);
  assert.equal(new Redactor([]).redact(text), text);
});

Deno.test("Redactor.redact() takes one pass over a hostile 16 MB text of near misses", () => {
  const r = new Redactor(["aaaaaaaaaaaaaaaab", "a-a-a-a-a-a-a-a-c"]);
  const nearMisses = "a ".repeat(8 << 20);
  assert.equal(r.redact(nearMisses), nearMisses);
  const out = r.redact(`${nearMisses}c!`);
  assert.ok(out.endsWith(`a ${REDACTED}!`), out.slice(-40));
});

Deno.test("Redactor.redactValue() redacts strings and keys at any depth, keeping the shape", () => {
  const r = new Redactor([SECRET]);
  const value = JSON.parse(
    `{"__proto__": {"${SECRET}": ["x ${SECRET}", 1, true, null]}, "n": 12345678901234, "${SECRET.toUpperCase()}": 2}`,
  );
  const clean = r.redactValue(value) as Record<string, unknown>;
  assert.deepEqual(Object.keys(clean), ["__proto__", "n", REDACTED]);
  assert.deepEqual(Object.getOwnPropertyDescriptor(clean, "__proto__")?.value, {
    [REDACTED]: [`x ${REDACTED}`, 1, true, null],
  });
  assert.equal(Object.getPrototypeOf(clean), Object.prototype);
  assert.equal(clean.n, 12345678901234);
  assert.equal(new Redactor(["12345678901234"]).redactValue(clean.n), REDACTED);
});

Deno.test("Redactor.redactValue() walks 100000 levels without recursion and copies cycles once", () => {
  const r = new Redactor([SECRET]);
  let deep: unknown = SECRET;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  let clean = r.redactValue(deep);
  for (let i = 0; i < 100_000; i++) clean = (clean as unknown[])[0];
  assert.equal(clean, REDACTED);
  const loop: Record<string, unknown> = { s: SECRET };
  loop.self = loop;
  const copy = r.redactValue(loop) as Record<string, unknown>;
  assert.equal(copy.self, copy);
  assert.equal(copy.s, REDACTED);
});
