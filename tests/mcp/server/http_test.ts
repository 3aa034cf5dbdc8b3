// `serveHttp`: Streamable HTTP on 127.0.0.1 with a random free port, the
// official SDK client, raw fetch/TCP for the header cases, real sandboxes.
import assert from "node:assert/strict";
import { serveHttp } from "../../../src/mcp/server/mod.ts";
import {
  call,
  connectHttp,
  demoCodemode,
  type ExecuteContent,
  INITIALIZE,
  MCP_HEADERS,
  post,
  rawRequest,
  ROOT,
  sandboxes,
  SERVE,
  text,
  waitFor,
} from "./_helpers.ts";

const KEY = "test-key-0123456789";
const AUTH = { Authorization: `Bearer ${KEY}` };

Deno.test("http: the SDK client lists the three tools and runs every one, with a bearer key", async () => {
  await using cm = demoCodemode(95);
  const http = await serveHttp(cm, { port: 0, apiKey: KEY });
  try {
    assert.equal(http.url.href, `http://127.0.0.1:${http.port}/mcp`);
    const { client } = await connectHttp(http.url, AUTH);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ["execute_code", "search_tools", "get_tool_types"]);
    const r = await call(client, "execute_code", {
      code: `const w = await tools.weather.get({ city: "Pune" }); console.log(w.tempC); return w.city;`,
    });
    const s = r.structuredContent as unknown as ExecuteContent;
    assert.equal(s.result, "Pune");
    assert.deepEqual(s.toolCalls.map((c) => c.tool), ["weather.get"]);
    assert.match(text(r), /\[log\] 31/);
    const search = await call(client, "search_tools", { query: "orders city" });
    assert.equal((search.structuredContent as { matches: { name: string }[] }).matches[0].name, "db.orders.list");
    assert.match(text(await call(client, "get_tool_types", { names: ["weather"] })), /weather: \{/);
    assert.equal(http.sessionCount, 1);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("http: a wrong or missing API key is 401; Host and Origin not loopback are 403", async () => {
  await using cm = demoCodemode(95);
  const http = await serveHttp(cm, { port: 0, apiKey: KEY, allowedOrigins: ["https://app.example.com"] });
  try {
    const missing = await post(http.url, INITIALIZE);
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal((await post(http.url, INITIALIZE, { Authorization: "Bearer wrong" })).status, 401);
    assert.equal((await post(http.url, INITIALIZE, { Authorization: KEY })).status, 401, "the Bearer scheme is needed");
    assert.equal((await post(http.url, INITIALIZE, { Authorization: `Bearer ${KEY}x` })).status, 401);

    const head = (host: string) => [`POST /mcp HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${KEY}`];
    assert.equal(await rawRequest(http.port, head(`evil.example:${http.port}`), INITIALIZE), 403);
    assert.equal(await rawRequest(http.port, head(`localhost:${http.port + 1}`), INITIALIZE), 403);
    assert.equal(await rawRequest(http.port, head("127.0.0.1"), INITIALIZE), 403, "the port is part of Host");

    const evil = await post(http.url, INITIALIZE, { ...AUTH, Origin: "http://evil.example" });
    assert.equal(evil.status, 403);
    assert.match(evil.body, /Origin is not allowed/);
    const ok = await post(http.url, INITIALIZE, { ...AUTH, Origin: "http://localhost:5173" });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), "http://localhost:5173");
    assert.ok(ok.headers.get("mcp-session-id"));
    const listed = await post(http.url, INITIALIZE, { ...AUTH, Origin: "https://app.example.com" });
    assert.equal(listed.status, 200);
    const preflight = await fetch(http.url, { method: "OPTIONS", headers: { Origin: "https://app.example.com" } });
    await preflight.body?.cancel();
    assert.equal(preflight.status, 204, "a preflight needs no key");
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /Mcp-Session-Id/);
    assert.equal((await post(new URL("/other", http.url), INITIALIZE, AUTH)).status, 404);
  } finally {
    await http.close();
  }
});

Deno.test("http: a body over maxBodyBytes is 413, with and without a session", async () => {
  await using cm = demoCodemode(95);
  const http = await serveHttp(cm, { port: 0, maxBodyBytes: 64 * 1024 });
  try {
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "execute_code", arguments: { code: "x".repeat(100_000) } },
    });
    const fresh = await post(http.url, big);
    assert.equal(fresh.status, 413);
    const init = await post(http.url, INITIALIZE);
    const session = init.headers.get("mcp-session-id")!;
    const inSession = await post(http.url, big, { "Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-06-18" });
    assert.equal(inSession.status, 413);
    // Streamed without a Content-Length, the cap still holds.
    const stream = ReadableStream.from([new TextEncoder().encode(big)]);
    const chunked = await fetch(http.url, { method: "POST", body: stream, headers: MCP_HEADERS });
    assert.equal(chunked.status, 413);
    await chunked.body?.cancel();
  } finally {
    await http.close();
  }
});

Deno.test("http: DELETE ends a session, kills its execution, and the id is then unknown (404)", async () => {
  const memoryMb = 97;
  await using cm = demoCodemode(memoryMb);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client, transport } = await connectHttp(http.url);
    const pending = call(client, "execute_code", { code: "await new Promise(() => setInterval(() => {}, 1000));" })
      .catch((e: Error) => e);
    await waitFor(async () => (await sandboxes(memoryMb)).length === 1, 10_000, "the sandbox runs");
    const id = transport.sessionId!;
    assert.equal(http.sessionCount, 1);
    await transport.terminateSession();
    assert.equal(http.sessionCount, 0);
    await waitFor(async () => (await sandboxes(memoryMb)).length === 0, 5000, "the sandbox is killed");
    const again = await post(http.url, JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }), {
      "Mcp-Session-Id": id,
    });
    assert.equal(again.status, 404);
    await client.close();
    void pending;
  } finally {
    await http.close();
  }
});

Deno.test("http: close() with an execution in flight ends it and leaves no sandbox process", async () => {
  const memoryMb = 99;
  await using cm = demoCodemode(memoryMb);
  const http = await serveHttp(cm, { port: 0 });
  const { client } = await connectHttp(http.url);
  const pending = call(client, "execute_code", { code: "while (true) {}" }).catch((e: Error) => e);
  await waitFor(async () => (await sandboxes(memoryMb)).length === 1, 10_000, "the sandbox runs");
  const started = Date.now();
  await http.close();
  // The script's own timeout is 30 s: well under it means close() did not wait for it.
  assert.ok(Date.now() - started < 15_000, "close() does not wait for the script's own timeout");
  // The execution ends once its sandbox's process group is sent SIGKILL; the kernel takes a few ms more to remove it.
  await waitFor(async () => (await sandboxes(memoryMb)).length === 0, 10_000, "no sandbox survives close()");
  assert.equal(http.sessionCount, 0);
  await http.finished;
  await client.close();
  assert.ok(await pending instanceof Error, "the client's request fails");
  await assert.rejects(fetch(http.url), "the listener is gone");
});

Deno.test("http: the CLI launcher serves --http on a free port, logs the URL, and stops on SIGTERM", async () => {
  const memoryMb = 101;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      SERVE,
      "--tools",
      "examples/demo/tools.ts",
      "--http",
      "--port",
      "0",
      "--memory",
      String(memoryMb),
      "--pool", // no warm pool: its waiting children would count as sandboxes here
      "0",
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { CODEMODE_API_KEY: KEY, NO_COLOR: "1" },
  }).spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  let url: URL | undefined;
  while (!url) {
    const { value, done } = await lines.read();
    assert.ok(!done, `exited early: ${stderr}`);
    stderr += value;
    const m = /"msg":"listening","transport":"http","url":"([^"]+)"/.exec(stderr);
    if (m) url = new URL(m[1]);
  }
  const drained = (async () => {
    for (let r = await lines.read(); !r.done; r = await lines.read()) stderr += r.value;
  })();
  try {
    assert.equal((await post(url, INITIALIZE)).status, 401, "CODEMODE_API_KEY from the environment is required");
    const { client } = await connectHttp(url, AUTH);
    const pending = call(client, "execute_code", { code: "while (true) {}" }).catch((e: Error) => e);
    await waitFor(async () => (await sandboxes(memoryMb, child.pid)).length === 1, 10_000, "the sandbox runs");
    child.kill("SIGTERM");
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.deepEqual(await sandboxes(memoryMb), []);
    await client.close(); // the server ended the request's stream without a reply: closing fails it now
    assert.ok(await pending instanceof Error);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
    await drained;
    assert.equal(new TextDecoder().decode(await new Response(child.stdout).arrayBuffer()), "", "nothing on stdout");
  }
  assert.match(stderr, /"msg":"stopped","transport":"http"/);
});
