// Resource abuse: memory, CPU, output and tool-call floods, runaway recursion,
// concurrency and cancellation. Every one must end with the right stopReason
// in bounded time, and the host must keep serving other executions.
// Stopped by: `timeoutMs`, `memoryMb`, `maxRssMb`, `maxOutputBytes`, `maxToolCalls`, `maxConcurrent`/`maxQueued` and
// the `AbortSignal`, each ending the child's process group.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { assertHealthy, ourSurvivors, REPORT_SANDBOX, reportedSandbox, sandbox, startedProbe } from "./_canaries.ts";

Deno.test("a memory bomb ends with stopReason memory under a small memoryMb", async () => {
  await using cm = sandbox({ limits: { memoryMb: 32, timeoutMs: 3000 } });
  const r = await cm.execute(`
    ${REPORT_SANDBOX}
    const hoard = [];
    while (true) hoard.push({ blob: "x".repeat(1024) + Math.random(), n: new Array(1000).fill(Math.random()) });
  `);
  assert.equal(r.stopReason, "memory", JSON.stringify(r).slice(0, 800));
  assert.equal(r.error?.name, "MemoryLimitError");
  assert.deepEqual(await ourSurvivors([reportedSandbox(r)]), []);
  await assertHealthy(cm);
});

Deno.test("a busy loop ends with stopReason timeout", async () => {
  await using cm = sandbox({ limits: { timeoutMs: 1000 } });
  const r = await cm.execute(`${REPORT_SANDBOX} while (true) {}`);
  assert.equal(r.stopReason, "timeout");
  assert.equal(r.error?.name, "TimeoutError");
  assert.deepEqual(await ourSurvivors([reportedSandbox(r)]), []);
  await assertHealthy(cm);
});

Deno.test("a script that never settles and ignores signals still ends by timeout", async () => {
  await using cm = sandbox({ limits: { timeoutMs: 1000 } });
  const r = await cm.execute(`
    for (const s of ["SIGTERM", "SIGINT", "SIGHUP"]) {
      try { Deno.addSignalListener(s, () => {}); } catch { /* denied or unsupported */ }
    }
    await new Promise(() => setInterval(() => {}, 1000));
  `);
  assert.equal(r.stopReason, "timeout");
  await assertHealthy(cm);
});

Deno.test("a 100 MB console.log flood is cut off in bounded time", async () => {
  await using cm = sandbox({ limits: { maxOutputBytes: 1024 * 1024, maxLogBytes: 16 * 1024 } });
  const r = await cm.execute(`
    const line = "x".repeat(1024 * 1024);
    for (let i = 0; i < 100; i++) console.log(line);
    return "survived";
  `);
  assert.equal(r.stopReason, "output_limit", JSON.stringify(r).slice(0, 500));
  const logged = r.logs.reduce((n, l) => n + l.text.length, 0);
  assert.ok(logged <= 16 * 1024 + 1024, `kept ${logged} chars of logs`);
  await assertHealthy(cm);
});

Deno.test("a console.log flood under the output cap keeps only maxLogBytes of logs", async () => {
  await using cm = sandbox({ limits: { maxLogBytes: 4096 } });
  const r = await cm.execute(
    `for (let i = 0; i < 2000; i++) console.log("line " + i + " " + "y".repeat(200)); return "ok"`,
  );
  assert.equal(r.stopReason, "completed");
  assert.equal(r.result, "ok");
  const logged = r.logs.reduce((n, l) => n + l.text.length, 0);
  assert.ok(logged < 4096 + 512, `kept ${logged} chars`);
  assert.match(r.logs.at(-1)?.text ?? "", /logs truncated/);
});

Deno.test("a 100 MB raw stdout flood of short lines ends with output_limit", async () => {
  await using cm = sandbox({ limits: { maxOutputBytes: 4 * 1024 * 1024 } });
  const r = await cm.execute(`
    const chunk = new TextEncoder().encode(("z".repeat(1023) + "\\n").repeat(1024));
    for (let i = 0; i < 100; i++) Deno.stdout.writeSync(chunk);
    return "survived";
  `);
  assert.equal(r.stopReason, "output_limit");
  assert.equal(r.error?.name, "OutputLimitError");
  assert.ok(JSON.stringify(r).length < 200_000);
  await assertHealthy(cm);
});

Deno.test("a 100 MB raw stderr flood ends with output_limit", async () => {
  await using cm = sandbox({ limits: { maxOutputBytes: 4 * 1024 * 1024 } });
  const r = await cm.execute(`
    const chunk = new TextEncoder().encode(("e".repeat(1023) + "\\n").repeat(1024));
    for (let i = 0; i < 100; i++) Deno.stderr.writeSync(chunk);
    return "survived";
  `);
  assert.equal(r.stopReason, "output_limit");
  assert.ok(JSON.stringify(r).length < 200_000);
  await assertHealthy(cm);
});

Deno.test("a tool-call storm ends with tool_call_limit and runs at most maxToolCalls handlers", async () => {
  let handled = 0;
  const ping = defineTool({ name: "net.ping", input: z.object({}), handler: () => ++handled });
  await using cm = sandbox({ tools: [ping], limits: { maxToolCalls: 10 } });
  const r = await cm.execute(`return await Promise.all(Array.from({ length: 5000 }, () => tools.net.ping({})))`);
  assert.equal(r.stopReason, "tool_call_limit");
  assert.equal(r.error?.name, "ToolCallLimitError");
  assert.ok(handled <= 10, `${handled} handlers ran`);
  assert.ok(r.toolCalls.length <= 10);
  await assertHealthy(cm);
});

Deno.test("deep recursion is reported as a RangeError and the host is fine", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`function down(n) { return down(n + 1) + 1; } return down(0);`);
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.name, "RangeError");
  assert.match(r.error?.message ?? "", /call stack/i);
  await assertHealthy(cm);
});

Deno.test("a result too deep or cyclic to serialize is an error, not a host crash", async () => {
  await using cm = sandbox();
  const cyclic = await cm.execute(`const a = {}; a.self = a; return a;`);
  assert.equal(cyclic.stopReason, "error");
  assert.equal(cyclic.error?.name, "SerializationError");
  const deep = await cm.execute(`let v = []; for (let i = 0; i < 1e6; i++) v = [v]; return v;`);
  assert.equal(deep.stopReason, "error");
  assert.equal(deep.error?.name, "SerializationError");
  assert.match(deep.error?.message ?? "", /nests deeper than 128 levels/);
  assert.doesNotThrow(() => JSON.stringify(deep));
  await assertHealthy(cm);
});

Deno.test("unhandled rejections and uncaught timer errors are logged, not fatal to the host", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`
    Promise.reject(new Error("late rejection"));
    setTimeout(() => { throw new Error("timer boom"); }, 0);
    await new Promise((r) => setTimeout(r, 50));
    return "still here";
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.equal(r.result, "still here");
  const errors = r.logs.filter((l) => l.level === "error").map((l) => l.text).join("\n");
  assert.match(errors, /late rejection/);
  assert.match(errors, /timer boom/);
  const thrown = await cm.execute(`await Promise.reject(new TypeError("awaited"))`);
  assert.equal(thrown.stopReason, "error");
  assert.equal(thrown.error?.name, "TypeError");
  await assertHealthy(cm);
});

Deno.test("20 executions in flight: one floods output, all others complete correctly", async () => {
  await using cm = sandbox({ limits: { maxOutputBytes: 1024 * 1024, timeoutMs: 60_000 } });
  const runs = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) =>
        i === 7 ? cm.execute(`const s = "f".repeat(65536); while (true) console.log(s);`) : cm.execute(
          `await new Promise((r) => setTimeout(r, ${10 * (i % 5)})); return { i: ${i}, sq: ${i} * ${i} };`,
        ),
    ),
  );
  runs.forEach((r, i) => {
    if (i === 7) return assert.equal(r.stopReason, "output_limit");
    assert.equal(r.stopReason, "completed", `run ${i}: ${JSON.stringify(r).slice(0, 300)}`);
    assert.deepEqual(r.result, { i, sq: i * i });
  });
  assert.equal(new Set(runs.map((r) => r.executionId)).size, 20);
});

Deno.test("aborting the signal ends a running execution with stopReason killed", async () => {
  const probe = startedProbe();
  await using cm = sandbox({ tools: [probe.tool], limits: { timeoutMs: 60_000 } });
  const abort = new AbortController();
  const code = `${REPORT_SANDBOX} await tools.probe.started({}); while (true) {}`;
  const pending = cm.execute(code, { signal: abort.signal });
  await probe.started;
  abort.abort();
  const r = await pending;
  assert.equal(r.stopReason, "killed");
  assert.equal(r.error?.name, "KilledError");
  assert.deepEqual(await ourSurvivors([reportedSandbox(r)]), []);
  const early = await cm.execute("return 1", { signal: AbortSignal.abort() });
  assert.equal(early.stopReason, "killed");
  await assertHealthy(cm);
});

Deno.test({
  name: "a script cannot exceed memoryMb with off-heap ArrayBuffers",
  async fn() {
    await using cm = sandbox({ limits: { memoryMb: 32, timeoutMs: 5000 } });
    const r = await cm.execute(`
      const held = [];
      for (let i = 0; i < 4; i++) held.push(new Uint8Array(128 * 1024 * 1024).fill(1));
      return held.length * 128 + " MiB held";
    `);
    assert.equal(r.stopReason, "memory", JSON.stringify(r).slice(0, 300));
  },
});

Deno.test({
  name: "a deeply nested result cannot break JSON.stringify of the execution result on the host",
  async fn() {
    await using cm = sandbox();
    const r = await cm.execute(`let v = []; for (let i = 0; i < 20000; i++) v = [v]; return v;`);
    assert.doesNotThrow(() => JSON.stringify(r), "the host cannot serialize the result it returned");
  },
});

Deno.test({
  name: "an OOM preceded by 4 KB of stderr is still reported as stopReason memory",
  async fn() {
    await using cm = sandbox({ limits: { memoryMb: 32 } });
    const r = await cm.execute(`
      Deno.stderr.writeSync(new TextEncoder().encode(("n".repeat(99) + "\\n").repeat(50)));
      const hoard = [];
      while (true) hoard.push({ blob: "x".repeat(1024) + Math.random(), n: new Array(1000).fill(Math.random()) });
    `);
    assert.equal(r.stopReason, "memory", JSON.stringify(r.error));
  },
});

Deno.test({
  name: "a memory ending shows no V8 backtrace naming the host's deno binary",
  async fn() {
    await using cm = sandbox({ limits: { memoryMb: 32 } });
    const r = await cm.execute(`const a = []; while (true) a.push(new Array(1e5).fill(1));`);
    assert.equal(r.stopReason, "memory");
    assert.ok(!JSON.stringify(r.logs).includes(Deno.execPath()), JSON.stringify(r.logs));
    assert.deepEqual(r.logs.filter((l) => l.level === "stderr"), []);
  },
});
