// Abuse of Codemode as a client of 2026-07-28 upstream servers (the SDK v2 client's new doors:
// `server/discover`, `subscriptions/listen` streams): a flood of tool-list changes costs a few
// reloads, not one each; a server that answers the probe with garbage or refuses both eras is a
// load error naming it, and the host stays healthy. Real server processes.
// Stopped by: list-change reloads coalesced; probe answers validated; load errors bounded and naming the server.
import assert from "node:assert/strict";
import { Codemode } from "../../src/codemode.ts";
import { McpToolSource } from "../../src/mcp/client/mod.ts";
import { processesWith, quiet, startHttpServer, stdioServer, until } from "../mcp/client/_helpers.ts";

for (const transport of ["stdio", "HTTP"] as const) {
  Deno.test(`mcp abuse (2026-07-28, ${transport}): a flood of 2000 tools/list_changed costs a few reloads`, async () => {
    const http = transport === "HTTP" ? await startHttpServer(0, undefined, "modern_http_server.ts") : undefined;
    try {
      const config = http ? http.config() : stdioServer("modern_stdio_server.ts");
      const source = new McpToolSource("up", config, quiet());
      await using cm = new Codemode({ sources: [source] });
      await cm.loadTools();
      assert.equal(source.protocolVersion, "2026-07-28");
      let reloads = 0;
      cm.onCatalogChange(() => reloads++);
      const r = await cm.execute(`return await tools.up.flood({ times: 2000 })`);
      assert.equal(r.result, "flooded", JSON.stringify(r.error));
      await until(() => reloads > 0, undefined, "the change is heard");
      // A tool added after the flood is found: the client still follows the server.
      await cm.execute(`return await tools.up.add_tool({ name: "after_flood" })`);
      await until(async () => (await cm.types()).includes("after_flood"), undefined, "after_flood in types()");
      assert.ok(reloads < 50, `${reloads} reloads for 2001 announcements`);
      assert.equal((await cm.execute(`return 1 + 1`)).result, 2);
    } finally {
      await http?.stop();
    }
  });
}

Deno.test("mcp abuse (2026-07-28): a server that answers server/discover with garbage is a clear load error", async () => {
  const listener = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    return new Response('{"jsonrpc":"2.0","id":"server-discover-probe-1","result":{"supportedVersions":42}}', {
      headers: { "Content-Type": "application/json" },
    });
  });
  try {
    const url = `http://127.0.0.1:${listener.addr.port}/mcp`;
    const source = new McpToolSource(
      "odd",
      { url, headers: {}, startup: "lazy" },
      quiet([], { connectTimeoutMs: 5000 }),
    );
    await using cm = new Codemode({ sources: [source] });
    const r = await cm.execute(`return await tools.odd.x({})`);
    assert.match(
      r.error?.message ?? "",
      /Tool source "odd" failed to load: could not connect to upstream MCP server "odd"/,
    );
    assert.ok((r.error?.message.length ?? 0) < 3000);
    assert.equal((await cm.execute(`return 3`)).result, 3);
  } finally {
    await listener.shutdown();
  }
});

Deno.test("mcp abuse: a 2026-07-28-only server over stdio that refuses initialize still loads (probe), and closes with no process left", async () => {
  const marker = `modern-${crypto.randomUUID()}`;
  const source = new McpToolSource("up", stdioServer("modern_stdio_server.ts", {}, [marker]), quiet());
  await source.load();
  assert.equal(source.protocolVersion, "2026-07-28");
  await source.close();
  await until(() => processesWith(marker).length === 0, undefined, "no fixture process survives close()");
});
