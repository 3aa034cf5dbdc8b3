// A service that cannot be reached, is lost, stops answering or misbehaves:
// the host gets a clear result (stopReason unavailable, or a ProtocolError),
// never a hang; only what cannot have started the script is tried again.
import assert from "node:assert/strict";
import { DEFAULT_LIMITS, type ExecutionResult, RemoteExecutor, type RemoteExecutorOptions } from "../../mod.ts";
import { REMOTE_PROTOCOL_VERSION } from "../../src/rpc/remote.ts";

type Script = (socket: WebSocket, start: Record<string, unknown>, connection: number) => void;

/** A fake service: each connection's start is handed to `script`; `status` may refuse the upgrade instead. */
function fakeService(script: Script, status?: (connection: number) => number | undefined) {
  let connections = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const n = ++connections;
    const refuse = status?.(n);
    if (refuse) return new Response("no", { status: refuse });
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === "start") script(socket, m, n);
    };
    return response;
  });
  return {
    url: new URL(`http://127.0.0.1:${server.addr.port}/`),
    get connections() {
      return connections;
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function run(url: URL, options: Partial<RemoteExecutorOptions> = {}): Promise<ExecutionResult> {
  const executor = new RemoteExecutor({ url, retryDelayMs: 10, ...options });
  return executor.execute({
    executionId: "e-1",
    code: "return 1",
    limits: { ...DEFAULT_LIMITS },
    invoke: () => Promise.resolve(null),
  });
}

const accepted = (start: Record<string, unknown>, heartbeatMs = 5000) =>
  JSON.stringify({
    type: "accepted",
    protocol: REMOTE_PROTOCOL_VERSION,
    executionId: start.executionId,
    limits: start.limits,
    clamped: [],
    heartbeatMs,
    maxToolResultChars: 1000,
  });

const result = (start: Record<string, unknown>, stopReason: string) =>
  JSON.stringify({
    type: "result",
    result: {
      executionId: start.executionId,
      ok: stopReason === "completed",
      stopReason,
      ...(stopReason === "completed" ? { result: 1 } : { error: { name: "BusyError", message: "busy" } }),
      logs: [],
      toolCalls: [],
      durationMs: 1,
    },
  });

Deno.test("a refused connection is tried again a bounded number of times, then is unavailable", async () => {
  const probe = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const r = await run(new URL(`http://127.0.0.1:${port}/`), { retries: 2 });
  assert.equal(r.stopReason, "unavailable");
  assert.equal(r.error?.name, "UnavailableError");
  assert.match(r.error!.message, /Cannot reach the executor service/);
});

Deno.test("a 503 before the start, and a busy result, are tried again; the next attempt runs", async () => {
  await using fake = fakeService((socket, start, n) => {
    if (n === 2) return socket.send(result(start, "busy"));
    socket.send(accepted(start));
    socket.send(JSON.stringify({ type: "started", executionId: start.executionId }));
    socket.send(result(start, "completed"));
  }, (n) => n === 1 ? 503 : undefined);
  const r = await run(fake.url, { retries: 2 });
  assert.equal(r.stopReason, "completed");
  assert.equal(fake.connections, 3);
});

Deno.test("a service that accepts the connection but never answers is unavailable after connectTimeoutMs", async () => {
  await using fake = fakeService(() => {});
  const r = await run(fake.url, { connectTimeoutMs: 1500 });
  assert.equal(r.stopReason, "unavailable");
  assert.match(r.error!.message, /did not answer within 1500 ms/);
  assert.equal(fake.connections, 1, "a silent service is not tried again: the script may have started");
});

Deno.test("a service that stops sending heartbeats is unavailable", async () => {
  await using fake = fakeService((socket, start) => {
    socket.send(accepted(start, 200));
    socket.send(JSON.stringify({ type: "started", executionId: start.executionId }));
  });
  const r = await run(fake.url, { connectTimeoutMs: 1000 });
  assert.equal(r.stopReason, "unavailable");
  assert.match(r.error!.message, /sent nothing for 1600 ms/);
});

Deno.test("a connection lost mid-execution is unavailable, and not tried again", async () => {
  await using fake = fakeService((socket, start) => {
    socket.send(accepted(start));
    socket.send(JSON.stringify({ type: "started", executionId: start.executionId }));
    socket.close();
  });
  const r = await run(fake.url);
  assert.equal(r.stopReason, "unavailable");
  assert.match(r.error!.message, /lost during the execution/);
  assert.equal(fake.connections, 1);
});

Deno.test("a service of another protocol version is named as such", async () => {
  await using fake = fakeService((socket, start) =>
    socket.send(accepted(start).replace(`"protocol":1`, `"protocol":2`))
  );
  const r = await run(fake.url);
  assert.equal(r.stopReason, "unavailable");
  assert.match(r.error!.message, /protocol version 2, but this side speaks version 1/);
});

Deno.test("malformed service messages, results of other executions and forged tool calls are protocol errors", async () => {
  const cases: [string, (socket: WebSocket, start: Record<string, unknown>) => void, RegExp][] = [
    ["garbage", (s) => s.send("{nope"), /not JSON/],
    ["binary", (s) => s.send(new Uint8Array([1, 2])), /binary/],
    ["unknown type", (s) => s.send(JSON.stringify({ type: "surprise" })), /malformed/],
    ["other execution", (s, start) => s.send(result({ ...start, executionId: "other" }, "completed")), /another/],
    ["bad result", (s) => s.send(JSON.stringify({ type: "result", result: { ok: true } })), /not an ExecutionResult/],
    [
      "tool call before started",
      (s, start) => {
        s.send(accepted(start));
        s.send(JSON.stringify({ type: "tool_call", executionId: start.executionId, id: 1, tool: "x", input: {} }));
      },
      /unexpected tool call/,
    ],
  ];
  for (const [name, script, message] of cases) {
    await using fake = fakeService(script);
    const r = await run(fake.url);
    assert.equal(r.stopReason, "error", name);
    assert.equal(r.error?.name, "ProtocolError", name);
    assert.match(r.error!.message, message, name);
  }
});

Deno.test("the executor URL must be http(s) or ws(s); a bare origin gets the /execute path", () => {
  assert.throws(() => new RemoteExecutor({ url: "ftp://x" }), /http\(s\) or ws\(s\)/);
  assert.equal(new RemoteExecutor({ url: "https://exec.example:8443" }).url.href, "wss://exec.example:8443/execute");
  assert.equal(new RemoteExecutor({ url: "ws://h:1/custom" }).url.href, "ws://h:1/custom");
});
