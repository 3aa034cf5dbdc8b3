// The CLI with codemode.yaml's logging and metrics: `codemode mcp --http`
// serves /metrics behind its API key and logs JSON lines (X-Request-Id as the
// correlation id, the session as the principal); stdio `mcp` and `run` log at
// the configured level on stderr, never on stdout.
import assert from "node:assert/strict";
import { main } from "../cli.ts";
import { LocalExecutor } from "../mod.ts";
import { mcpCommand } from "../src/cli/mcp.ts";
import { recordingIo } from "./_helpers.ts";
import { call, connectHttp, connectStdio, type ExecuteContent, waitFor } from "./mcp/server/_helpers.ts";
import { sample } from "./observability/_exposition.ts";

const DEMO_TOOLS = new URL("../examples/demo/tools.ts", import.meta.url).pathname;
const KEY = "cli-key-0123456789";
const AUTH = { Authorization: `Bearer ${KEY}` };

async function project(yaml: string): Promise<{ dir: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-cli-obs-" });
  await Deno.writeTextFile(`${dir}/codemode.yaml`, `tools: [${DEMO_TOOLS}]\n${yaml}`);
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

const jsonLines = (text: string) => text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));

/** Runs `codemode mcp --http` in this process on a free port, with the key, and waits for it to listen. */
async function serveMcpHttp(dir: string) {
  const rec = recordingIo(dir);
  const stop = new AbortController();
  const serving = mcpCommand(["--http", "--port", "0", "--api-key", KEY], rec.io, { signal: stop.signal });
  await waitFor(() => rec.err().includes('"msg":"listening"'), 30_000, "codemode mcp to listen");
  const url = new URL(jsonLines(rec.err()).find((l) => l.msg === "listening").url);
  return { rec, url, stop, serving };
}

Deno.test("codemode mcp --http with metrics.enabled serves /metrics with its API key; the log has the request's id and session", async () => {
  await using p = await project("logging:\n  level: debug\nmetrics:\n  enabled: true\n");
  const { rec, url, stop, serving } = await serveMcpHttp(p.dir);
  try {
    const { client, transport } = await connectHttp(url, { ...AUTH, "X-Request-Id": "cli-req-1" });
    const r = await call(client, "execute_code", { code: `return (await tools.weather.get({ city: "Lima" })).tempC` });
    const content = r.structuredContent as unknown as ExecuteContent & { correlationId: string };
    assert.deepEqual([content.result, content.correlationId], [22, "cli-req-1"]);
    await client.close();

    const metrics = new URL("/metrics", url);
    const refused = await fetch(metrics);
    await refused.body?.cancel();
    assert.equal(refused.status, 401);
    const text = await (await fetch(metrics, { headers: AUTH })).text();
    assert.equal(sample(text, "codemode_tool_calls_total", { tool: "weather.get", outcome: "ok" }), 1);
    assert.equal(sample(text, "codemode_rejected_total", { reason: "auth" }), 1);

    const lines = jsonLines(rec.err());
    for (const line of lines) assert.deepEqual(Object.keys(line).slice(0, 3), ["time", "level", "msg"]);
    const session = `mcp-session:${transport.sessionId}`;
    const of = (msg: string) => lines.filter((l) => l.msg === msg);
    assert.deepEqual(of("tool_call").map((l) => [l.tool, l.outcome, l.correlationId, l.principal]), [
      ["weather.get", "ok", "cli-req-1", session],
    ]);
    assert.deepEqual(of("audit").map((l) => [l.tool, l.correlationId, l.principal]), [
      ["weather.get", "cli-req-1", session],
    ]);
    assert.deepEqual(of("execution").map((l) => [l.stopReason, l.correlationId, l.principal]), [
      ["completed", "cli-req-1", session],
    ]);
    assert.equal(of("execute").length, 0, "the server's own execute event is not a second line");
    // The startup says which walls stand around each sandbox, as LocalExecutor.walls() does.
    await using probe = new LocalExecutor();
    const walls = await probe.walls();
    assert.deepEqual(of("sandbox_walls").map((l) => [l.level, l.os, l.cgroup, l.osSandbox]), [
      ["info", walls.os, walls.cgroup, "auto"],
    ]);
    assert.match(of("sandbox_walls")[0].summary, /^Deno permissions \(none granted\); OS wall: /);
    assert.equal(rec.out(), "", "nothing on stdout");
  } finally {
    stop.abort();
    assert.equal(await serving, 0);
  }
});

Deno.test("codemode mcp --http without metrics.enabled serves no /metrics", async () => {
  await using p = await project("logging:\n  level: info\n");
  const { url, stop, serving } = await serveMcpHttp(p.dir);
  try {
    const res = await fetch(new URL("/metrics", url), { headers: AUTH });
    await res.body?.cancel();
    assert.equal(res.status, 404);
  } finally {
    stop.abort();
    assert.equal(await serving, 0);
  }
});

Deno.test("codemode mcp on stdio logs at logging.level on stderr, and says metrics are served with --http only", async () => {
  await using p = await project("logging:\n  level: warn\nmetrics:\n  enabled: true\n");
  await using conn = await connectStdio(["--config", `${p.dir}/codemode.yaml`]);
  const r = await call(conn.client, "execute_code", { code: "return 1" });
  assert.equal((r.structuredContent as unknown as ExecuteContent).result, 1);
  await call(conn.client, "execute_code", { code: "throw new Error('no')" });
  await waitFor(() => conn.stderr().includes('"msg":"execution"'), 30_000, "the execution's log line");
  const lines = jsonLines(conn.stderr());
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [["warn", "metrics_not_served"], ["warn", "execution"]]);
  assert.equal(lines[1].principal, "mcp-stdio");
});

Deno.test("codemode run logs the config's logging on stderr as JSON lines; --json keeps stdout the result", async () => {
  await using p = await project("logging:\n  level: info\n");
  await Deno.writeTextFile(`${p.dir}/script.ts`, `return (await tools.weather.get({ city: "Oslo" })).tempC`);
  const rec = recordingIo(p.dir);
  assert.equal(await main(["run", "script.ts", "--json"], rec.io), 0);
  const result = JSON.parse(rec.out());
  assert.equal(result.result, 4);
  assert.equal(result.correlationId, result.executionId);
  assert.deepEqual(jsonLines(rec.err()).map((l) => [l.level, l.msg, l.executionId]), [
    ["info", "audit", result.executionId],
    ["info", "execution", result.executionId],
  ]);
});

Deno.test("codemode run says metrics.enabled has no effect there, and logs nothing without logging", async () => {
  await using p = await project("metrics:\n  enabled: true\n");
  await Deno.writeTextFile(`${p.dir}/script.ts`, `return 1`);
  const rec = recordingIo(p.dir);
  assert.equal(await main(["run", "script.ts", "--json"], rec.io), 0);
  assert.equal(
    rec.err(),
    "codemode run: metrics.enabled has no effect here; codemode mcp --http serves them at /metrics\n",
  );
});
