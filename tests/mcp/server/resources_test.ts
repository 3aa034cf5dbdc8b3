// The tool declarations as MCP resources: `codemode://namespaces` and
// `codemode://types/{namespace}`, read by a 2025-era client (SDK v1) and a
// 2026-07-28 client (SDK v2) over real HTTP on 127.0.0.1.
import assert from "node:assert/strict";
import { serveHttp } from "../../../src/mcp/server/mod.ts";
import { connectHttp, connectHttpModern, demoCodemode } from "./_helpers.ts";

const TS = "text/x-typescript";

Deno.test("resources: both eras list the namespaces and read their declarations", async () => {
  await using cm = demoCodemode(95);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client: old } = await connectHttp(http.url);
    const modern = await connectHttpModern(http.url);
    for (const client of [old, modern]) {
      const { resources } = await client.listResources();
      assert.deepEqual(resources.map((r) => r.uri), [
        "codemode://namespaces",
        "codemode://types/currency",
        "codemode://types/db",
        "codemode://types/weather",
      ]);
      assert.equal(resources.find((r) => r.uri === "codemode://types/db")?.mimeType, TS);
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ["codemode://types/{namespace}"]);

      const listing = await client.readResource({ uri: "codemode://namespaces" });
      assert.deepEqual(JSON.parse((listing.contents[0] as { text: string }).text), {
        namespaces: [
          { name: "currency", tools: 1, uri: "codemode://types/currency" },
          { name: "db", tools: 1, uri: "codemode://types/db" },
          { name: "weather", tools: 1, uri: "codemode://types/weather" },
        ],
      });
      const weather = await client.readResource({ uri: "codemode://types/weather" });
      assert.equal(weather.contents[0].mimeType, TS);
      const text = (weather.contents[0] as { text: string }).text;
      assert.match(text, /^declare const tools: \{\n {2}weather: \{/);
      assert.match(text, /get\(input: \{/);
      // The same text get_tool_types returns.
      const typed = await client.callTool({ name: "get_tool_types", arguments: { names: ["weather"] } });
      assert.equal((typed.structuredContent as { declarations: string }).declarations, text);
      // One tool by name, and a nested namespace, also work.
      const one = await client.readResource({ uri: "codemode://types/db.orders.list" });
      assert.match((one.contents[0] as { text: string }).text, /orders: \{/);
    }
    await modern.close();
    await old.close();
  } finally {
    await http.close();
  }
});

Deno.test("resources: an unknown namespace is an error that suggests the near one; completion lists names", async () => {
  await using cm = demoCodemode(95);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client: old } = await connectHttp(http.url);
    const modern = await connectHttpModern(http.url);
    for (const client of [old, modern]) {
      await assert.rejects(
        client.readResource({ uri: "codemode://types/wether" }),
        /No tool or namespace named "wether"\. Did you mean: weather/,
      );
      const done = await client.complete({
        ref: { type: "ref/resource", uri: "codemode://types/{namespace}" },
        argument: { name: "namespace", value: "c" },
      });
      assert.deepEqual(done.completion.values, ["currency"]);
    }
    await modern.close();
    await old.close();
  } finally {
    await http.close();
  }
});
