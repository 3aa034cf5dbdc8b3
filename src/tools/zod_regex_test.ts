import assert from "node:assert/strict";
import { z } from "zod";
import { linearizeZod } from "./zod_regex.ts";

Deno.test("zod's own lookahead formats stay linear on crafted inputs", () => {
  // RE2 cannot run these, so they keep V8's engine: each is anchored and its lookahead bounded.
  const n = 100_000;
  const inputs = [
    "a".repeat(n) + "!",
    "a.".repeat(n) + "!",
    "a-".repeat(n) + "!",
    "P" + "1".repeat(n) + "!",
    "PT" + "1".repeat(n) + "!",
    "P" + "-1,1".repeat(n) + "!",
    "PT" + "1.1".repeat(n) + "S!",
    "😀".repeat(n) + "a",
    "GB12" + "A".repeat(n) + "!",
  ];
  const schema = z.object({
    a: z.hostname(),
    b: z.string().regex(z.regexes.domain),
    c: z.iso.duration(),
    d: z.emoji(),
    e: z.string().regex(z.regexes.extendedDuration),
    f: z.string().regex(z.regexes.iban),
  });
  linearizeZod(schema, "t"); // does not throw: these are the known, bounded built-ins
  for (const input of inputs) {
    const started = performance.now();
    const r = schema.safeParse({ a: input, b: input, c: input, d: input, e: input, f: input });
    const ms = performance.now() - started;
    assert.equal(r.success, false);
    assert.ok(ms < 5000, `${JSON.stringify(input.slice(0, 8))}… took ${ms.toFixed(0)} ms`); // quadratic would be minutes
  }
});

Deno.test("linearizeZod() reaches regexes in nested, optional, union, record and lazy schemas", () => {
  const evil = /^(a+)+$/;
  const node: z.ZodType = z.lazy(() => z.object({ name: z.string().regex(evil), kids: z.array(node) }));
  const schema = z.object({
    o: z.string().regex(evil).optional(),
    u: z.union([z.number(), z.string().regex(evil)]),
    r: z.record(z.string().regex(evil), z.number()),
    t: node,
  });
  linearizeZod(schema, "t");
  const bad = "a".repeat(5000) + "!";
  const started = performance.now();
  const r = schema.safeParse({ o: bad, u: bad, r: { [bad]: 1 }, t: { name: "a", kids: [{ name: bad, kids: [] }] } });
  assert.ok(performance.now() - started < 5000, "exponential backtracking would take hours");
  const paths = r.error?.issues.map((i) => i.path.map((p) => String(p).slice(0, 4)).join("."));
  assert.deepEqual(paths?.sort(), ["o", "r.aaaa", "t.kids.0.name", "u"]);
});
