import assert from "node:assert/strict";
import { SchemaConverter, SchemaProblem } from "./schema.ts";

const v30 = (schemas: Record<string, unknown> = {}) => new SchemaConverter({ components: { schemas } }, "3.0");
const v31 = (schemas: Record<string, unknown> = {}) => new SchemaConverter({ components: { schemas } }, "3.1");

Deno.test("3.0 nullable becomes a type array, adds null to an enum, and wraps a schema without a type", () => {
  const c = v30();
  assert.deepEqual(c.standalone({ type: "string", nullable: true }), { type: ["string", "null"] });
  assert.deepEqual(c.standalone({ type: "string", enum: ["a"], nullable: true }), {
    type: ["string", "null"],
    enum: ["a", null],
  });
  assert.deepEqual(c.standalone({ allOf: [{ type: "object" }], nullable: true }), {
    anyOf: [{ allOf: [{ type: "object" }] }, { type: "null" }],
  });
});

Deno.test("3.0 boolean exclusive bounds become JSON Schema's numbers", () => {
  assert.deepEqual(
    v30().standalone({ type: "number", minimum: 1, exclusiveMinimum: true, maximum: 5, exclusiveMaximum: false }),
    {
      type: "number",
      exclusiveMinimum: 1,
      maximum: 5,
    },
  );
});

Deno.test("3.1 type arrays, const and examples pass as they are; description-only keywords and x- extensions go", () => {
  assert.deepEqual(
    v31().standalone({
      type: ["integer", "null"],
      const: 3,
      examples: [3],
      example: 3,
      xml: { name: "n" },
      "x-internal": true,
      discriminator: { propertyName: "kind" },
      externalDocs: { url: "http://x" },
    }),
    { type: ["integer", "null"], const: 3, examples: [3] },
  );
});

Deno.test("$refs become $defs by name, shared, with cycles as references and oneOf/anyOf/allOf kept", () => {
  const c = v30({
    Cat: { type: "object", properties: { kind: { enum: ["cat"] }, friend: { $ref: "#/components/schemas/Pet" } } },
    Dog: { type: "object", properties: { kind: { enum: ["dog"] } } },
    Pet: { oneOf: [{ $ref: "#/components/schemas/Cat" }, { $ref: "#/components/schemas/Dog" }] },
  });
  const s = c.standalone({ type: "array", items: { $ref: "#/components/schemas/Pet" } });
  assert.deepEqual(s.items, { $ref: "#/$defs/Pet" });
  assert.deepEqual(Object.keys(s.$defs as object).sort(), ["Cat", "Dog", "Pet"]);
  assert.deepEqual((s.$defs as Record<string, unknown>).Pet, {
    oneOf: [{ $ref: "#/$defs/Cat" }, { $ref: "#/$defs/Dog" }],
  });
});

Deno.test("two schemas with the same last name get distinct names", () => {
  const doc = { components: { schemas: { Pet: { type: "string" } }, other: { Pet: { type: "number" } } } };
  const c = new SchemaConverter(doc, "3.1");
  const s = c.standalone({ anyOf: [{ $ref: "#/components/schemas/Pet" }, { $ref: "#/components/other/Pet" }] });
  assert.deepEqual(s.anyOf, [{ $ref: "#/$defs/Pet" }, { $ref: "#/$defs/Pet_2" }]);
});

Deno.test("a property named __proto__ stays a plain property", () => {
  const s = v31().standalone(JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}'));
  assert.ok(Object.hasOwn(s.properties!, "__proto__"));
  assert.equal(Object.getPrototypeOf(s.properties), Object.prototype);
});

Deno.test("an unresolved or external $ref, a schema too deep and too many $refs are SchemaProblems", () => {
  assert.throws(() => v30().standalone({ $ref: "#/components/schemas/Nope" }), /does not resolve/);
  const external = new SchemaConverter({}, "3.0", new Map([["other.yaml#/X", "no such file"]]));
  assert.throws(() => external.standalone({ $ref: "other.yaml#/X" }), /was not loaded: no such file/);
  let deep: Record<string, unknown> = { type: "string" };
  for (let i = 0; i < 100; i++) deep = { type: "array", items: deep };
  assert.throws(() => v30().standalone(deep), SchemaProblem);
  const many: Record<string, unknown> = {};
  for (let i = 0; i < 500; i++) many[`S${i}`] = { $ref: `#/components/schemas/S${i + 1}` };
  many.S500 = { type: "string" };
  assert.throws(() => v30(many).standalone({ $ref: "#/components/schemas/S0" }), /more than 400 schemas/);
});
