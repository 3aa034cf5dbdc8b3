// JSON Schemas are validated in the dialect they declare.
import assert from "node:assert/strict";
import { compileJsonSchema } from "./ajv.ts";

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
const DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema";

function compile(schema: Record<string, unknown>, warnings: string[] = []) {
  return compileJsonSchema(schema, `tool "t" input`, (w) => warnings.push(w));
}

Deno.test("compileJsonSchema: a draft-07 array of items is a tuple, and additionalItems limits its length", () => {
  const check = compile({
    $schema: DRAFT_07,
    type: "array",
    items: [{ type: "string" }, { type: "number" }],
    additionalItems: false,
  });
  assert.equal(check(["a", 1]), true);
  assert.equal(check([1, "a"]), false);
  assert.equal(check(["a", 1, 2]), false);
});

Deno.test("compileJsonSchema: every spelling of draft-07 is draft-07 (https, no '#'), and draft-06 is spoken", () => {
  for (const uri of ["https://json-schema.org/draft-07/schema", "http://json-schema.org/draft-07/schema"]) {
    const warnings: string[] = [];
    assert.equal(compile({ $schema: uri, items: [{ type: "string" }] }, warnings)([1]), false, uri);
    assert.deepEqual(warnings, []);
  }
  const draft06 = compile({ $schema: "http://json-schema.org/draft-06/schema#", type: "number", exclusiveMinimum: 0 });
  assert.equal(draft06(0), false);
});

Deno.test("compileJsonSchema: 2020-12, declared or not, has prefixItems; draft-07's tuple form is an error there", () => {
  for (const schema of [{ $schema: DRAFT_2020 }, {}]) {
    const check = compile({ ...schema, prefixItems: [{ type: "string" }], items: false });
    assert.equal(check(["a"]), true);
    assert.equal(check(["a", "b"]), false);
  }
  assert.throws(() => compile({ $schema: DRAFT_2020, items: [{ type: "string" }] }), /items must be object,boolean/);
});

Deno.test("compileJsonSchema: a schema declaring no dialect, valid only as draft-07, is draft-07, with a warning", () => {
  const warnings: string[] = [];
  const check = compile({ items: [{ type: "string" }], additionalItems: false }, warnings);
  assert.equal(check(["a"]), true);
  assert.equal(check([1]), false);
  assert.equal(check(["a", "b"]), false);
  assert.match(
    warnings[0],
    /declares no JSON Schema dialect and is not valid 2020-12 \(.*items.*\); validated as draft-07/,
  );
  assert.throws(() => compile({ type: 12 }), /schema is invalid/, "invalid in both: the 2020-12 error");
});

Deno.test("compileJsonSchema: draft-07 dependencies and 2019-09 dependentRequired both apply", () => {
  const draft07 = compile({ $schema: DRAFT_07, dependencies: { a: ["b"] } });
  assert.equal(draft07({ a: 1 }), false);
  assert.equal(draft07({ a: 1, b: 2 }), true);
  const draft2019 = compile({
    $schema: "https://json-schema.org/draft/2019-09/schema",
    dependentRequired: { a: ["b"] },
  });
  assert.equal(draft2019({ a: 1 }), false);
});

Deno.test("compileJsonSchema: draft-04 is validated as draft-07, an unknown dialect as 2020-12, each with a warning", () => {
  const warnings: string[] = [];
  const draft04 = compile(
    { $schema: "http://json-schema.org/draft-04/schema#", items: [{ type: "string" }] },
    warnings,
  );
  assert.equal(draft04([1]), false);
  const odd = compile({ $schema: "https://example.com/my-dialect", prefixItems: [{ type: "string" }] }, warnings);
  assert.equal(odd([1]), false);
  compile({ $schema: 42 as unknown as string, type: "string" }, warnings);
  assert.deepEqual(
    warnings,
    [
      'tool "t" input: JSON Schema dialect "http://json-schema.org/draft-04/schema#" is validated as draft-07',
      'tool "t" input: JSON Schema dialect "https://example.com/my-dialect" is validated as 2020-12',
      'tool "t" input: JSON Schema dialect "42" is validated as 2020-12',
    ].map((w) => `[codemode] ${w}`),
  );
});

Deno.test("compileJsonSchema: draft-07 keeps the host's guards: RE2 patterns and linear uniqueItems", () => {
  const warnings: string[] = [];
  const check = compile({
    $schema: DRAFT_07,
    type: "object",
    properties: { s: { type: "string", pattern: "^(?=x)" }, list: { type: "array", uniqueItems: true } },
  }, warnings);
  assert.match(warnings[0], /the pattern "\^\(\?=x\)" is not checked on the host/);
  assert.equal(check({ list: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }), false);
  assert.equal(check({ list: Array.from({ length: 50_000 }, (_, i) => i) }), true);
});
