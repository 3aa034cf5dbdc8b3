// Abuse of the MCP server: output floods, huge scripts, malformed JSON-RPC,
// session exhaustion (also by stalled bodies), clients that leave with a
// sandbox running, forged session ids and DNS rebinding. Real sockets, real
// sandboxes, the official SDK client.
// Stopped by: output and body caps, JSON-RPC validation by the SDK, session caps taken only after a complete
// `initialize`, Host/Origin checks, and killing a departed client's executions.
import assert from "node:assert/strict";
import { serveHttp } from "../../src/mcp/server/mod.ts";
import {
  call,
  connectHttp,
  connectStdio,
  DEMO_TOOLS,
  demoCodemode,
  type ExecuteContent,
  INITIALIZE,
  MCP_HEADERS,
  post,
  processEnded,
  rawRequest,
  readResponse,
  stalledPost,
  text,
  theSandbox,
  waitFor,
} from "../mcp/server/_helpers.ts";
import type { LogEvent } from "../../src/mcp/server/mod.ts";

const PROTOCOL = { "Mcp-Protocol-Version": "2025-06-18" };

Deno.test("mcp: a script that floods its output gets a bounded response, and the server stays healthy", async () => {
  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0, maxChars: 5000 });
  try {
    const { client } = await connectHttp(http.url);
    const r = await call(client, "execute_code", {
      code: `
        for (let i = 0; i < 200_000; i++) console.log("flood line " + i + " " + "x".repeat(100));
        return "y".repeat(5_000_000);
      `,
    });
    const s = r.structuredContent as unknown as ExecuteContent;
    const bytes = new TextEncoder().encode(JSON.stringify(r)).length;
    // The limits cap what the sandbox can send back: logs at maxLogBytes (64 KiB),
    // the result at maxResultBytes (1 MiB, then a preview), everything at maxOutputBytes.
    assert.ok(bytes < 200_000, `response is ${bytes} bytes`);
    assert.ok(text(r).length < 12_000, `text is ${text(r).length} chars`);
    assert.ok(["output_limit", "completed"].includes(s.stopReason), s.stopReason);
    const logText = s.logs.reduce((n, l) => n + l.text.length, 0);
    assert.ok(logText < 70_000, `log text is ${logText} chars`);
    // A result over maxResultBytes comes back as a short preview, in the text and the structured content.
    const big = await call(client, "execute_code", { code: `return "y".repeat(3_000_000)` });
    const bigBytes = new TextEncoder().encode(JSON.stringify(big)).length;
    assert.ok(bigBytes < 300_000, `response is ${bigBytes} bytes`); // the preview is the executor's (256 KiB)
    assert.equal(big.isError, true);
    assert.match(text(big), /Partial result/);
    const after = await call(client, "execute_code", { code: "return 40 + 2" });
    assert.equal((after.structuredContent as unknown as ExecuteContent).result, 42);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("mcp: a huge code argument is rejected clearly (stdio: validation error; http: 413)", async () => {
  await using conn = await connectStdio(["--tools", DEMO_TOOLS]);
  const r = await call(conn.client, "execute_code", { code: "// " + "x".repeat(200_000) + "\nreturn 1" });
  assert.equal(r.isError, true);
  assert.match(text(r), /Input validation error: .*code.*(100000|too big|at most)/is);
  const small = await call(conn.client, "execute_code", { code: "return 1" });
  assert.equal((small.structuredContent as unknown as ExecuteContent).result, 1, "the server is healthy after");

  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const huge = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "execute_code", arguments: { code: "x".repeat(2 * 1024 * 1024) } },
    });
    const res = await post(http.url, huge);
    assert.equal(res.status, 413);
    assert.match(res.body, /too large|exceeds/i);
  } finally {
    await http.close();
  }
});

Deno.test("mcp: malformed JSON-RPC over HTTP is 400 and the server stays healthy", async () => {
  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const init = await post(http.url, INITIALIZE);
    const session = { "Mcp-Session-Id": init.headers.get("mcp-session-id")!, ...PROTOCOL };
    const bad = [
      "{not json",
      "",
      "null",
      "42",
      '{"foo": 1}',
      '{"jsonrpc": "1.0", "id": 1, "method": "tools/list"}',
      '{"jsonrpc": "2.0", "id": {"x": 1}, "method": "tools/list"}',
      "[" + '{"bad": true},'.repeat(50) + "1]",
      "\u0000\u0001\u0002",
    ];
    for (const body of bad) {
      const fresh = await post(http.url, body);
      assert.equal(fresh.status, 400, `no session: ${JSON.stringify(body.slice(0, 40))} → ${fresh.status}`);
      const inSession = await post(http.url, body, session);
      assert.equal(inSession.status, 400, `session: ${JSON.stringify(body.slice(0, 40))} → ${inSession.status}`);
    }
    // A non-initialize request without a session opens none.
    const noSession = await post(http.url, JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }));
    assert.equal(noSession.status, 400);
    assert.equal(http.sessionCount, 1);
    const wrongType = await post(http.url, INITIALIZE, { "Content-Type": "text/plain" });
    assert.equal(wrongType.status, 415);
    const { client } = await connectHttp(http.url);
    assert.equal((await client.listTools()).tools.length, 3, "healthy after the garbage");
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("mcp: sessions are capped (503), and a closed one frees its slot", async () => {
  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0, maxSessions: 3 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(http.url, INITIALIZE);
      assert.equal(res.status, 200);
      ids.push(res.headers.get("mcp-session-id")!);
    }
    const full = await Promise.all([post(http.url, INITIALIZE), post(http.url, INITIALIZE)]);
    assert.deepEqual(full.map((r) => r.status), [503, 503]);
    assert.equal(full[0].headers.get("retry-after"), "5");
    assert.match(full[0].body, /Too many open sessions/);
    assert.equal(http.sessionCount, 3);
    // An open session still works while the cap is reached.
    const listed = await post(http.url, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }), {
      "Mcp-Session-Id": ids[0],
      ...PROTOCOL,
    });
    assert.equal(listed.status, 200);
    const del = await fetch(http.url, { method: "DELETE", headers: { "Mcp-Session-Id": ids[1], ...PROTOCOL } });
    await del.body?.cancel();
    assert.equal(del.status, 200);
    assert.equal(http.sessionCount, 2);
    assert.equal((await post(http.url, INITIALIZE)).status, 200);
  } finally {
    await http.close();
  }
});

Deno.test("mcp: a burst of concurrent initialize requests cannot overshoot the session cap", async () => {
  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0, maxSessions: 3 });
  try {
    const burst = await Promise.all(Array.from({ length: 12 }, () => post(http.url, INITIALIZE)));
    const statuses = burst.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, ...Array(9).fill(503)]);
    assert.equal(http.sessionCount, 3);
  } finally {
    await http.close();
  }
});

Deno.test("mcp: idle sessions are closed after sessionIdleMs", async () => {
  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0, sessionIdleMs: 100 });
  try {
    const res = await post(http.url, INITIALIZE);
    assert.equal(res.status, 200);
    assert.equal(http.sessionCount, 1);
    const end = Date.now() + 3000;
    while (http.sessionCount > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    assert.equal(http.sessionCount, 0);
  } finally {
    await http.close();
  }
});

Deno.test("mcp: a forged or unknown session id is 404 for POST, GET and DELETE", async () => {
  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0 });
  try {
    await post(http.url, INITIALIZE); // a real session exists; the forged ids are not it
    for (const id of [crypto.randomUUID(), "../../etc/passwd", "x".repeat(1000)]) {
      const headers = { "Mcp-Session-Id": id, ...PROTOCOL };
      const p = await post(http.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }), headers);
      assert.equal(p.status, 404);
      assert.match(p.body, /Session not found/);
      for (const method of ["GET", "DELETE"]) {
        const res = await fetch(http.url, { method, headers: { ...headers, Accept: "text/event-stream" } });
        await res.body?.cancel();
        assert.equal(res.status, 404, `${method} ${id.slice(0, 20)}`);
      }
    }
    assert.equal(http.sessionCount, 1);
    const get = await fetch(http.url, { method: "GET", headers: { Accept: "text/event-stream" } });
    await get.body?.cancel();
    assert.equal(get.status, 400, "GET without a session id");
  } finally {
    await http.close();
  }
});

Deno.test("mcp: DNS rebinding: Host and Origin that are not loopback are 403, before anything else", async () => {
  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0, apiKey: "k" });
  try {
    const p = http.port;
    const req = (host: string, extra: string[] = []) =>
      rawRequest(p, [
        "POST /mcp HTTP/1.1",
        `Host: ${host}`,
        "Content-Type: application/json",
        "Accept: application/json, text/event-stream",
        "Authorization: Bearer k",
        ...extra,
      ], INITIALIZE);
    // An attacker's page whose domain now resolves to 127.0.0.1 sends its own name as Host.
    assert.equal(await req(`attacker.example:${p}`), 403);
    assert.equal(await req(`127.0.0.1.nip.io:${p}`), 403);
    assert.equal(await req(`localhost.attacker.example:${p}`), 403);
    assert.equal(await req(`0.0.0.0:${p}`), 403);
    assert.equal(await req(`localhost:${p}`, ["Origin: http://attacker.example"]), 403);
    assert.equal(await req(`localhost:${p}`, ["Origin: null"]), 403);
    assert.equal(await req(`localhost:${p}`, [`Origin: http://localhost.attacker.example:${p}`]), 403);
    // Loopback names with the right port, and loopback origins, pass.
    assert.equal(await req(`localhost:${p}`), 200);
    assert.equal(await req(`[::1]:${p}`), 200);
    assert.equal(await req(`127.0.0.1:${p}`, [`Origin: http://127.0.0.1:${p}`]), 200);
    // 403 comes before the key check: a rebinding page learns nothing about the key.
    assert.equal(
      await rawRequest(p, [
        "POST /mcp HTTP/1.1",
        `Host: attacker.example:${p}`,
        ...Object.entries(MCP_HEADERS).map(([k, v]) => `${k}: ${v}`),
      ], INITIALIZE),
      403,
    );
  } finally {
    await http.close();
  }
});

Deno.test("mcp: serving on a non-loopback address without an API key is refused", async () => {
  await using cm = demoCodemode(103);
  await assert.rejects(serveHttp(cm, { port: 0, host: "0.0.0.0" }), /non-loopback host 0\.0\.0\.0 without an API key/);
  await assert.rejects(serveHttp(cm, { port: 0, maxSessions: 0 }), /maxSessions must be a positive integer/);
});

Deno.test("mcp: clients that stall an initialize body hold no session slot, and get 408 at the body deadline", async () => {
  await using cm = demoCodemode(103);
  const http = await serveHttp(cm, { port: 0, maxSessions: 2, bodyTimeoutMs: 1000 });
  const half = INITIALIZE.slice(0, 40);
  const stalled = [
    await stalledPost(http.port, half, INITIALIZE.length),
    await stalledPost(http.port, half, INITIALIZE.length),
  ];
  try {
    // With no API key (the loopback default) any local process can do this.
    const { client } = await connectHttp(http.url);
    assert.equal((await client.listTools()).tools.length, 3, "a legitimate client still gets a session");
    assert.equal(http.sessionCount, 1);
    for (const conn of stalled) {
      const answer = await readResponse(conn, 10_000, "the server answers a stalled body");
      // Deno.serve (2.9.6) leaves the socket open after the answer until the client closes it, so no EOF here.
      assert.match(answer, /^HTTP\/1\.1 408 /, "a stalled body is answered 408");
      assert.match(answer, /\r\nconnection: close\r\n/i);
      assert.match(answer, /Request body not received within 1000 ms \(bodyTimeoutMs\)/);
    }
    const second = await connectHttp(http.url);
    assert.equal(http.sessionCount, 2, "the stalled requests never counted against maxSessions");
    await second.client.close();
    await client.close();
  } finally {
    for (const conn of stalled) {
      try {
        conn.close();
      } catch { /* the server closed it */ }
    }
    await http.close();
  }
});

Deno.test("mcp: bodyTimeoutMs must be a positive integer", async () => {
  await using cm = demoCodemode(103);
  for (const bodyTimeoutMs of [0, -1, 1.5, Number.NaN, Infinity]) {
    await assert.rejects(serveHttp(cm, { port: 0, bodyTimeoutMs }), /bodyTimeoutMs must be a positive integer/);
  }
});

/** A server with one execution slot whose busy scripts would run for minutes, and its log. */
async function oneSlotServer(memoryMb: number) {
  const cm = demoCodemode(memoryMb, {
    limits: { timeoutMs: 300_000 },
    localExecutor: { maxConcurrent: 1, maxQueued: 4 },
  });
  const events: LogEvent[] = [];
  const http = await serveHttp(cm, { port: 0, log: (e) => events.push(e) });
  const killed = () => events.filter((e) => e.event === "execute" && e.stopReason === "killed").length;
  return {
    http,
    events,
    killed,
    async [Symbol.asyncDispose]() {
      await http.close();
      await cm.close();
    },
  };
}

/** The slot is free again: a second script runs to completion with maxConcurrent 1. */
async function assertSlotFree(url: URL): Promise<void> {
  const { client } = await connectHttp(url);
  const r = await call(client, "execute_code", { code: "return 1 + 1" }, { signal: AbortSignal.timeout(20_000) });
  assert.equal((r.structuredContent as unknown as ExecuteContent).result, 2);
  await client.close();
}

Deno.test("mcp: a client that drops its connection has its running and queued executions killed, and the slot freed", async () => {
  const memoryMb = 105;
  await using s = await oneSlotServer(memoryMb);
  const init = await post(s.http.url, INITIALIZE);
  const headers = { ...MCP_HEADERS, ...PROTOCOL, "Mcp-Session-Id": init.headers.get("mcp-session-id")! };
  const notified = await fetch(s.http.url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  await notified.body?.cancel();
  const drop = new AbortController();
  // One script runs; the second waits in the queue for the only slot.
  const requests = [2, 3].map((id) =>
    fetch(s.http.url, {
      method: "POST",
      headers,
      signal: drop.signal,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "execute_code", arguments: { code: "while (true) {}" } },
      }),
    }).then((res) => res.text()).catch((e: Error) => e)
  );
  const pid = await theSandbox(memoryMb);
  drop.abort(); // the client goes away: no notifications/cancelled, just closed connections
  for (const r of await Promise.all(requests)) assert.ok(r instanceof Error);
  await waitFor(() => processEnded(pid), 10_000, `the sandbox ${pid} is killed`);
  await waitFor(() => s.killed() === 2, 10_000, "both executions end with stopReason killed");
  assert.ok(s.events.some((e) => e.event === "client_gone"), "the disconnect is logged");
  await assertSlotFree(s.http.url);
});

Deno.test("mcp: DELETE of a session with a busy execution kills its sandbox and frees the slot", async () => {
  const memoryMb = 107;
  await using s = await oneSlotServer(memoryMb);
  const { client, transport } = await connectHttp(s.http.url);
  const pending = call(client, "execute_code", { code: "while (true) {}" }).catch((e: Error) => e);
  const pid = await theSandbox(memoryMb);
  await transport.terminateSession();
  assert.equal(s.http.sessionCount, 0);
  await waitFor(() => processEnded(pid), 10_000, `the sandbox ${pid} is killed`);
  await waitFor(() => s.killed() === 1, 10_000, "the execution ends with stopReason killed");
  await assertSlotFree(s.http.url);
  await client.close();
  assert.ok(await pending instanceof Error);
});
