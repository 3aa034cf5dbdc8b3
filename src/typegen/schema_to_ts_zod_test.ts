import assert from "node:assert/strict";
import { z } from "zod";
import { schemaToTs } from "./schema_to_ts.ts";
import { fromZod, lines } from "./test_util.ts";

Deno.test("zod objects render optional and described fields", () => {
  const schema = fromZod(z.object({
    city: z.string().describe("City name."),
    days: z.number().int().optional(),
  }));
  assert.equal(
    schemaToTs(schema),
    lines(
      "{",
      "  /** City name. */",
      "  city: string;",
      "  days?: number;",
      "}",
    ),
  );
});

Deno.test("zod nullable primitives and objects include null", () => {
  const schema = fromZod(z.object({
    name: z.string().nullable(),
    owner: z.object({ id: z.string() }).nullable(),
  }));
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    "{ name: string | null; owner: { id: string } | null }",
  );
});

Deno.test("zod enums and literals become literal unions", () => {
  const schema = fromZod(z.object({
    unit: z.enum(["C", "F"]),
    kind: z.literal("forecast"),
    code: z.literal([1, 2]),
  }));
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    '{ unit: "C" | "F"; kind: "forecast"; code: 1 | 2 }',
  );
});

Deno.test("zod unions and discriminated unions become unions", () => {
  const schema = fromZod(z.object({
    id: z.union([z.string(), z.number()]),
    shape: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("circle"), r: z.number() }),
      z.object({ kind: z.literal("square"), side: z.number() }),
    ]),
  }));
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    '{ id: string | number; shape: { kind: "circle"; r: number } | { kind: "square"; side: number } }',
  );
});

Deno.test("zod records become Record or, with enum keys, plain properties", () => {
  assert.equal(
    schemaToTs(fromZod(z.record(z.string(), z.number()))),
    "Record<string, number>",
  );
  assert.equal(
    schemaToTs(fromZod(z.record(z.enum(["a", "b"]), z.boolean())), {
      singleLine: true,
    }),
    "{ a: boolean; b: boolean }",
  );
  assert.equal(
    schemaToTs(fromZod(z.partialRecord(z.enum(["a"]), z.string())), {
      singleLine: true,
    }),
    "{ a?: string }",
  );
});

Deno.test("zod nested objects, arrays and tuples keep their structure", () => {
  const schema = fromZod(z.object({
    user: z.object({
      tags: z.array(z.string()),
      pos: z.tuple([z.number(), z.number()]),
    }),
    items: z.array(z.object({ id: z.string() })),
  }));
  assert.equal(
    schemaToTs(schema),
    lines(
      "{",
      "  user: {",
      "    tags: string[];",
      "    pos: [number, number];",
      "  };",
      "  items: {",
      "    id: string;",
      "  }[];",
      "}",
    ),
  );
});

Deno.test("zod recursive schemas print their $ref through resolveRef", () => {
  const Category = z.object({
    name: z.string(),
    get subcategories(): z.ZodArray<typeof Category> {
      return z.array(Category);
    },
  });
  const schema = fromZod(Category);
  const resolveRef = (ref: string) => (ref === "#" ? "Category" : "unknown");
  assert.equal(
    schemaToTs(schema, { resolveRef, singleLine: true }),
    "{ name: string; subcategories: Category[] }",
  );
});

Deno.test("zod catchall objects stay valid with optional properties", () => {
  const schema = fromZod(
    z.object({ a: z.string().optional() }).catchall(z.string()),
  );
  assert.equal(
    schemaToTs(schema, { singleLine: true }),
    "{ a?: string; [key: string]: string | undefined }",
  );
});
