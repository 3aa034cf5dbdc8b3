import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool, isTool, ToolRegistry } from "../mod.ts";
import { toolPath } from "../src/tools/names.ts";

const noop = () => null;

Deno.test("toolPath() makes names safe identifiers and keeps namespaces", () => {
  assert.deepEqual(toolPath("weather.get"), ["weather", "get"]);
  assert.deepEqual(toolPath("github.issues.list-all"), [
    "github",
    "issues",
    "list_all",
  ]);
  assert.deepEqual(toolPath("srv.3d/render"), ["srv", "_3d_render"]);
});

Deno.test("toolPath() rejects empty names and empty segments", () => {
  assert.throws(() => toolPath(""), /1 to 256 characters/);
  assert.throws(() => toolPath("a..b"), /empty segment/);
  assert.throws(() => toolPath("x".repeat(300)), /1 to 256/);
});

Deno.test("defineTool() converts zod schemas to JSON Schema and keeps the description", () => {
  const t = defineTool({
    name: "w.get",
    description: "Weather.",
    input: z.object({ city: z.string().describe("City") }),
    output: z.object({ t: z.number() }),
    handler: noop,
  });
  assert.ok(isTool(t));
  assert.equal(t.description, "Weather.");
  assert.deepEqual((t.inputSchema as { required: string[] }).required, [
    "city",
  ]);
  assert.ok(t.outputSchema);
  assert.equal(t.validateInput({ city: 1 }).ok, false);
});

Deno.test("defineTool() accepts plain JSON Schema and validates with it", () => {
  const t = defineTool({
    name: "mcp.search",
    input: {
      type: "object",
      properties: {
        q: { type: "string" },
        limit: { type: "integer", minimum: 1 },
      },
      required: ["q"],
    },
    handler: noop,
  });
  assert.deepEqual(t.validateInput({ q: "x", limit: 2 }), {
    ok: true,
    value: { q: "x", limit: 2 },
  });
  const bad = t.validateInput({ limit: 0 });
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.ok(bad.issues.some((i) => i.includes("q")), bad.issues.join());
    assert.ok(
      bad.issues.some((i) => i.startsWith("limit:")),
      bad.issues.join(),
    );
  }
});

Deno.test("defineTool() rejects a bad JSON Schema, a missing handler and a bad timeout, naming the tool", () => {
  assert.throws(
    () =>
      defineTool({
        name: "a.b",
        input: { type: "nope" } as never,
        handler: noop,
      }),
    /tool "a.b" input: invalid JSON Schema/,
  );
  assert.throws(
    () => defineTool({ name: "a.b", input: z.object({}), handler: 1 as never }),
    /"a.b": handler/,
  );
  assert.throws(
    () =>
      defineTool({
        name: "a.b",
        input: z.object({}),
        handler: noop,
        timeoutMs: -1,
      }),
    /timeoutMs/,
  );
  assert.throws(
    () => defineTool({ name: "a.b", input: 5 as never, handler: noop }),
    /zod schema or a JSON Schema/,
  );
});

Deno.test("ToolRegistry rejects duplicate names, also after making them safe", () => {
  const a = defineTool({
    name: "gh.list-issues",
    input: z.object({}),
    handler: noop,
  });
  const b = defineTool({
    name: "gh.list_issues",
    input: z.object({}),
    handler: noop,
  });
  assert.throws(
    () => new ToolRegistry([a, b]),
    /Duplicate tool name "gh.list_issues": "gh.list_issues" clashes with "gh.list-issues"/,
  );
});

Deno.test("ToolRegistry says plainly when two tools have the very same name, or one tool is given twice", () => {
  const a = defineTool({ name: "a.b", input: z.object({}), handler: noop });
  const b = defineTool({ name: "a.b", input: z.object({}), handler: noop });
  assert.throws(() => new ToolRegistry([a, b]), {
    message: `Duplicate tool name "a.b": two different tools are named "a.b"`,
  });
  assert.throws(() => new ToolRegistry([a, a]), { message: `Duplicate tool name "a.b": the same tool is given twice` });
});

Deno.test("ToolRegistry rejects a tool whose name is another tool's namespace", () => {
  const a = defineTool({ name: "gh", input: z.object({}), handler: noop });
  const b = defineTool({ name: "gh.list", input: z.object({}), handler: noop });
  assert.throws(() => new ToolRegistry([a, b]), /clash/);
});

Deno.test("ToolRegistry lists tools sorted and keeps the original names", () => {
  const r = new ToolRegistry([
    defineTool({ name: "b.x", input: z.object({}), handler: noop }),
    defineTool({ name: "a.y-z", input: z.object({}), handler: noop }),
  ]);
  assert.deepEqual(r.names(), ["a.y_z", "b.x"]);
  assert.equal(r.get("a.y_z")?.name, "a.y-z");
  assert.equal(r.size, 2);
});
