// Upstream servers of both protocol eras as tool sources: SDK v1 servers (2025-11-25,
// `initialize`) and SDK v2 servers that refuse anything older than 2026-07-28, over stdio and
// streamable HTTP. Real server processes, real sandboxes; what the script sees is the same.
import assert from "node:assert/strict";
import { Codemode } from "../../../src/codemode.ts";
import { McpToolSource } from "../../../src/mcp/client/mod.ts";
import type { McpServerConfig } from "../../../src/mcp/client/server_config.ts";
import { quiet, startHttpServer, stdioServer, until } from "./_helpers.ts";

const MODERN = "2026-07-28";
const LEGACY = "2025-11-25";

interface Upstream {
  config: McpServerConfig;
  stop(): Promise<void>;
}

const UPSTREAMS: Record<string, { era: string; start: () => Promise<Upstream> }> = {
  "SDK v1 over stdio": { era: LEGACY, start: () => Promise.resolve({ config: stdioServer(), stop: async () => {} }) },
  "2026-07-28-only over stdio": {
    era: MODERN,
    start: () => Promise.resolve({ config: stdioServer("modern_stdio_server.ts"), stop: async () => {} }),
  },
  "SDK v1 over HTTP": {
    era: LEGACY,
    start: async () => {
      const server = await startHttpServer();
      return { config: server.config(), stop: server.stop };
    },
  },
  "2026-07-28-only over HTTP": {
    era: MODERN,
    start: async () => {
      const server = await startHttpServer(0, undefined, "modern_http_server.ts");
      return { config: server.config(), stop: server.stop };
    },
  },
};

for (const [name, { era, start }] of Object.entries(UPSTREAMS)) {
  Deno.test(`upstream ${name}: typed tools, isError, list_changed and a cancelled call (${era})`, async () => {
    const upstream = await start();
    try {
      const source = new McpToolSource("up", upstream.config, quiet());
      await using cm = new Codemode({ sources: [source], limits: { toolTimeoutMs: 1000 } });
      assert.match(await cm.types(), /weather\(input: \{\n\s+\/\*\* The city's name\. \*\/\n\s+city: string;/);
      assert.equal(source.protocolVersion, era);
      const r = await cm.execute(`
        const w = await tools.up.weather({ city: "Pune" });
        let failure = "";
        try { await tools.up.fail({ city: "Oslo" }); } catch (e) { failure = e.message; }
        let hang = "";
        try { await tools.up.hang({}); } catch (e) { hang = e.message; }
        return { w, failure, hang, added: await tools.up.add_tool({ name: "fresh" }) };
      `);
      assert.equal(r.ok, true, JSON.stringify(r.error));
      const result = r.result as Record<string, unknown>;
      assert.deepEqual(result.w, { city: "Pune", tempC: 20 });
      assert.match(String(result.failure), /^tools\.up\.fail failed: no weather station in Oslo/);
      assert.match(String(result.hang), /tools\.up\.hang timed out after 1000 ms/);
      assert.equal(result.added, "added");
      // The server heard of the cancellation (a notification, or a closed stream in 2026-07-28 over HTTP).
      await until(
        async () => {
          const stats = await cm.execute(`return JSON.parse(await tools.up.stats({}))`);
          return (stats.result as { hangCancelled: number }).hangCancelled === 1;
        },
        undefined,
        "the hang call is cancelled upstream",
      );
      // tools/list_changed (a notification, or a subscriptions/listen stream) reloads the tools.
      await until(async () => (await cm.types()).includes("fresh"), undefined, "fresh in types()");
      assert.equal((await cm.execute(`return await tools.up.fresh({})`)).result, "hello from fresh");
    } finally {
      await upstream.stop();
    }
  });
}
