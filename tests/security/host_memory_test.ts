// Host memory: what one execution's tool inputs may hold on the host, and the
// sandbox's own resident-memory cap, which must hold every time.
// Stopped by: `maxToolInputBytes` and `maxToolInputValues` checked before parsing, and `maxRssMb` enforced by a memory
// cgroup or by polling `VmHWM`.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { assertHealthy, sandbox } from "./_canaries.ts";

const MiB = 1_048_576;

/** Runs `fn` while sampling the host heap every 5 ms; returns its result and the peak growth in bytes. */
async function peakHeapGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const base = Deno.memoryUsage().heapUsed;
  let peak = base;
  const probe = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().heapUsed), 5);
  try {
    const value = await fn();
    peak = Math.max(peak, Deno.memoryUsage().heapUsed);
    return { value, growth: peak - base };
  } finally {
    clearInterval(probe);
  }
}

function slowSink() {
  const seen: number[] = [];
  const tool = defineTool({
    name: "sink.put",
    input: z.object({ items: z.array(z.object({})) }),
    handler: async ({ items }, ctx) => {
      seen.push(items.length);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 2000);
        ctx.signal.addEventListener("abort", () => (clearTimeout(t), r()));
      });
      return items.length;
    },
  });
  return { seen, tool };
}

Deno.test("15 tool calls of ~1 MB inputs end with tool_input_limit and the host heap grows < 50 MB", async () => {
  const { seen, tool } = slowSink();
  await using cm = sandbox({ tools: [tool], limits: { timeoutMs: 60_000 } });
  await assertHealthy(cm);
  const { value: r, growth } = await peakHeapGrowth(() =>
    cm.execute(`
      const items = Array.from({ length: 330_000 }, () => ({}));
      return await Promise.all(Array.from({ length: 15 }, () => tools.sink.put({ items })));
    `)
  );
  assert.equal(r.stopReason, "tool_input_limit", JSON.stringify(r).slice(0, 500));
  assert.equal(r.error?.name, "ToolInputLimitError");
  assert.match(r.error?.message ?? "", /maxToolInputValues/);
  assert.ok(seen.length <= 1, `${seen.length} handlers ran`);
  assert.ok(growth < 50 * MiB, `the host heap grew by ${(growth / MiB).toFixed(1)} MiB`);
  await assertHealthy(cm);
});

Deno.test("tool inputs within the budget run concurrently; the budget is freed as calls finish", async () => {
  // Each call waits until `width` calls are in flight at once, so the budget is
  // really exercised with `width` inputs held, whatever the timing.
  let width = 4;
  let waiting: Array<() => void> = [];
  const gate = defineTool({
    name: "t.len",
    input: z.object({ s: z.string() }),
    handler: async ({ s }) => {
      const { promise, resolve } = Promise.withResolvers<void>();
      waiting.push(resolve);
      if (waiting.length >= width) {
        for (const release of waiting) release();
        waiting = [];
      }
      await promise;
      return s.length;
    },
  });
  await using cm = sandbox({ tools: [gate], limits: { maxToolInputBytes: 256 * 1024, timeoutMs: 60_000 } });
  const r = await cm.execute(`
    const s = "x".repeat(50_000);
    const first = await Promise.all(Array.from({ length: 4 }, () => tools.t.len({ s })));
    const second = await Promise.all(Array.from({ length: 4 }, () => tools.t.len({ s })));
    return [...first, ...second].reduce((a, b) => a + b, 0);
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r).slice(0, 500));
  assert.equal(r.result, 8 * 50_000);
  width = 6;
  const over = await cm.execute(`
    const s = "x".repeat(50_000);
    return await Promise.all(Array.from({ length: 6 }, () => tools.t.len({ s })));
  `);
  assert.equal(over.stopReason, "tool_input_limit", JSON.stringify(over).slice(0, 500));
  assert.match(over.error?.message ?? "", /maxToolInputBytes/);
});

for (let attempt = 1; attempt <= 4; attempt++) {
  Deno.test(`off-heap memory over maxRssMb is caught even when the script returns at once (try ${attempt})`, async () => {
    await using cm = sandbox({ limits: { maxRssMb: 256, timeoutMs: 30_000 } });
    // Under the cap long enough for the polls to see it, then over it for a moment, then return.
    const r = await cm.execute(`
      const held = [];
      for (let i = 0; i < 5; i++) held.push(new Uint8Array(40 * 1024 * 1024).fill(1));
      await new Promise((r) => setTimeout(r, 100));
      held.push(new Uint8Array(24 * 1024 * 1024).fill(1));
      return "returned";
    `);
    assert.equal(r.stopReason, "memory", JSON.stringify(r).slice(0, 300));
    assert.equal(r.error?.name, "MemoryLimitError");
    assert.match(r.error?.message ?? "", /maxRssMb/);
    assert.equal(r.result, undefined);
  });
}
