// An ExecutionResult's size follows from the limits, whatever the script does:
// the trace, each trace error, error messages and stacks are all capped.
// Stopped by: every part of an `ExecutionResult` is capped on the host (trace entries, error texts, names, result
// bytes).
import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../../mod.ts";
import { sandbox } from "./_canaries.ts";

const MAX_TRACE_ERROR_CHARS = 1024;

Deno.test("1,000 $types calls with long unknown names give a bounded trace and result", async () => {
  await using cm = sandbox({ limits: { timeoutMs: 60_000 } });
  const r = await cm.execute(`
    const names = Array.from({ length: 40 }, (_, i) => "n" + i + "_".repeat(250));
    let failed = 0;
    for (let i = 0; i < 1000; i++) await tools.$types(names).catch(() => failed++);
    return failed;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r).slice(0, 300));
  assert.equal(r.result, 1000);
  assert.equal(r.toolCalls.length, 1000);
  for (const call of r.toolCalls) assert.ok((call.error ?? "").length <= MAX_TRACE_ERROR_CHARS + 40, call.error);
  const size = JSON.stringify(r).length;
  // The documented bound: 64 KiB of trace text, plus ~160 characters per call.
  assert.ok(size < 64 * 1024 + DEFAULT_LIMITS.maxToolCalls * 200, `the result is ${size} characters`);
});

Deno.test("a huge error message and stack are capped", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`
    const e = new Error("m".repeat(5_000_000));
    e.stack = "s".repeat(5_000_000);
    throw e;
  `);
  assert.equal(r.stopReason, "error");
  assert.ok((r.error?.message.length ?? 0) < 9000, `message of ${r.error?.message.length}`);
  assert.ok((r.error?.stack?.length ?? 0) < 9000, `stack of ${r.error?.stack?.length}`);
  assert.ok(JSON.stringify(r).length < 20_000);
});

Deno.test("a script's many long failing calls to unknown tools keep the trace within budget", async () => {
  await using cm = sandbox({ limits: { timeoutMs: 60_000 } });
  const r = await cm.execute(`
    const long = "x".repeat(400);
    let n = 0;
    for (let i = 0; i < 900; i++) await tools.$search(long).catch(() => n++);
    return n;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r).slice(0, 300));
  const text = r.toolCalls.reduce((sum, c) => sum + c.tool.length + (c.error?.length ?? 0), 0);
  assert.ok(text <= 64 * 1024 + r.toolCalls.length * 100, `trace text ${text}`);
});

Deno.test("an error with a 10,000-character name is reported, not a protocol error", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`const e = new Error("x"); e.name = "N".repeat(10_000); throw e;`);
  assert.equal(r.stopReason, "error");
  assert.ok((r.error?.name.length ?? 0) <= 200, r.error?.name);
  assert.equal(r.error?.message, "x");
});
