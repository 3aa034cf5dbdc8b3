// Observed output types are a new door from tool results (an upstream server's
// included) into every caller's declarations: a hostile or huge result must
// not carry a value there, grow them without bound, or hang the host.
// Stopped by: types only (no value kept), field-like keys only, and bounds on nodes, depth, keys, unions and schema size
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool } from "../../mod.ts";
import { MAX_OBSERVED_SCHEMA_CHARS, MAX_OBSERVED_TOOLS, ObservedOutputs } from "../../src/typegen/observed.ts";

const SECRET = "tok_live_51c4e3";

function deep(levels: number): unknown {
  let value: unknown = SECRET;
  for (let i = 0; i < levels; i++) value = { [`k${i % 5}`]: value };
  return value;
}

function hostileResults(): unknown[] {
  return [
    JSON.parse(`{"__proto__": {"polluted": "${SECRET}"}, "constructor": 1, "ok": true}`),
    Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`field${i}`, SECRET])),
    Array.from({ length: 100_000 }, (_, i) => ({ id: i, secret: SECRET })),
    deep(5000),
    { [`${SECRET}@example.com`]: { token: SECRET }, "a b": 1 },
    [1, "x", true, null, [], {}, [[1]], { a: 1 }],
  ];
}

Deno.test("hostile results (a __proto__ key, 5,000 keys, 100,000 items, 5,000 levels) leave bounded, value-free declarations", async () => {
  const results = hostileResults();
  let n = 0;
  const tool = defineTool({
    name: "up.fetch",
    input: z.object({}),
    handler: () => results[n++ % results.length],
  });
  await using cm = new Codemode({ tools: [tool] });
  const r = await cm.execute(`for (let i = 0; i < ${results.length}; i++) await tools.up.fetch({}); return "done"`);
  assert.equal(r.result, "done", JSON.stringify(r.error));
  const types = await cm.types();
  assert.ok(!types.includes(SECRET), "no value, and no data-like key, reaches the declarations");
  assert.ok(types.length < 4 * MAX_OBSERVED_SCHEMA_CHARS, `${types.length} characters of declarations`);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype untouched");
});

Deno.test("each hostile result alone: the observed schema stays within its size cap and holds no value", () => {
  for (const result of hostileResults()) {
    const seen = new ObservedOutputs();
    for (let i = 0; i < 3; i++) seen.record("t", result);
    const text = JSON.stringify(seen.get("t")?.schema);
    assert.ok(text.length <= MAX_OBSERVED_SCHEMA_CHARS, `${text.length} characters`);
    assert.ok(!text.includes(SECRET));
    assert.equal(seen.get("t")?.calls, 3);
  }
});

Deno.test("results of more tools than the cap are not observed", () => {
  const seen = new ObservedOutputs();
  for (let i = 0; i < MAX_OBSERVED_TOOLS + 10; i++) seen.record(`t${i}`, { a: 1 });
  assert.ok(seen.get(`t${MAX_OBSERVED_TOOLS - 1}`));
  assert.equal(seen.get(`t${MAX_OBSERVED_TOOLS}`), undefined);
});
