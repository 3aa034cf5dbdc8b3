// Abuse of the MCP server's resources door (`codemode://types/{namespace}`):
// names that are too long, malformed percent-encoding, path tricks, other
// schemes, a denied tool's namespace, and a burst of reads. Every one is a
// clear error or nothing, never a crash or another tool's declarations.
// Real HTTP on 127.0.0.1, the official SDK v1 client.
// Stopped by: resource names are length-capped and decoded strictly; denied namespaces are invisible.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool } from "../../mod.ts";
import { serveHttp } from "../../src/mcp/server/mod.ts";
import { connectHttp, demoCodemode } from "../mcp/server/_helpers.ts";
import demoTools from "../../examples/demo/tools.ts";

Deno.test("resources: hostile URIs are clear errors, and the server stays healthy", async () => {
  await using cm = demoCodemode(95);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client } = await connectHttp(http.url);
    const refused = [
      `codemode://types/${"a".repeat(300)}`,
      `codemode://types/${"%C3%A9".repeat(200)}`,
      "codemode://types/%E0%A4%A",
      "codemode://types/..%2F..%2Fetc%2Fpasswd",
      "codemode://types/weather%2Fget",
      "codemode://types/",
      "codemode://types",
      "file:///etc/passwd",
      "codemode://namespaces/../types/weather",
    ];
    for (const uri of refused) {
      await assert.rejects(client.readResource({ uri }), (e: Error) => {
        assert.doesNotMatch(e.message, /declare const tools/);
        assert.ok(e.message.length < 3000, `a bounded message for ${uri.slice(0, 40)}`);
        return true;
      }, uri.slice(0, 60));
    }
    const burst = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.readResource({ uri: `codemode://types/${i % 2 ? "db" : "nope"}` })
          .then(() => "ok", () => "error")),
    );
    assert.deepEqual(burst.filter((x) => x === "ok").length, 25);
    const weather = await client.readResource({ uri: "codemode://types/weather" });
    assert.match((weather.contents[0] as { text: string }).text, /weather: \{/);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("resources: a denied tool is in no resource, listing or suggestion", async () => {
  const secret = defineTool({
    name: "vault.open",
    description: "Opens the vault.",
    input: z.object({ code: z.string() }),
    handler: () => "opened",
  });
  await using cm = new Codemode({ tools: [...demoTools, secret], policies: { "vault.*": "deny" } });
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client } = await connectHttp(http.url);
    const { resources } = await client.listResources();
    assert.ok(!resources.some((r) => r.uri.includes("vault")), JSON.stringify(resources));
    const listing = await client.readResource({ uri: "codemode://namespaces" });
    assert.doesNotMatch(JSON.stringify(listing), /vault/);
    for (const asked of ["vault", "vault.open", "vaul"]) {
      await assert.rejects(client.readResource({ uri: `codemode://types/${asked}` }), (e: Error) => {
        // The name asked for is echoed; nothing else may name the denied tool.
        assert.doesNotMatch(e.message.replace(JSON.stringify(asked), ""), /vault|Opens the/, e.message);
        return true;
      });
    }
    const done = await client.complete({
      ref: { type: "ref/resource", uri: "codemode://types/{namespace}" },
      argument: { name: "namespace", value: "v" },
    });
    assert.deepEqual(done.completion.values, []);
    await client.close();
  } finally {
    await http.close();
  }
});
