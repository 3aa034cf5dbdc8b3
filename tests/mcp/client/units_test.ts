// The MCP client's pure parts: result mapping, schema checks, redaction, tool conversion, options.
import assert from "node:assert/strict";
import { resultValue, UpstreamToolError } from "../../../src/mcp/client/result.ts";
import { schemaProblem } from "../../../src/mcp/client/schema_guard.ts";
import { Redactor, secretsOf } from "../../../src/mcp/client/redact.ts";
import { toCodemodeTools } from "../../../src/mcp/client/tools.ts";
import { resolveOptions } from "../../../src/mcp/client/options.ts";

const limits = { maxBytes: 10_000, maxDepth: 64 };

Deno.test("resultValue: structured content wins, one text is a string, several items are compacted, resources kept", () => {
  assert.deepEqual(resultValue({ content: [{ type: "text", text: "{}" }], structuredContent: { a: 1 } }, 1e6), {
    a: 1,
  });
  assert.equal(
    resultValue({ content: [{ type: "text", text: '{"json":"stays a string"}' }] }, 1e6),
    '{"json":"stays a string"}',
  );
  assert.equal(resultValue({ content: [] }, 1e6), null);
  assert.equal(resultValue({ toolResult: 7 }, 1e6), 7);
  assert.deepEqual(
    resultValue({
      content: [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
        { type: "audio", mimeType: "audio/wav", data: "AAAA" },
        { type: "resource", resource: { uri: "file:///x", blob: "AAAAAA==" } },
        { type: "resource_link", uri: "file:///y", name: "y" },
      ],
    }, 1e6),
    [
      { type: "text", text: "a" },
      { type: "text", text: "b" },
      { type: "audio", mimeType: "audio/wav", data: "<3 bytes base64 omitted>" },
      { type: "resource", uri: "file:///x", blob: "AAAAAA==" },
      { type: "resource_link", uri: "file:///y", name: "y" },
    ],
  );
});

Deno.test("resultValue: isError throws the text (bounded); a big value is refused with its size", () => {
  assert.throws(
    () => resultValue({ isError: true, content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }, 1e6),
    (e) => e instanceof UpstreamToolError && e.message === "a\nb",
  );
  assert.throws(() => resultValue({ isError: true, content: [] }, 1e6), /without a message/);
  assert.throws(
    () => resultValue({ isError: true, content: [{ type: "text", text: "x".repeat(100_000) }] }, 1e6),
    (e) => (e as Error).message.length < 4100,
  );
  assert.throws(() => resultValue({ content: [{ type: "text", text: "é".repeat(600) }] }, 1000), /1202 bytes of JSON/);
});

Deno.test("schemaProblem: loops through $ref, allOf, anchors and dependentSchemas are found; progress is fine", () => {
  assert.equal(schemaProblem({ type: "object", properties: { next: { $ref: "#" } } }, limits), undefined);
  assert.equal(schemaProblem({ items: { $ref: "#" } }, limits), undefined);
  assert.equal(schemaProblem({ enum: [{ $ref: "#" }], default: { $ref: "#" } }, limits), undefined);
  for (
    const looping of [
      { $ref: "#" },
      { allOf: [{ anyOf: [{ $ref: "#" }] }] },
      { $defs: { a: { $anchor: "A", not: { $ref: "#A" } } }, $ref: "#A" },
      { $defs: { "a/b": { $ref: "#/$defs/a~1b" } }, $ref: "#/$defs/a~1b" },
      { dependentSchemas: { x: { $ref: "#" } } },
      { if: { $dynamicRef: "#" } },
    ]
  ) {
    assert.match(schemaProblem(looping, limits) ?? "", /\$ref loop/, JSON.stringify(looping));
  }
  assert.match(schemaProblem({ d: "x".repeat(20_000) }, limits)!, /over the limit of 10000/);
  assert.match(schemaProblem([], limits)!, /not a JSON Schema object/);
  let deep: unknown = {};
  for (let i = 0; i < 100_000; i++) deep = { properties: { a: deep } };
  assert.match(schemaProblem(deep, { maxBytes: 1e7, maxDepth: 64 })!, /deeper than 64/);
});

Deno.test("Redactor: whole values, their words, URL- and JSON-encoded forms; short values are left alone", () => {
  const r = new Redactor(["Bearer tok/en+1234", "info", 'quote"value123']);
  assert.equal(r.redact("got Bearer tok/en+1234"), "got [redacted]");
  assert.equal(r.redact("token tok/en+1234"), "token [redacted]");
  assert.equal(r.redact("url ?t=tok%2Fen%2B1234"), "url ?t=[redacted]");
  assert.equal(r.redact(JSON.stringify({ v: 'quote"value123' })), '{"v":"[redacted]"}');
  assert.equal(r.redact("level info"), "level info");
  assert.deepEqual(
    secretsOf({ command: "x", args: ["--not-a-secret"], env: { A: "value-a", B: "" }, startup: "lazy" }),
    ["value-a", ""],
  );
  assert.deepEqual(
    secretsOf({ url: "http://user:p%40ss@h/mcp?k=v1", headers: { h: "hv" }, startup: "lazy" }).sort(),
    ["hv", "p%40ss", "p@ss", "user", "v1"],
  );
});

Deno.test("toCodemodeTools: safe names keep the original for the call; descriptions are bounded and redacted", async () => {
  const calls: string[] = [];
  const warnings: string[] = [];
  const tools = toCodemodeTools([
    { name: "list/items.v2", description: "d".repeat(50) + " key-ABCDEF", inputSchema: { type: "object" } },
    { name: "2fa", title: "Two factor", inputSchema: { type: "object" } },
  ], {
    namespace: "srv",
    call: (name) => (calls.push(name), Promise.resolve("ok")),
    warn: (m) => warnings.push(m),
    redact: (t) => t.replaceAll("key-ABCDEF", "[redacted]"),
    maxSchemaBytes: 1e5,
    maxDescriptionChars: 60,
    timeoutMs: 1234,
  });
  assert.deepEqual(tools.map((t) => t.name), ["srv.list_items_v2", "srv._2fa"]);
  assert.equal(tools[0].description, "d".repeat(50) + " [redacted…");
  assert.equal(tools[1].description, "Two factor");
  assert.equal(tools[0].timeoutMs, 1234);
  const ctx = { executionId: "e", tool: "t", signal: new AbortController().signal };
  assert.equal(await tools[0].handler({}, ctx), "ok");
  assert.deepEqual(calls, ["list/items.v2"]);
  assert.deepEqual(warnings, []);
});

Deno.test("resolveOptions refuses non-positive numbers, naming the option", () => {
  assert.throws(() => resolveOptions({ connectTimeoutMs: 0 }), /connectTimeoutMs must be a positive number/);
  assert.throws(() => resolveOptions({ maxResultBytes: Number.NaN }), /maxResultBytes/);
  assert.equal(resolveOptions({ stderr: "ignore" }).stderr, "ignore");
});

Deno.test("a malformed URL (given directly, not through the config) fails without quoting its secrets", async () => {
  const { McpToolSource } = await import("../../../src/mcp/client/mod.ts");
  const source = new McpToolSource("bad", { url: "http://[bad/mcp?token=qwerty-123456", headers: {}, startup: "lazy" });
  await assert.rejects(
    source.load(),
    (e: Error) => /upstream MCP server "bad"/.test(e.message) && !e.message.includes("qwerty-123456"),
  );
  await source.close();
});
