// Abuse of the MCP server's 2026-07-28 door (no sessions; each request carries its version in
// `_meta`): clients that leave or cancel with a sandbox running, bodies over the cap or stalled,
// DNS rebinding, listen streams past their cap, and a session table that is full. Real sockets,
// real sandboxes, the official SDK v2 client where a client is needed.
// Stopped by: body caps and deadlines, Host/Origin checks, listen-stream and session caps, and killing a departed
// client's executions.
import assert from "node:assert/strict";
import { type LogEvent, serveHttp } from "../../src/mcp/server/mod.ts";
import {
  connectHttp,
  connectHttpModern,
  demoCodemode,
  type ExecuteContent,
  INITIALIZE,
  modernRequest,
  post,
  processEnded,
  rawRequest,
  readResponse,
  stalledPost,
  theSandbox,
  waitFor,
} from "../mcp/server/_helpers.ts";

function executeCall(id: number, code: string) {
  return modernRequest(id, "tools/call", { name: "execute_code", arguments: { code } }, { name: "execute_code" });
}

/** A server with one execution slot whose busy scripts would run for minutes, and its log. */
async function oneSlotServer(memoryMb: number, extra: { maxSessions?: number; maxSubscriptions?: number } = {}) {
  const cm = demoCodemode(memoryMb, {
    limits: { timeoutMs: 300_000 },
    localExecutor: { maxConcurrent: 1, maxQueued: 4 },
  });
  const events: LogEvent[] = [];
  const http = await serveHttp(cm, { port: 0, log: (e) => events.push(e), ...extra });
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

/** A 2026-07-28 client runs a script to completion: the execution slot is free. */
async function assertModernServed(url: URL): Promise<void> {
  const client = await connectHttpModern(url);
  const r = await client.callTool({ name: "execute_code", arguments: { code: "return 1 + 1" } }, {
    signal: AbortSignal.timeout(20_000),
  });
  assert.equal((r.structuredContent as unknown as ExecuteContent).result, 2);
  await client.close();
}

Deno.test("mcp 2026-07-28: a client that drops its connection has its running and queued executions killed", async () => {
  const memoryMb = 113;
  await using s = await oneSlotServer(memoryMb);
  const drop = new AbortController();
  // One script runs; the second waits in the queue for the only slot. No session, no initialize.
  const requests = [2, 3].map((id) => {
    const { body, headers } = executeCall(id, "while (true) {}");
    return fetch(s.http.url, { method: "POST", headers, body, signal: drop.signal })
      .then((res) => res.text()).catch((e: Error) => e);
  });
  const pid = await theSandbox(memoryMb);
  drop.abort(); // no notifications/cancelled: just closed connections
  for (const r of await Promise.all(requests)) assert.ok(r instanceof Error);
  await waitFor(() => processEnded(pid), 10_000, `the sandbox ${pid} is killed`);
  await waitFor(() => s.killed() === 2, 10_000, "both executions end with stopReason killed");
  assert.ok(s.events.some((e) => e.event === "client_gone"), "the disconnect is logged");
  assert.equal(s.http.sessionCount, 0);
  await assertModernServed(s.http.url);
});

Deno.test("mcp 2026-07-28: a cancelled call (SDK v2 client, AbortSignal) kills its sandbox", async () => {
  const memoryMb = 115;
  await using s = await oneSlotServer(memoryMb);
  const client = await connectHttpModern(s.http.url);
  const cancel = new AbortController();
  const pending = client.callTool({ name: "execute_code", arguments: { code: "while (true) {}" } }, {
    signal: cancel.signal,
  }).catch((e: Error) => e);
  const pid = await theSandbox(memoryMb);
  cancel.abort();
  assert.ok(await pending instanceof Error);
  await waitFor(() => processEnded(pid), 10_000, `the sandbox ${pid} is killed`).catch((e: Error) => {
    throw new Error(`${e.message}; log: ${JSON.stringify(s.events)}`);
  });
  await waitFor(() => s.killed() === 1, 10_000, "the execution ends with stopReason killed");
  const r = await client.callTool({ name: "execute_code", arguments: { code: "return 2" } });
  assert.equal((r.structuredContent as unknown as ExecuteContent).result, 2);
  await client.close();
});

Deno.test("mcp 2026-07-28: bodies are capped (413), malformed ones are 400, stalled ones 408, before the SDK", async () => {
  await using cm = demoCodemode(117);
  const http = await serveHttp(cm, { port: 0, maxBodyBytes: 64 * 1024, bodyTimeoutMs: 1000 });
  const big = executeCall(1, "x".repeat(100_000));
  const stalled = await stalledPost(http.port, big.body.slice(0, 50), 2000);
  try {
    assert.equal((await post(http.url, big.body, big.headers)).status, 413);
    const stream = ReadableStream.from([new TextEncoder().encode(big.body)]);
    const chunked = await fetch(http.url, { method: "POST", body: stream, headers: big.headers });
    await chunked.body?.cancel();
    assert.equal(chunked.status, 413, "without a Content-Length too");
    const headers = modernRequest(1, "tools/list").headers;
    for (const body of ["{not json", "", "null", '{"jsonrpc": "2.0", "id": {"x": 1}, "method": "tools/list"}']) {
      const res = await post(http.url, body, headers);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${res.body}`);
    }
    const answer = await readResponse(stalled, 10_000, "the server answers a stalled body");
    assert.match(answer, /^HTTP\/1\.1 408 /);
    await assertModernServed(http.url);
  } finally {
    try {
      stalled.close();
    } catch { /* closed by the server */ }
    await http.close();
  }
});

Deno.test("mcp 2026-07-28: DNS rebinding Host or Origin is 403 before the key and before the SDK", async () => {
  await using cm = demoCodemode(117);
  const http = await serveHttp(cm, { port: 0, apiKey: "k" });
  try {
    const discover = modernRequest(1, "server/discover");
    const head = (host: string, extra: string[] = []) => [
      "POST /mcp HTTP/1.1",
      `Host: ${host}`,
      ...Object.entries(discover.headers).map(([k, v]) => `${k}: ${v}`),
      ...extra,
    ];
    assert.equal(await rawRequest(http.port, head(`attacker.example:${http.port}`), discover.body), 403);
    assert.equal(
      await rawRequest(http.port, head(`localhost:${http.port}`, ["Origin: http://attacker.example"]), discover.body),
      403,
    );
    assert.equal(await rawRequest(http.port, head(`localhost:${http.port}`), discover.body), 401);
    assert.equal(
      await rawRequest(http.port, head(`localhost:${http.port}`, ["Authorization: Bearer k"]), discover.body),
      200,
    );
  } finally {
    await http.close();
  }
});

Deno.test("mcp 2026-07-28: listen streams are capped, a full session table does not lock out 2026 clients, close() ends the streams", async () => {
  const memoryMb = 119;
  await using s = await oneSlotServer(memoryMb, { maxSessions: 1, maxSubscriptions: 2 });
  // The one 2025-era session slot is taken.
  assert.equal((await post(s.http.url, INITIALIZE)).status, 200);
  assert.equal((await post(s.http.url, INITIALIZE)).status, 503);
  const streams: AbortController[] = [];
  const listen = async (id: number) => {
    const ac = new AbortController();
    streams.push(ac);
    const { body, headers } = modernRequest(id, "subscriptions/listen", { notifications: { toolsListChanged: true } });
    const res = await fetch(s.http.url, { method: "POST", headers, body, signal: ac.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    return { status: res.status, first: first.value ?? "", reader };
  };
  const [a, b, c] = [await listen(1), await listen(2), await listen(3)];
  assert.match(a.first, /notifications\/subscriptions\/acknowledged/);
  assert.match(b.first, /notifications\/subscriptions\/acknowledged/);
  assert.match(c.first, /Subscription limit reached/, "the third stream is refused in-band");
  // Executions still run for a 2026 client while the session table is full.
  await assertModernServed(s.http.url);
  const ended = Promise.all([a, b].map(async (x) => {
    while (!(await x.reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
  }));
  await s.http.close();
  await ended; // the open listen streams end when the server closes
  for (const ac of streams) ac.abort();
});

Deno.test("mcp 2026-07-28: a forged session id is 404, and with no session open 2026 requests are still served", async () => {
  await using cm = demoCodemode(117);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const old = await connectHttp(http.url);
    const { body, headers } = modernRequest(1, "tools/list");
    const forged = await post(http.url, body, { ...headers, "Mcp-Session-Id": crypto.randomUUID() });
    assert.equal(forged.status, 404);
    await old.transport.terminateSession();
    assert.equal(http.sessionCount, 0);
    assert.equal((await post(http.url, body, headers)).status, 200, "2026 requests need no session");
    await old.client.close();
  } finally {
    await http.close();
  }
});
