// McpToolSource over streamable HTTP, against a real server process on 127.0.0.1.
import assert from "node:assert/strict";
import { Codemode } from "../../../src/codemode.ts";
import { McpToolSource } from "../../../src/mcp/client/mod.ts";
import { freePort, quiet, startHttpServer, until } from "./_helpers.ts";

Deno.test("http: tools, headers, isError and tools/list_changed over streamable HTTP", async () => {
  const server = await startHttpServer(0, "key-0123456789");
  try {
    const source = new McpToolSource("web", server.config({ "x-api-key": "key-0123456789" }), quiet());
    await using cm = new Codemode({ sources: [source] });
    const r = await cm.execute(`
      const w = await tools.web.weather({ city: "Pune" });
      const e = await tools.web.echo({ text: "over http" });
      let failure = "";
      try { await tools.web.fail({ city: "Oslo" }); } catch (err) { failure = err.message; }
      return { w, e, failure, added: await tools.web.add_tool({ name: "fresh" }) };
    `);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.deepEqual(r.result, {
      w: { city: "Pune", tempC: 20 },
      e: "over http",
      failure: "tools.web.fail failed: no weather station in Oslo (script.ts:5:29)",
      added: "added",
    });
    await until(async () => (await cm.types()).includes("fresh"), undefined, "fresh in types()");
    const again = await cm.execute(`return await tools.web.fresh({})`);
    assert.equal(again.result, "hello from fresh");
  } finally {
    await server.stop();
  }
});

Deno.test("http: a never-answering tool times out and is cancelled upstream", async () => {
  const server = await startHttpServer();
  try {
    await using cm = new Codemode({
      sources: [new McpToolSource("web", server.config(), quiet())],
      limits: { toolTimeoutMs: 300 },
    });
    // The cancellation and the next call are separate HTTP requests, in no set order: ask until it arrived.
    const r = await cm.execute(`
      let message = "";
      try { await tools.web.hang({}); } catch (e) { message = e.message; }
      let stats = JSON.parse(await tools.web.stats({}));
      for (let i = 0; i < 500 && stats.hangCancelled === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        stats = JSON.parse(await tools.web.stats({}));
      }
      return { message, stats };
    `);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    const { message, stats } = r.result as { message: string; stats: Record<string, number> };
    assert.match(message, /tools\.web\.hang timed out after 300 ms/);
    assert.deepEqual(stats, { hangStarted: 1, hangCancelled: 1 });
  } finally {
    await server.stop();
  }
});

Deno.test(
  "http: a server crash mid-call is a clear error; after a restart the next execution reconnects",
  async () => {
    let server = await startHttpServer();
    const port = server.port;
    try {
      await using cm = new Codemode({ sources: [new McpToolSource("web", server.config(), quiet())] });
      await cm.loadTools();
      const r = await cm.execute(`return await tools.web.crash({})`);
      assert.equal(r.ok, false);
      // This message, not "timed out": the crash did not wait for a timeout.
      assert.match(r.error!.message, /upstream MCP server "web" closed the connection during the call to "crash"/);
      await server.stop();
      server = await startHttpServer(port);
      const again = await cm.execute(`return await tools.web.echo({ text: "back" })`);
      assert.equal(again.result, "back", JSON.stringify(again.error));
    } finally {
      await server.stop();
    }
  },
);

Deno.test(
  "http: a URL with nothing listening fails to load with an error naming the server, quickly",
  async () => {
    const url = `http://127.0.0.1:${freePort()}/mcp`;
    const source = new McpToolSource("nowhere", { url, headers: {}, startup: "lazy" }, quiet());
    await using cm = new Codemode({ sources: [source] });
    assert.equal((await cm.execute(`return 2`)).result, 2, "a script that calls none of its tools runs");
    const r = await cm.execute(`return await tools.nowhere.x({})`);
    assert.match(
      r.error?.message ?? "",
      /tools\.nowhere\.x is unavailable: Tool source "nowhere" failed to load: could not connect to upstream MCP server "nowhere"/,
    );
    // The refusal was noticed, not waited out.
    assert.doesNotMatch(r.error?.message ?? "", /did not answer/);
  },
);

Deno.test("http: a wrong API key is a load error naming the server", async () => {
  const server = await startHttpServer(0, "right-key-123456");
  try {
    const source = new McpToolSource("web", server.config({ "x-api-key": "wrong-key-654321" }), quiet());
    await assert.rejects(source.load(), /could not connect to upstream MCP server "web"/);
    await source.close();
  } finally {
    await server.stop();
  }
});
