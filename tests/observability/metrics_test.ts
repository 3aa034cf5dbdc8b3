// Prometheus metrics of real executions: counters, histograms and gauges read
// from the exposition, which promtool accepts.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool, LocalExecutor } from "../../mod.ts";
import { Observability } from "../../src/observability/mod.ts";
import { compromisedSandbox } from "../security/_compromised.ts";
import { HAS_PROMTOOL, promtoolCheck, promtoolTestName, sample } from "./_exposition.ts";

const tools = [
  defineTool({ name: "math.double", input: z.object({ n: z.number() }), handler: ({ n }) => n * 2 }),
  defineTool({ name: "math.fail", input: z.object({}), handler: () => Promise.reject(new Error("no")) }),
];

/** A tool that holds its call until released, and says when a call has arrived. */
function gate() {
  const arrived = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const tool = defineTool({
    name: "work.wait",
    input: z.object({}),
    handler: async () => {
      arrived.resolve();
      await release.promise;
      return "released";
    },
  });
  return { tool, arrived: arrived.promise, release: () => release.resolve() };
}

/** Waits until `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

Deno.test("executions are counted by outcome and stop reason, with a duration histogram; tool calls by tool and outcome", async () => {
  const observer = new Observability({ logLevel: "silent" });
  await using cm = new Codemode({ tools, observer });
  await cm.execute(`return await tools.math.double({ n: 2 })`);
  await cm.execute(`await tools.math.fail({}).catch(() => {}); await tools.math.nope({}).catch(() => {}); return 1`);
  await cm.execute(`throw new Error("x")`);
  await cm.execute(`return 1`, { limits: { maxCodeBytes: 3 } });
  const text = await observer.metrics();
  assert.equal(sample(text, "codemode_executions_total", { outcome: "ok", stop_reason: "completed" }), 2);
  assert.equal(sample(text, "codemode_executions_total", { outcome: "error", stop_reason: "error" }), 1);
  assert.equal(sample(text, "codemode_executions_total", { outcome: "error", stop_reason: "rejected" }), 1);
  assert.equal(sample(text, "codemode_execution_duration_seconds_count", { outcome: "ok" }), 2);
  assert.equal(sample(text, "codemode_execution_duration_seconds_bucket", { outcome: "ok", le: "+Inf" }), 2);
  assert.equal(sample(text, "codemode_tool_calls_total", { tool: "math.double", outcome: "ok" }), 1);
  assert.equal(sample(text, "codemode_tool_calls_total", { tool: "math.fail", outcome: "error" }), 1);
  assert.equal(sample(text, "codemode_tool_calls_total", { tool: "(unknown)", outcome: "unknown" }), 1);
  assert.equal(sample(text, "codemode_tool_call_duration_seconds_count", { tool: "math.double" }), 1);
  assert.equal(sample(text, "codemode_rejected_total", { reason: "busy" }), undefined);
  assert.equal(sample(text, "codemode_sandboxes_running"), 0);
  assert.equal(observer.contentType, "text/plain; version=0.0.4; charset=utf-8");
});

Deno.test("the gauges show sandboxes running and executions queued; a full queue is counted as busy", async () => {
  const observer = new Observability({ logLevel: "silent" });
  const held = gate();
  await using executor = new LocalExecutor({ maxConcurrent: 1, maxQueued: 1 });
  await using cm = new Codemode({ tools: [held.tool], executor, observer });
  const first = cm.execute(`return await tools.work.wait({})`);
  await held.arrived;
  const second = cm.execute(`return 2`);
  await until(() => executor.load().queued === 1);
  const busy = await cm.execute(`return 3`);
  assert.equal(busy.stopReason, "busy");
  let text = await observer.metrics();
  assert.equal(sample(text, "codemode_sandboxes_running"), 1);
  assert.equal(sample(text, "codemode_queue_length"), 1);
  assert.equal(sample(text, "codemode_rejected_total", { reason: "busy" }), 1);
  assert.equal(sample(text, "codemode_executions_total", { outcome: "error", stop_reason: "busy" }), 1);
  held.release();
  assert.deepEqual([(await first).result, (await second).result], ["released", 2]);
  text = await observer.metrics();
  assert.equal(sample(text, "codemode_sandboxes_running"), 0);
  assert.equal(sample(text, "codemode_queue_length"), 0);
});

Deno.test("an executor shared by two instances is counted once; a closed instance's executor no longer is", async () => {
  const observer = new Observability({ logLevel: "silent" });
  const held = gate();
  await using executor = new LocalExecutor();
  const a = new Codemode({ tools: [held.tool], executor, observer });
  const b = new Codemode({ executor, observer });
  const running = a.execute(`return await tools.work.wait({})`);
  await held.arrived;
  assert.equal(sample(await observer.metrics(), "codemode_sandboxes_running"), 1);
  await b.close();
  assert.equal(sample(await observer.metrics(), "codemode_sandboxes_running"), 1, "a still watches it");
  held.release();
  await running;
  await a.close();
  const { promise, resolve } = Promise.withResolvers<void>();
  const again = gate();
  const c = new Codemode({ tools: [again.tool], executor });
  const unobserved = c.execute(`return await tools.work.wait({})`).finally(() => resolve());
  await again.arrived;
  assert.equal(sample(await observer.metrics(), "codemode_sandboxes_running"), 0, "closed instances are forgotten");
  again.release();
  await promise;
  await unobserved;
  await c.close();
});

Deno.test("an execution a sandbox ends with a malformed frame counts as a protocol error", async () => {
  const observer = new Observability({ logLevel: "silent" });
  await using cm = await compromisedSandbox({ observer });
  const r = await cm.execute(
    `forge('{"jsonrpc":"2.0","method":"log","params":{"level":"stderr","text":1}}'); return 1;`,
  );
  assert.equal(r.error?.name, "ProtocolError");
  assert.equal(sample(await observer.metrics(), "codemode_protocol_errors_total"), 1);
});

Deno.test("with metrics off, nothing is kept and the exposition is empty", async () => {
  const observer = new Observability({ logLevel: "silent", metrics: false });
  await using cm = new Codemode({ tools, observer });
  await cm.execute(`return await tools.math.double({ n: 2 })`);
  assert.equal(observer.metricsEnabled, false);
  assert.equal(await observer.metrics(), "");
});

Deno.test({
  name: promtoolTestName("promtool check metrics accepts the exposition, every family present"),
  ignore: !HAS_PROMTOOL,
  fn: async () => {
    const observer = new Observability({ logLevel: "silent" });
    await using cm = new Codemode({ tools, observer });
    await cm.execute(`await tools.math.double({ n: 1 }); await tools.x.y({}).catch(() => {}); return 1`);
    observer.rejected("auth");
    const text = await observer.metrics();
    for (
      const family of [
        "codemode_executions_total",
        "codemode_execution_duration_seconds",
        "codemode_tool_calls_total",
        "codemode_tool_call_duration_seconds",
        "codemode_sandboxes_running",
        "codemode_queue_length",
        "codemode_rejected_total",
        "codemode_protocol_errors_total",
      ]
    ) assert.match(text, new RegExp(`^# TYPE ${family} `, "m"), family);
    const checked = await promtoolCheck(text);
    assert.ok(checked.success, checked.output);
    assert.equal(checked.output.trim(), "", "promtool has no complaint, not even a lint warning");
  },
});
