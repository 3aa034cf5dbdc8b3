// McpToolSource over stdio, through a real Codemode and a real upstream server process.
import assert from "node:assert/strict";
import { Codemode } from "../../../src/codemode.ts";
import { McpToolSource } from "../../../src/mcp/client/mod.ts";
import { alive, quiet, stdioServer, until } from "./_helpers.ts";

Deno.test("stdio: typed tools, structured content, text, images and isError reach the script", async () => {
  const warnings: string[] = [];
  const source = new McpToolSource("up", stdioServer(), quiet(warnings));
  await using cm = new Codemode({ sources: [source] });
  await cm.loadTools();
  const types = await cm.types();
  assert.match(types, /weather\(input: \{[^}]*city: string/s);
  assert.match(types, /Current weather for a city\./);
  assert.match(types, /Promise<\{\s*city: string;\s*tempC: number;?\s*\}>/s);
  const r = await cm.execute(`
    const w = await tools.up.weather({ city: "Oslo" });
    const e = await tools.up.echo({ text: "hi" });
    const p = await tools.up.picture({});
    let failure = "";
    try { await tools.up.fail({ city: "Lima" }); } catch (err) { failure = err.message; }
    return { w, e, p, failure };
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  const result = r.result as Record<string, unknown>;
  assert.deepEqual(result.w, { city: "Oslo", tempC: 20 });
  assert.equal(result.e, "hi");
  assert.deepEqual(result.p, [
    { type: "text", text: "a red dot" },
    { type: "image", mimeType: "image/png", data: "<300 bytes base64 omitted>" },
  ]);
  assert.match(result.failure as string, /tools\.up\.fail/);
  assert.match(result.failure as string, /no weather station in Lima/);
  assert.deepEqual(warnings, []);
});

Deno.test("stdio: input is validated against the upstream inputSchema before any call", async () => {
  await using cm = new Codemode({ sources: [new McpToolSource("up", stdioServer(), quiet())] });
  const r = await cm.execute(`return await tools.up.weather({ city: 42 })`);
  assert.equal(r.ok, false);
  assert.match(r.error!.message, /Invalid input for tools\.up\.weather: city: must be string/);
});

Deno.test("stdio: the child gets PATH, HOME and its configured env (nothing else of the host) and its cwd", async () => {
  Deno.env.set("CODEMODE_TEST_HOST_SECRET", "must-not-leak-123");
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const config = { ...stdioServer("stdio_server.ts", { FIXTURE_SECRET: "abc" }), cwd: dir };
    await using cm = new Codemode({ sources: [new McpToolSource("up", config, quiet())] });
    const r = await cm.execute(`return [JSON.parse(await tools.up.env({})), await tools.up.cwd({})]`);
    const inherited = ["HOME", "PATH"].filter((name) => Deno.env.get(name) !== undefined);
    assert.deepEqual(r.result, [["FIXTURE_SECRET", ...inherited].sort(), dir]);
  } finally {
    Deno.env.delete("CODEMODE_TEST_HOST_SECRET");
    await Deno.remove(dir);
  }
});

Deno.test("stdio: a crash mid-call is a clear error, and the next execution reconnects", async () => {
  const source = new McpToolSource("up", stdioServer(), quiet());
  await using cm = new Codemode({ sources: [source] });
  await cm.loadTools();
  const firstPid = source.pid!;
  const r = await cm.execute(`return await tools.up.crash({})`);
  assert.equal(r.ok, false);
  // This message, not "timed out": the crash did not wait for a timeout.
  assert.match(r.error!.message, /upstream MCP server "up" closed the connection during the call to "crash"/);
  await until(() => !alive(firstPid), undefined, "the crashed child to be reaped");
  const again = await cm.execute(`return await tools.up.echo({ text: "back" })`);
  assert.equal(again.result, "back", JSON.stringify(again.error));
  assert.notEqual(source.pid, firstPid);
});

Deno.test("stdio: a tool that never answers times out, and the upstream request is cancelled", async () => {
  await using cm = new Codemode({
    sources: [new McpToolSource("up", stdioServer(), quiet())],
    limits: { toolTimeoutMs: 300 },
  });
  // Over stdio the cancellation is written before the next call, and read before it.
  const r = await cm.execute(`
    let message = "";
    try { await tools.up.hang({}); } catch (e) { message = e.message; }
    return { message, stats: JSON.parse(await tools.up.stats({})) };
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  const { message, stats } = r.result as { message: string; stats: { hangStarted: number; hangCancelled: number } };
  assert.match(message, /tools\.up\.hang timed out after 300 ms/);
  assert.deepEqual(stats, { hangStarted: 1, hangCancelled: 1 });
});

Deno.test("stdio: tools/list_changed makes a new tool appear in types() and callable", async () => {
  const source = new McpToolSource("up", stdioServer(), quiet());
  await using cm = new Codemode({ sources: [source] });
  const r = await cm.execute(`return await tools.up.add_tool({ name: "late_tool" })`);
  assert.equal(r.result, "added");
  await until(async () => (await cm.types()).includes("late_tool"), undefined, "late_tool in types()");
  const again = await cm.execute(`return await tools.up.late_tool({})`);
  assert.equal(again.result, "hello from late_tool");
});

Deno.test(
  "stdio: a command that exits at once fails to load with an error naming the server, quickly",
  async () => {
    const dead = { command: Deno.execPath(), args: ["eval", "Deno.exit(3)"], env: {}, startup: "lazy" as const };
    await using cm = new Codemode({ sources: [new McpToolSource("gone", dead, quiet())] });
    const r = await cm.execute(`return await tools.gone.x({})`);
    // This message, not "did not answer …": the exit was noticed, not waited out.
    assert.match(
      r.error?.message ?? "",
      /Tool source "gone" failed to load: could not connect to upstream MCP server "gone": it closed the connection/,
    );
    const missing = { command: "/nonexistent/mcp-server", args: [], env: {}, startup: "lazy" as const };
    await using cm2 = new Codemode({ sources: [new McpToolSource("missing", missing, quiet())] });
    await assert.rejects(
      cm2.loadTools(),
      /could not connect to upstream MCP server "missing": spawn .*(ENOENT|EACCES)/,
    );
  },
);

Deno.test("stdio: eager sources load with loadTools({ eagerOnly }); lazy ones start nothing", async () => {
  const eager = new McpToolSource("eager", { ...stdioServer(), startup: "eager" }, quiet());
  const lazy = new McpToolSource("lazy", stdioServer(), quiet());
  await using cm = new Codemode({ sources: [eager, lazy] });
  await cm.loadTools({ eagerOnly: true });
  assert.equal(eager.connected, true);
  assert.equal(lazy.connected, false);
  assert.match(await cm.types(), /eager: \{/);
});

Deno.test("stdio: close() ends the child process, leaving no zombie", async () => {
  const source = new McpToolSource("up", stdioServer(), quiet());
  const cm = new Codemode({ sources: [source] });
  await cm.loadTools();
  const pid = source.pid!;
  assert.ok(alive(pid));
  await cm.close();
  assert.equal(alive(pid), false);
  await assert.rejects(source.load(), /closed/);
});
