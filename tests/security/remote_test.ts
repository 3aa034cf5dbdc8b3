// Abuse of the executor service's doors: forged and replayed tool results,
// replies for other executions, oversized and malformed messages, binary
// frames, floods, other protocol versions, limits over the ceilings, and
// unauthenticated or cross-origin upgrades. Every one ends its connection
// (and execution) cleanly; the service stays healthy.
// Stopped by: bearer API keys and Host/Origin checks before the upgrade, one versioned zod-validated message format
// with size caps (floods and silence end the connection), limits clamped to the service's ceilings, and the static
// validator run again.
import assert from "node:assert/strict";
import { KEY, RawClient, remoteCodemode, startService, waitFor } from "../remote/_helpers.ts";
import type { ExecutorService } from "../../executor/service/mod.ts";
import type { ClampedLimit } from "../../mod.ts";

const HANG = `await tools.x.y({}); await new Promise(() => setInterval(() => {}, 1000))`;

async function healthy(service: ExecutorService): Promise<void> {
  await waitFor("no execution left", () => service.load().running === 0 && service.load().queued === 0);
  await using cm = remoteCodemode(service);
  assert.equal((await cm.execute("return 7")).result, 7);
}

/** A client whose script waits in a tool call (id 1). */
async function waitingInToolCall(service: ExecutorService, id: string): Promise<RawClient> {
  const client = new RawClient(service.url);
  await client.opened;
  client.start(id, HANG);
  const call = await client.nextOf("tool_call");
  assert.deepEqual([call.id, call.tool], [1, "x.y"]);
  return client;
}

async function protocolResult(
  client: RawClient,
): Promise<{ stopReason: string; error: { name: string; message: string } }> {
  const m = await client.nextOf("result");
  assert.equal(m.type, "result");
  const result = m.result as { stopReason: string; error: { name: string; message: string } };
  assert.equal(result.stopReason, "error");
  assert.equal(result.error.name, "ProtocolError");
  await client.closed;
  return result;
}

Deno.test("a forged tool result for a call never made ends that execution with a ProtocolError", async () => {
  await using service = await startService();
  const client = await waitingInToolCall(service, "forge-1");
  client.send({ type: "tool_result", executionId: "forge-1", id: 99, ok: true, value: "forged" });
  assert.match((await protocolResult(client)).error.message, /tool call 99, which was never made/);
  await healthy(service);
});

Deno.test("a second result for the same tool call is a ProtocolError", async () => {
  await using service = await startService();
  const client = await waitingInToolCall(service, "twice-1");
  client.send({ type: "tool_result", executionId: "twice-1", id: 1, ok: true, value: 1 });
  client.send({ type: "tool_result", executionId: "twice-1", id: 1, ok: true, value: 2 });
  assert.match((await protocolResult(client)).error.message, /a second result for tool call 1/);
  await healthy(service);
});

Deno.test("a reply naming another execution ends only the connection it came on", async () => {
  await using service = await startService();
  const a = await waitingInToolCall(service, "exec-a");
  const b = await waitingInToolCall(service, "exec-b");
  a.send({ type: "tool_result", executionId: "exec-b", id: 1, ok: true, value: "stolen" });
  assert.match((await protocolResult(a)).error.message, /for execution "exec-b", not this connection's/);
  b.send({ type: "cancel", executionId: "exec-b" });
  const rb = await b.nextOf("result");
  assert.equal((rb.result as { stopReason: string }).stopReason, "killed");
  await healthy(service);
});

Deno.test("a start over the size cap, or with keys the protocol lacks (a tool manifest), is refused", async () => {
  await using service = await startService({ limits: { maxCodeBytes: 10_000 } });
  const huge = new RawClient(service.url);
  await huge.opened;
  huge.start("huge-1", "return 1;" + " ".repeat(200_000));
  const m = await huge.next();
  assert.deepEqual([m.type, m.code], ["error", "too_large"]);
  assert.equal((await huge.closed).code, 1009);
  const manifest = new RawClient(service.url);
  await manifest.opened;
  manifest.start("manifest-1", "return 1", { manifest: [{ name: "x.y", inputSchema: {} }] });
  const n = await manifest.next();
  assert.deepEqual([n.type, n.code], ["error", "malformed"]);
  assert.match(String(n.message), /manifest/);
  await healthy(service);
});

Deno.test("limits over the service's ceilings are clamped, said in accepted, and the errors name the ceiling", async () => {
  await using service = await startService({ limits: { timeoutMs: 2000 } });
  const clamped: ClampedLimit[][] = [];
  await using cm = remoteCodemode(service, { limits: { timeoutMs: 600_000 } }, {
    onLimitsClamped: (c) => clamped.push(c),
  });
  const r = await cm.execute("while (true) {}");
  assert.equal(r.stopReason, "timeout");
  assert.match(r.error!.message, /longer than 2000 ms/);
  assert.deepEqual(clamped, [[{ limit: "timeoutMs", asked: 600_000, applied: 2000 }]]);
  const client = new RawClient(service.url);
  await client.opened;
  client.start("unknown-limit", "return 1", { limits: { maxConcurrent: 100 } });
  const m = await client.next();
  assert.deepEqual([m.type, m.code], ["error", "malformed"]);
  assert.match(String(m.message), /unknown limit "maxConcurrent"/);
});

Deno.test("the service re-runs the static validator itself", async () => {
  await using service = await startService({ deniedPatterns: [{ pattern: /forbidden/, reason: "not here" }] });
  await using cm = remoteCodemode(service);
  const r = await cm.execute("return 'forbidden'");
  assert.equal(r.stopReason, "rejected");
  assert.equal(r.error?.name, "ValidationError");
  assert.match(r.error!.message, /not here/);
});

Deno.test("another protocol version is refused by name", async () => {
  await using service = await startService();
  const client = new RawClient(service.url);
  await client.opened;
  client.send({ type: "start", protocol: 2, executionId: "v2", code: "return 1", limits: {}, newField: true });
  const m = await client.next();
  assert.deepEqual([m.type, m.code, m.protocol], ["error", "version", 1]);
  assert.match(String(m.message), /protocol version 2, but this side speaks version 1/);
  await client.closed;
});

Deno.test("binary frames, malformed JSON, floods and silence end the connection cleanly", async () => {
  await using service = await startService({ startTimeoutMs: 1500 });
  const binary = new RawClient(service.url);
  await binary.opened;
  binary.send(new Uint8Array([123, 125]));
  assert.deepEqual([(await binary.next()).code, (await binary.closed).code], ["malformed", 1003]);

  const midBinary = await waitingInToolCall(service, "bin-2");
  midBinary.send(new Uint8Array(10));
  assert.match((await protocolResult(midBinary)).error.message, /binary frame/);

  const garbage = new RawClient(service.url);
  await garbage.opened;
  garbage.send("{not json");
  assert.equal((await garbage.next()).code, "malformed");

  const flood = await waitingInToolCall(service, "flood-1");
  for (let i = 0; i < 5000; i++) flood.send({ type: "heartbeat", n: i });
  assert.match((await protocolResult(flood)).error.message, /malformed message "heartbeat"/);

  const silent = new RawClient(service.url);
  await silent.opened;
  const m = await silent.next();
  assert.deepEqual([m.type, m.code], ["error", "timeout"]);
  await healthy(service);
});

Deno.test("upgrades without a key, or with a foreign Host or any Origin, are refused before the socket opens", async () => {
  await using service = await startService();
  const url = new URL("/execute", service.url);
  const upgrade = { Upgrade: "websocket", Connection: "Upgrade" };
  const cases: [Record<string, string>, number][] = [
    [upgrade, 401],
    [{ ...upgrade, Authorization: "Bearer " }, 401],
    [{ ...upgrade, Authorization: `Basic ${btoa(KEY)}` }, 401],
    [{ ...upgrade, Authorization: `Bearer ${KEY}` }, 400],
    [{ ...upgrade, Authorization: `Bearer ${KEY}`, Origin: "https://evil.example" }, 403],
    [{ ...upgrade, Authorization: `Bearer ${KEY}`, Origin: `http://127.0.0.1:${service.port}` }, 403],
  ];
  for (const [headers, status] of cases) {
    const res = await fetch(url, { headers });
    assert.equal(res.status, status, JSON.stringify(headers));
    const body = await res.json();
    assert.ok(!JSON.stringify(body).includes(KEY));
  }
  const client = new RawClient(service.url, "");
  await assert.rejects(client.opened, /401/);
  const upgradeHeaders = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  assert.match(await rebindingRequest(service.port, "/execute", upgradeHeaders), /^HTTP\/1\.1 403/);
});

/**
 * Sends a GET with the key but a rebinding domain as Host (fetch() sends its
 * own Host, so this writes the request itself); returns the response's head.
 */
async function rebindingRequest(port: number, path: string, headers: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request =
      `GET ${path} HTTP/1.1\r\nHost: evil.example:${port}\r\nAuthorization: Bearer ${KEY}\r\n${headers}\r\n`;
    await conn.write(new TextEncoder().encode(request));
    const head = new Uint8Array(64);
    const n = await conn.read(head);
    return new TextDecoder().decode(head.subarray(0, n ?? 0));
  } finally {
    conn.close();
  }
}

Deno.test("a non-loopback service without API keys is refused", async () => {
  const { serveExecutor } = await import("../../executor/service/mod.ts");
  await assert.rejects(serveExecutor({ hostname: "0.0.0.0", port: 0 }), /without API keys/);
  await assert.rejects(serveExecutor({ port: 0, apiKeys: ["short"] }), /shorter than 16/);
});

Deno.test("codemode serve on a non-loopback hostname without API keys is a usage error naming the fix", async () => {
  const { serveCommand } = await import("../../src/cli/serve.ts");
  const dir = await Deno.makeTempDir();
  try {
    const io = { out: () => {}, err: () => {}, readStdin: () => Promise.resolve(""), cwd: dir };
    await assert.rejects(
      serveCommand(["--hostname", "0.0.0.0", "--port", "0"], io, { env: () => undefined }),
      /--hostname 0\.0\.0\.0 is not loopback: set service\.apiKeys in the config or CODEMODE_API_KEYS/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the service's /metrics: no key, a wrong key, a rebinding Host or any Origin are refused, and say nothing", async () => {
  const { Observability } = await import("../../src/observability/mod.ts");
  await using service = await startService({ observability: new Observability({ logLevel: "silent" }) });
  const url = new URL("/metrics", service.url);
  const attempts: Record<string, string>[] = [
    {},
    { Authorization: "Bearer not-the-key-0123456789" },
    { Authorization: `Bearer ${KEY}`, Origin: "http://127.0.0.1" },
  ];
  for (const headers of attempts) {
    const res = await fetch(url, { headers });
    const body = await res.text();
    assert.ok(res.status === 401 || res.status === 403, `${JSON.stringify(headers)}: ${res.status}`);
    assert.ok(!body.includes("codemode_"), "no metric leaks in a refusal");
  }
  assert.match(await rebindingRequest(service.port, "/metrics", "Connection: close\r\n"), /^HTTP\/1\.1 403/);
});

Deno.test("codemode serve --pool and service.pool take a small whole number, or stop naming the flag or key", async () => {
  const { serveCommand } = await import("../../src/cli/serve.ts");
  const { parseConfig } = await import("../../src/config/mod.ts");
  const io = { out: () => {}, err: () => {}, readStdin: () => Promise.resolve(""), cwd: "/nonexistent" };
  for (const value of ["-1", "many", "100000"]) {
    await assert.rejects(serveCommand(["--pool", value, "--port", "0"], io, { env: () => undefined }), /--pool/);
  }
  for (const size of ["-1", "x", "100000"]) {
    assert.throws(() => parseConfig(`service:\n  pool:\n    size: ${size}\n`, "c.yaml"), /service\.pool\.size/);
  }
  assert.throws(() => parseConfig(`service:\n  pool:\n    size: 1\n    warm: yes\n`, "c.yaml"), /service\.pool/);
});
