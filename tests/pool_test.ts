// The warm pool: children started ahead, one script each, refilled in the
// background, per kind of child, stopped when idle, closed with the executor.
// Every wait is for a condition (the pool's counts, /proc); nothing is timed.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, DEFAULT_LIMITS, defineTool, type ExecutionResult, type Limits, LocalExecutor } from "../mod.ts";
import { childrenWithHeap, waitFor } from "./security/_canaries.ts";

/** Whether a process is gone (or a zombie). Inside the OS wall a script's Deno.pid is its namespace's, not the host's. */
function gone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) [ZX]/.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return true;
  }
}

const ready = (ex: LocalExecutor, n = 1) => () => (ex.poolStats()?.ready ?? 0) >= n && !ex.poolStats()?.filling;

function execute(ex: LocalExecutor, code: string, limits: Partial<Limits> = {}): Promise<ExecutionResult> {
  return ex.execute({
    executionId: crypto.randomUUID(),
    code,
    limits: { ...DEFAULT_LIMITS, ...limits },
    invoke: () => Promise.reject(new Error("no tools")),
  });
}

Deno.test("a pooled executor runs a script on a child started ahead, then starts its replacement", async () => {
  const limits = { memoryMb: 141 };
  await using ex = new LocalExecutor({ pool: { size: 1 } });
  ex.warm({ ...DEFAULT_LIMITS, ...limits });
  await waitFor(ready(ex), "a ready pooled child");
  const [waiting] = await childrenWithHeap(141);
  const r = await execute(ex, "return 1", limits);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.equal(ex.poolStats()?.hits, 1);
  // The only child there was ran the script, and was killed after it, as a fresh one would be.
  await waitFor(() => gone(waiting), "the child that waited to end after its script");
  await waitFor(() => (ex.poolStats()?.started ?? 0) >= 2 && ready(ex)(), "the replacement");
  const [replacement] = await childrenWithHeap(141);
  assert.notEqual(replacement, waiting);
  const again = await execute(ex, "return 1", limits);
  assert.equal(again.stopReason, "completed", JSON.stringify(again));
  await waitFor(() => gone(replacement), "each child to run one script");
});

Deno.test("Codemode fills its executor's pool for its own limits before the first execute", async () => {
  const executor = new LocalExecutor({ pool: { size: 1 } });
  await using cm = new Codemode({ executor, limits: { memoryMb: 142 } });
  await waitFor(async () => (await childrenWithHeap(142)).length === 1 && ready(executor)(), "a child with heap 142");
  const r = await cm.execute("return 1");
  assert.equal(r.result, 1);
  assert.equal(executor.poolStats()?.hits, 1);
  await executor.close();
});

Deno.test("an execution of another kind gets a fresh child with its own heap cap, and its kind is pooled next", async () => {
  await using ex = new LocalExecutor({ pool: { size: 1 } });
  ex.warm({ ...DEFAULT_LIMITS, memoryMb: 143 });
  await waitFor(ready(ex), "the first kind");
  const heap =
    `const v8 = await import("node:v8"); return Math.round(v8.getHeapStatistics().heap_size_limit / 1048576);`;
  const other = await execute(ex, heap, { memoryMb: 64 });
  assert.equal(other.stopReason, "completed", JSON.stringify(other));
  await using fresh = new LocalExecutor();
  assert.equal(other.result, (await execute(fresh, heap, { memoryMb: 64 })).result, "the heap limit a fresh child has");
  assert.equal(ex.poolStats()?.misses, 1);
  await waitFor(ready(ex, 2), "both kinds pooled");
  await execute(ex, "return 1", { memoryMb: 64 });
  assert.equal(ex.poolStats()?.hits, 1, "the second 64 MB execution took a pooled child");
});

Deno.test("a pooled child that died while idle is replaced, never handed out", async () => {
  await using ex = new LocalExecutor({ pool: { size: 1 } });
  ex.warm({ ...DEFAULT_LIMITS, memoryMb: 144 });
  await waitFor(ready(ex), "a ready pooled child");
  const [dead] = await childrenWithHeap(144);
  Deno.kill(dead, "SIGKILL");
  await waitFor(() => (ex.poolStats()?.discarded ?? 0) === 1 && ready(ex)(), "the dead child replaced");
  const [replacement] = await childrenWithHeap(144);
  assert.notEqual(replacement, dead);
  const r = await execute(ex, "return 1", { memoryMb: 144 });
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  await waitFor(() => gone(replacement), "the replacement ran the script");
});

Deno.test("idle pooled children stop after idleTimeoutMs, and their kind refills only when asked again", async () => {
  await using ex = new LocalExecutor({ pool: { size: 2, idleTimeoutMs: 200 } });
  ex.warm({ ...DEFAULT_LIMITS, memoryMb: 145 });
  await waitFor(() => (ex.poolStats()?.started ?? 0) >= 2, "two children started");
  await waitFor(
    async () => ex.poolStats()?.idle === 0 && (await childrenWithHeap(145)).length === 0,
    "idle children stopped",
  );
  const stats = ex.poolStats()!;
  assert.equal(stats.filling, false, "an idled-out kind is not refilled on its own");
  const r = await execute(ex, "return 1", { memoryMb: 145 });
  assert.equal(r.result, 1);
  await waitFor(() => ex.poolStats()!.started > stats.started, "an execution of the kind refills it");
});

Deno.test("close() stops every pooled child and starts no more", async () => {
  const ex = new LocalExecutor({ pool: { size: 2 } });
  ex.warm({ ...DEFAULT_LIMITS, memoryMb: 146 });
  await waitFor(ready(ex, 2), "two ready children");
  assert.equal((await childrenWithHeap(146)).length, 2);
  await ex.close();
  assert.deepEqual(await childrenWithHeap(146), [], "close() returns once they are gone");
  ex.warm({ ...DEFAULT_LIMITS, memoryMb: 146 });
  const r = await execute(ex, "return 1", { memoryMb: 146 });
  assert.equal(r.stopReason, "killed");
  assert.deepEqual(await childrenWithHeap(146), []);
});

Deno.test("the concurrency cap counts executions that run, not children waiting in the pool", async () => {
  const gate = Promise.withResolvers<void>();
  const entered = Promise.withResolvers<void>();
  const hold = defineTool({
    name: "probe.hold",
    input: z.object({}),
    handler: async () => {
      entered.resolve();
      await gate.promise;
      return true;
    },
  });
  const executor = new LocalExecutor({ maxConcurrent: 1, maxQueued: 0, pool: { size: 2 } });
  await using cm = new Codemode({ tools: [hold], executor, limits: { memoryMb: 147 } });
  await waitFor(ready(executor, 2), "two ready children");
  const first = cm.execute("return await tools.probe.hold({})");
  await entered.promise;
  const second = await cm.execute("return 1");
  assert.equal(second.stopReason, "busy", "one execution runs: the cap of 1 is taken by it, not by the idle children");
  gate.resolve();
  assert.equal((await first).result, true);
  assert.equal((await cm.execute("return 2")).result, 2);
  await executor.close();
});

Deno.test("pool options out of range are refused, naming the field", () => {
  for (
    const pool of [{ size: -1 }, { size: 1.5 }, { size: 65 }, { size: Number.NaN }, { size: "2" }, {
      size: 1,
      idleTimeoutMs: 0,
    }]
  ) {
    assert.throws(() => new LocalExecutor({ pool: pool as never }), /pool\.(size|idleTimeoutMs)/, JSON.stringify(pool));
  }
  assert.throws(() => new LocalExecutor({ pool: null as never }), /pool must be an object/);
  assert.equal(new LocalExecutor({ pool: { size: 0 } }).poolStats(), undefined, "size 0 is no pool");
});

Deno.test("tool calls run in the async context of the caller of execute, on a pooled child and a fresh one", async () => {
  const { AsyncLocalStorage } = await import("node:async_hooks");
  const als = new AsyncLocalStorage<string>();
  const whoAsks = defineTool({ name: "ctx.store", input: z.object({}), handler: () => als.getStore() ?? "none" });
  const executor = new LocalExecutor({ pool: { size: 1 } });
  await using pooled = new Codemode({ tools: [whoAsks], executor, limits: { memoryMb: 148 } });
  await using fresh = new Codemode({ tools: [whoAsks] });
  await waitFor(ready(executor), "a ready pooled child");
  const code = "return await tools.ctx.store({})";
  assert.equal((await als.run("caller-a", () => pooled.execute(code))).result, "caller-a");
  assert.equal(executor.poolStats()?.hits, 1);
  assert.equal((await als.run("caller-b", () => fresh.execute(code))).result, "caller-b");
  await executor.close();
});
