// The executor service with real sandboxes: health and readiness, API keys,
// a burst of executions past its slots, a host that disconnects or cancels,
// and the observer seam.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool, type ExecutionResult } from "../../mod.ts";
import type { ExecutionEndEvent, ServiceObserver } from "../../executor/service/mod.ts";
import { alive, hostPidOf, KEY, pidProbe, RawClient, remoteCodemode, startService, waitFor } from "./_helpers.ts";

Deno.test("GET /health answers without a key; GET /ready is 503 with every slot taken", async () => {
  await using service = await startService({ maxConcurrent: 1 });
  const health = await fetch(new URL("/health", service.url));
  assert.deepEqual([health.status, await health.json()], [200, { status: "ok" }]);
  const ready = await fetch(new URL("/ready", service.url));
  assert.equal(ready.status, 200);
  assert.equal((await ready.json()).status, "ready");
  const probe = pidProbe();
  await using cm = remoteCodemode(service, { tools: [probe.tool] });
  const stop = new AbortController();
  const running = cm.execute(
    `await tools.probe.pid({ main: Deno.mainModule }); await new Promise(() => setInterval(() => {}, 1000))`,
    { signal: stop.signal },
  );
  await probe.reported;
  const saturated = await fetch(new URL("/ready", service.url));
  assert.equal(saturated.status, 503);
  assert.equal((await saturated.json()).status, "saturated");
  stop.abort();
  assert.equal((await running).stopReason, "killed");
});

Deno.test("an unknown path is a 404; a plain GET of /execute asks for an upgrade", async () => {
  await using service = await startService();
  const nope = await fetch(new URL("/nope", service.url));
  assert.equal(nope.status, 404);
  await nope.body?.cancel();
  const plain = await fetch(new URL("/execute", service.url), { headers: { Authorization: `Bearer ${KEY}` } });
  assert.equal(plain.status, 426);
  await plain.body?.cancel();
});

Deno.test("API keys: none or a wrong one is a 401 without detail; every configured key works (rotation)", async () => {
  const seen: string[] = [];
  const observer: ServiceObserver = { executionEnded: (e) => seen.push(e.keyId ?? "?") };
  const rotated = "rotated-key-0123456789abcdef";
  await using service = await startService({ apiKeys: [KEY, { id: "new", key: rotated }], observer });
  for (const key of [undefined, "wrong-key-0123456789abcdef"]) {
    const res = await fetch(new URL("/execute", service.url), {
      headers: { Upgrade: "websocket", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error: "Unauthorized" });
    await using cm = remoteCodemode(service, {}, { apiKey: key ?? "" });
    const r = await cm.execute("return 1");
    assert.equal(r.stopReason, "unavailable");
    assert.match(r.error!.message, /refused the API key \(401\)/);
  }
  for (const key of [KEY, rotated]) {
    await using cm = remoteCodemode(service, {}, { apiKey: key });
    assert.equal((await cm.execute("return 2")).result, 2);
  }
  assert.equal(seen.length, 2);
  assert.match(seen[0], /^key-[0-9a-f]{8}$/);
  assert.equal(seen[1], "new");
});

Deno.test("50 executions at once with 4 slots and 10 queued: 14 complete, 36 get a clear busy", async () => {
  await using service = await startService({ maxConcurrent: 4, maxQueued: 10 });
  let busy = 0;
  let atGate = 0;
  let mostAtGate = 0;
  const open = Promise.withResolvers<void>();
  const check = () => busy + atGate >= 40 && open.resolve();
  const gate = defineTool({
    name: "gate.wait",
    input: z.object({}),
    handler: async () => {
      atGate++;
      mostAtGate = Math.max(mostAtGate, atGate);
      check();
      await open.promise;
      atGate--;
      return "through";
    },
  });
  await using cm = remoteCodemode(service, { tools: [gate] }, { retries: 0 });
  const runs = Array.from(
    { length: 50 },
    () =>
      cm.execute(`return await tools.gate.wait({})`, { limits: { timeoutMs: 120_000 } }).then((r) => {
        if (r.stopReason === "busy") busy++, check();
        return r;
      }),
  );
  const results: ExecutionResult[] = await Promise.all(runs);
  const count = (reason: string) => results.filter((r) => r.stopReason === reason).length;
  assert.deepEqual({ completed: count("completed"), busy: count("busy") }, { completed: 14, busy: 36 });
  assert.ok(mostAtGate <= 4, `${mostAtGate} sandboxes ran at once`);
  const refusal = results.find((r) => r.stopReason === "busy")!;
  assert.equal(refusal.error?.name, "BusyError");
  assert.match(refusal.error!.message, /4 running and 10 queued/);
  await waitFor("the slots to be free", () => service.load().running === 0 && service.load().queued === 0);
});

Deno.test("a host that disconnects mid-execution has its sandbox killed, and no slot is kept", async () => {
  const ended: ExecutionEndEvent[] = [];
  await using service = await startService({ observer: { executionEnded: (e) => ended.push(e) } });
  const client = new RawClient(service.url);
  await client.opened;
  client.start(
    "gone-1",
    `await tools.probe.pid({ main: Deno.mainModule }); await new Promise(() => setInterval(() => {}, 1000))`,
    {
      limits: { timeoutMs: 120_000 },
    },
  );
  const call = await client.nextOf("tool_call");
  const pid = await hostPidOf((call.input as { main: string }).main);
  assert.ok(await alive(pid), "the sandbox runs");
  client.socket.close();
  await waitFor(`sandbox ${pid} to be gone`, async () => !await alive(pid));
  await waitFor("the slot to be free", () => service.load().running === 0 && service.load().connections === 0);
  await waitFor("the end to be observed", () => ended.length === 1);
  assert.deepEqual([ended[0].stopReason, ended[0].delivered], ["killed", false]);
});

Deno.test("cancelling from the host kills the sandbox and still gives the service's result", async () => {
  await using service = await startService();
  const probe = pidProbe();
  await using cm = remoteCodemode(service, { tools: [probe.tool] });
  const ac = new AbortController();
  const running = cm.execute(
    `console.log("before"); await tools.probe.pid({ main: Deno.mainModule }); await new Promise(() => setInterval(() => {}, 1000))`,
    { signal: ac.signal, limits: { timeoutMs: 120_000 } },
  );
  const pid = await probe.reported;
  ac.abort();
  const r = await running;
  assert.equal(r.stopReason, "killed");
  assert.equal(r.error?.message, "The execution was cancelled by the host");
  assert.deepEqual(r.logs.map((l) => l.text), ["before"]);
  assert.deepEqual(r.toolCalls.map((c) => c.tool), ["probe.pid"]);
  await waitFor(`sandbox ${pid} to be gone`, async () => !await alive(pid));
});

Deno.test("correlation id and trace headers reach the service's observer", async () => {
  const started: unknown[] = [];
  await using service = await startService({ observer: { executionStarted: (e) => started.push(e) } });
  const { RemoteExecutor, DEFAULT_LIMITS } = await import("../../mod.ts");
  await using executor = new RemoteExecutor({ url: service.url, apiKey: KEY });
  const traceHeaders = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
  const r = await executor.execute({
    executionId: "e-1",
    code: "return 1",
    limits: { ...DEFAULT_LIMITS },
    invoke: () => Promise.reject(new Error("no tools")),
    correlationId: "req-42",
    traceHeaders,
  });
  assert.equal(r.result, 1);
  assert.deepEqual(started, [{
    executionId: "e-1",
    keyId: started.length ? (started[0] as { keyId: string }).keyId : "",
    correlationId: "req-42",
    traceHeaders,
  }]);
});

Deno.test("a Codemode made with remoteExecutor owns it: close() ends the execution in flight and its sandbox", async () => {
  await using service = await startService();
  const probe = pidProbe();
  const { Codemode } = await import("../../mod.ts");
  const cm = new Codemode({ tools: [probe.tool], remoteExecutor: { url: service.url, apiKey: KEY } });
  const pending = cm.execute(`await tools.probe.pid({ main: Deno.mainModule }); while (true) {}`);
  const pid = await probe.reported;
  await cm.close();
  const r = await pending;
  assert.equal(r.stopReason, "killed");
  await waitFor(`sandbox ${pid} to be gone`, async () => !await alive(pid));
  assert.throws(
    () => new Codemode({ remoteExecutor: { url: service.url }, localExecutor: {} }),
    /one of executor, localExecutor and remoteExecutor, not localExecutor and remoteExecutor/,
  );
});

Deno.test("a service with a pool runs an execution on a child started ahead, and ends its children on shutdown", async () => {
  const { sandboxes } = await import("../mcp/server/_helpers.ts");
  const memoryMb = 193; // a heap flag no other test uses, so /proc finds exactly this service's children
  const service = await startService({ pool: { size: 1 }, limits: { memoryMb } });
  try {
    await waitFor("a child started ahead and ready", () => service.poolStats()?.ready === 1);
    const [ahead] = await sandboxes(memoryMb);
    await using cm = remoteCodemode(service, { limits: { memoryMb } });
    const r = await cm.execute("return 1");
    assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
    assert.equal(service.poolStats()?.hits, 1);
    // The one child there was ran the script, and was killed after it.
    await waitFor("the child started ahead to end after its script", async () => !await alive(ahead));
    await waitFor("the pool to refill", async () => (await sandboxes(memoryMb)).some((pid) => pid !== ahead));
  } finally {
    await service.shutdown();
  }
  await waitFor(
    "every child of the pool to end with the service",
    async () => (await sandboxes(memoryMb)).length === 0,
  );
});
