import assert from "node:assert/strict";
import type { JsonSchema } from "../tools/json_schema.ts";
import { schemaToTs } from "./schema_to_ts.ts";
import { lines } from "./test_util.ts";

Deno.test("primitive types map to their TypeScript names", () => {
  assert.equal(schemaToTs({ type: "string" }), "string");
  assert.equal(schemaToTs({ type: "number" }), "number");
  assert.equal(schemaToTs({ type: "integer" }), "number");
  assert.equal(schemaToTs({ type: "boolean" }), "boolean");
  assert.equal(schemaToTs({ type: "null" }), "null");
});

Deno.test("a type array becomes a deduplicated union", () => {
  assert.equal(schemaToTs({ type: ["string", "null"] }), "string | null");
  assert.equal(schemaToTs({ type: ["integer", "number"] }), "number");
});

Deno.test("boolean and empty schemas become unknown or never", () => {
  assert.equal(schemaToTs(true), "unknown");
  assert.equal(schemaToTs({}), "unknown");
  assert.equal(schemaToTs(false), "never");
  assert.equal(schemaToTs({ not: {} }), "never");
});

Deno.test("objects list required and optional properties on separate lines", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer" } },
    required: ["city"],
  };
  assert.equal(
    schemaToTs(schema),
    lines("{", "  city: string;", "  days?: number;", "}"),
  );
});

Deno.test("property names that are not identifiers are quoted", () => {
  const schema = {
    type: "object",
    properties: { "content-type": { type: "string" }, $id: { type: "string" } },
    required: ["content-type", "$id"],
  };
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    '{ "content-type": string; $id: string }',
  );
});

Deno.test("property descriptions become JSDoc above the property", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string", description: "City name." } },
    required: ["city"],
  };
  assert.equal(
    schemaToTs(schema),
    lines("{", "  /** City name. */", "  city: string;", "}"),
  );
});

Deno.test("multi-line descriptions stay multi-line with comment ends escaped", () => {
  const schema = {
    type: "object",
    properties: {
      q: { type: "string", description: "Search query.\nUse */ carefully.\n" },
    },
  };
  assert.equal(
    schemaToTs(schema),
    lines(
      "{",
      "  /**",
      "   * Search query.",
      "   * Use *\\/ carefully.",
      "   */",
      "  q?: string;",
      "}",
    ),
  );
});

Deno.test("defaults are documented with an @default tag", () => {
  const schema = {
    type: "object",
    properties: {
      limit: { type: "integer", default: 10 },
      sort: { type: "string", description: "Order.", default: "asc" },
    },
  };
  assert.equal(
    schemaToTs(schema),
    lines(
      "{",
      "  /** @default 10 */",
      "  limit?: number;",
      "  /**",
      "   * Order.",
      '   * @default "asc"',
      "   */",
      "  sort?: string;",
      "}",
    ),
  );
});

Deno.test("additionalProperties beside properties becomes an index signature", () => {
  const schema = {
    type: "object",
    properties: { id: { type: "string" } },
    required: ["id"],
    additionalProperties: { type: "string" },
  };
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    "{ id: string; [key: string]: string }",
  );
});

Deno.test("the index signature is widened so every property still fits it", () => {
  const schema = {
    type: "object",
    properties: { id: { type: "string" }, n: { type: "number" } },
    required: ["id"],
    additionalProperties: { type: "boolean" },
  };
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    "{ id: string; n?: number; [key: string]: boolean | string | number | undefined }",
  );
});

Deno.test("additionalProperties without properties becomes a Record", () => {
  const schema = { type: "object", additionalProperties: { type: "number" } };
  assert.equal(schemaToTs(schema), "Record<string, number>");
  assert.equal(
    schemaToTs({ type: "object", additionalProperties: true }),
    "Record<string, unknown>",
  );
});

Deno.test("additionalProperties false adds nothing to the object", () => {
  const closed = {
    type: "object",
    properties: { a: { type: "string" } },
    additionalProperties: false,
  };
  assert.equal(schemaToTs(closed, { singleLine: true }), "{ a?: string }");
  assert.equal(
    schemaToTs({ type: "object", additionalProperties: false }),
    "{}",
  );
});

Deno.test("an object schema without properties is a record of unknown", () => {
  assert.equal(schemaToTs({ type: "object" }), "Record<string, unknown>");
  assert.equal(
    schemaToTs({ type: "object", properties: {} }),
    "Record<string, unknown>",
  );
});

Deno.test("arrays use T[] and parenthesize union items", () => {
  assert.equal(
    schemaToTs({ type: "array", items: { type: "string" } }),
    "string[]",
  );
  assert.equal(schemaToTs({ type: "array" }), "unknown[]");
  assert.equal(
    schemaToTs({ type: "array", items: { type: ["string", "number"] } }),
    "(string | number)[]",
  );
  assert.equal(
    schemaToTs({
      type: "array",
      items: { type: "array", items: { type: "number" } },
    }),
    "number[][]",
  );
});

Deno.test("prefixItems and array items become tuples", () => {
  const modern = {
    type: "array",
    prefixItems: [{ type: "string" }, { type: "number" }],
    items: false,
  };
  assert.equal(schemaToTs(modern), "[string, number]");
  const draft07 = {
    type: "array",
    items: [{ type: "boolean" }, { type: "null" }],
  };
  assert.equal(schemaToTs(draft07), "[boolean, null]");
});

Deno.test("tuples show a rest type and optional elements when the schema says so", () => {
  const schema = {
    type: "array",
    prefixItems: [{ type: "string" }, { type: ["number", "null"] }],
    items: { type: "boolean" },
    minItems: 1,
  };
  assert.equal(schemaToTs(schema), "[string, (number | null)?, ...boolean[]]");
});

Deno.test("enum becomes a union of JSON literals", () => {
  assert.equal(
    schemaToTs({ enum: ["a", 1, true, null] }),
    '"a" | 1 | true | null',
  );
  assert.equal(
    schemaToTs({ type: "string", enum: ["x", "x", "y"] }),
    '"x" | "y"',
  );
});

Deno.test("const becomes a literal type", () => {
  assert.equal(schemaToTs({ const: "on" }), '"on"');
  assert.equal(schemaToTs({ const: 0 }), "0");
  assert.equal(schemaToTs({ const: { a: [1] } }), '{"a":[1]}');
});

Deno.test("anyOf and oneOf become unions", () => {
  assert.equal(
    schemaToTs({ anyOf: [{ type: "string" }, { type: "number" }] }),
    "string | number",
  );
  assert.equal(
    schemaToTs({ oneOf: [{ const: "a" }, { const: "b" }] }),
    '"a" | "b"',
  );
});

Deno.test("allOf becomes an intersection with unions parenthesized", () => {
  const a = {
    type: "object",
    properties: { a: { type: "string" } },
    required: ["a"],
  };
  const b = {
    type: "object",
    properties: { b: { type: "number" } },
    required: ["b"],
  };
  assert.equal(
    schemaToTs({ allOf: [a, { anyOf: [b, { type: "null" }] }] }, {
      singleLine: true,
    }),
    "{ a: string } & ({ b: number } | null)",
  );
});

Deno.test("nullable true adds null to the type", () => {
  assert.equal(schemaToTs({ type: "string", nullable: true }), "string | null");
  assert.equal(
    schemaToTs({ type: ["string", "null"], nullable: true }),
    "string | null",
  );
});

Deno.test("unions are deduplicated across combinators", () => {
  const schema = {
    anyOf: [{ type: "string" }, { type: ["string", "null"] }, { type: "null" }],
  };
  assert.equal(schemaToTs(schema), "string | null");
  assert.equal(schemaToTs({ anyOf: [{ type: "string" }, {}] }), "unknown");
});

Deno.test("a bare type beside oneOf is left to the branches", () => {
  const schema: JsonSchema = {
    type: "object",
    oneOf: [
      {
        type: "object",
        properties: { a: { type: "string" } },
        required: ["a"],
      },
      {
        type: "object",
        properties: { b: { type: "string" } },
        required: ["b"],
      },
    ],
  };
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    "{ a: string } | { b: string }",
  );
});

Deno.test("constraint-only branches do not erase the object shape", () => {
  const schema = {
    type: "object",
    properties: { a: { type: "string" }, b: { type: "string" } },
    anyOf: [{ required: ["a"] }, { required: ["b"] }],
  };
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    "{ a?: string; b?: string }",
  );
});

Deno.test("$ref defaults to the PascalCase last pointer segment", () => {
  assert.equal(schemaToTs({ $ref: "#/$defs/user_profile" }), "UserProfile");
  assert.equal(schemaToTs({ $ref: "#/definitions/Address" }), "Address");
  assert.equal(
    schemaToTs({ $ref: "https://example.com/other.json" }),
    "unknown",
  );
});

Deno.test("resolveRef decides the name printed for a $ref", () => {
  const schema = {
    type: "array",
    items: { $ref: "#/$defs/Node", nullable: true },
  };
  const seen: string[] = [];
  const resolveRef = (ref: string) => (seen.push(ref), "Api_Node");
  assert.equal(schemaToTs(schema, { resolveRef }), "(Api_Node | null)[]");
  assert.deepEqual(seen, ["#/$defs/Node"]);
});

Deno.test("indent shifts nested lines and the closing brace", () => {
  const schema = {
    type: "object",
    properties: {
      p: { type: "object", properties: { q: { type: "string" } } },
    },
  };
  assert.equal(
    schemaToTs(schema, { indent: "    " }),
    lines("{", "      p?: {", "        q?: string;", "      };", "    }"),
  );
});

Deno.test("singleLine drops JSDoc and newlines", () => {
  const schema = {
    type: "object",
    properties: { a: { type: "string", description: "Doc." } },
    required: ["a"],
  };
  assert.equal(schemaToTs(schema, { singleLine: true }), "{ a: string }");
});
