import assert from "node:assert/strict";
import { readOperations } from "./operations.ts";
import { SchemaConverter } from "./schema.ts";

const read = (doc: Record<string, unknown>, own: { headers?: string[]; query?: string[] } = {}) => {
  const warnings: string[] = [];
  const result = readOperations(doc, {
    converter: new SchemaConverter(doc, "3.1"),
    ownHeaders: new Set(own.headers ?? []),
    ownQuery: new Set(own.query ?? []),
    warn: (m) => warnings.push(m),
    maxDescriptionChars: 50,
  });
  return { ...result, warnings };
};
const ok = { "200": { description: "ok" } };

Deno.test("a name used by two parameters (or by the body) keeps it for the first, the next gets <in>_<name>", () => {
  const { operations } = read({
    paths: {
      "/x/{id}": {
        parameters: [{ name: "id", in: "path", schema: { type: "string" } }],
        post: {
          parameters: [
            { name: "id", in: "query", schema: { type: "integer" } },
            { name: "id", in: "header", required: true, schema: { type: "string" } },
            { name: "body", in: "query", schema: { type: "string" } },
          ],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
          responses: ok,
        },
      },
    },
  });
  const [op] = operations;
  assert.deepEqual(op.parameters.map((p) => [p.in, p.name, p.key]), [
    ["path", "id", "id"],
    ["query", "id", "query_id"],
    ["header", "id", "header_id"],
    ["query", "body", "query_body"],
  ]);
  assert.deepEqual(op.inputSchema.required, ["id", "header_id", "body"]);
  assert.deepEqual(op.body, { mediaType: "application/json", kind: "json" });
});

Deno.test("an operation-level parameter overrides the path item's of the same name and place", () => {
  const { operations } = read({
    paths: {
      "/x": {
        parameters: [{ name: "q", in: "query", schema: { type: "string" } }],
        get: { parameters: [{ name: "q", in: "query", required: true, schema: { type: "integer" } }], responses: ok },
      },
    },
  });
  assert.deepEqual(operations[0].inputSchema.properties, { q: { type: "integer" } });
  assert.deepEqual(operations[0].inputSchema.required, ["q"]);
});

Deno.test("the success response: 200 first, else the first 2xx; 204 is null; text is a string", () => {
  const json = (schema: unknown) => ({ description: "", content: { "application/json": { schema } } });
  const { operations } = read({
    paths: {
      "/a": {
        get: { responses: { "201": json({ type: "number" }), "200": json({ type: "string" }), "404": json({}) } },
      },
      "/b": { delete: { responses: { "204": { description: "gone" } } } },
      "/c": { get: { responses: { "200": { description: "", content: { "text/csv": {} } } } } },
      "/d": { get: { responses: { default: json({ type: "string" }) } } },
    },
  });
  assert.deepEqual(operations.map((o) => [o.name, o.outputSchema, o.jsonResponse]), [
    ["getA", { type: "string" }, true],
    ["deleteB", { type: "null" }, false],
    ["getC", { type: "string" }, false],
    ["getD", undefined, false],
  ]);
});

Deno.test("operations that cannot be offered are skipped with the reason; the others load", () => {
  const { operations, skipped } = read({
    paths: {
      "/ok": { get: { responses: ok } },
      "/undescribed/{id}": { get: { responses: ok } },
      "/bad": { get: "not an object", put: { parameters: [{ name: "x", in: "body" }], responses: ok } },
      "relative": { get: { responses: ok } },
      "/upload": { post: { requestBody: { content: { "image/png": {} } }, responses: ok } },
    },
  });
  assert.deepEqual(operations.map((o) => o.name), ["getOk"]);
  assert.deepEqual(skipped, [
    { operation: "GET /undescribed/{id}", reason: "path parameter {id} is not described" },
    { operation: "GET /bad", reason: "the operation is not an object" },
    { operation: "PUT /bad", reason: 'parameter "x" is in "body"' },
    { operation: "GET relative", reason: 'the path does not start with "/"' },
    { operation: "POST /upload", reason: "its request body's media types (image/png) are not supported" },
  ]);
});

Deno.test("the description is the summary and description, cut to length, with the method and path", () => {
  const { operations } = read({
    paths: { "/x": { get: { summary: "Short.", description: "y".repeat(100), deprecated: true, responses: ok } } },
  });
  assert.equal(operations[0].description, `Short.\n\n${"y".repeat(42)}…\n\n\`GET /x\`\n\nDeprecated.`);
});

Deno.test("parameters the source sets itself are left out with a warning; Accept, Content-Type, Authorization silently", () => {
  const { operations, warnings } = read({
    paths: {
      "/x": {
        get: {
          parameters: [
            { name: "X-Key", in: "header", schema: { type: "string" } },
            { name: "key", in: "query", schema: { type: "string" } },
            { name: "Accept", in: "header", schema: { type: "string" } },
          ],
          responses: ok,
        },
      },
    },
  }, { headers: ["x-key"], query: ["key"] });
  assert.deepEqual(operations[0].parameters, []);
  assert.equal(warnings.length, 2);
});
