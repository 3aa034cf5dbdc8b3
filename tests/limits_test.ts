import assert from "node:assert/strict";
import { Codemode, DEFAULT_LIMITS, type ExecutionResult } from "../mod.ts";
import { fixtureTools } from "./_helpers.ts";

async function healthy(cm: Codemode): Promise<void> {
  // With a generous timeout of its own: the instance's may be short, and a busy machine slow to start a child.
  const r = await cm.execute("return 1", { limits: { timeoutMs: 60_000 } });
  assert.equal(r.result, 1, "the host still runs scripts afterwards");
}

Deno.test("a busy loop ends with stopReason timeout", async () => {
  await using cm = new Codemode({ limits: { timeoutMs: 300 } });
  const r = await cm.execute(`while (true) {}`);
  assert.equal(r.stopReason, "timeout");
  assert.equal(r.ok, false);
  assert.match(r.error?.message ?? "", /longer than 300 ms \(timeoutMs\)/);
  await healthy(cm);
});

Deno.test("exceeding the heap cap ends with stopReason memory", async () => {
  await using cm = new Codemode({ limits: { memoryMb: 32 } });
  const r = await cm.execute(
    `const a: number[][] = []; while (true) a.push(new Array(100000).fill(1));`,
  );
  assert.equal(r.stopReason, "memory");
  assert.match(r.error?.message ?? "", /32 MiB heap limit \(memoryMb\)/);
  assert.ok(
    !r.logs.some((l) => /Last few GCs|Mark-Compact/.test(l.text)),
    "V8's OOM noise is not in the logs",
  );
  await healthy(cm);
});

Deno.test("too many tool calls end with stopReason tool_call_limit", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools, limits: { maxToolCalls: 5 } });
  const r = await cm.execute(
    `for (let i = 0; i < 100; i++) await tools.weather.get({ city: "x" }); return "no"`,
  );
  assert.equal(r.stopReason, "tool_call_limit");
  assert.equal(r.toolCalls.length, 5);
  assert.match(
    r.error?.message ?? "",
    /more than 5 tool calls \(maxToolCalls\)/,
  );
});

Deno.test("an output flood past maxOutputBytes ends with stopReason output_limit", async () => {
  await using cm = new Codemode({
    limits: { maxOutputBytes: 200_000, maxLogBytes: 1000 },
  });
  const r = await cm.execute(`while (true) console.log("z".repeat(1000))`);
  assert.equal(r.stopReason, "output_limit");
  assert.match(r.error?.message ?? "", /maxOutputBytes/);
  assert.match(r.logs.at(-1)!.text, /logs truncated/);
  await healthy(cm);
});

Deno.test("a line without newline longer than the frame cap ends with output_limit", async () => {
  await using cm = new Codemode({ limits: { maxResultBytes: 1000 } });
  const r = await cm.execute(
    `const b = new TextEncoder().encode("q".repeat(100000)); Deno.stdout.writeSync(b); await new Promise(() => {});`,
  );
  assert.equal(r.stopReason, "output_limit");
});

Deno.test("aborting the signal ends the execution with stopReason killed", async () => {
  await using cm = new Codemode();
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const r = await cm.execute(
    `await new Promise(() => setInterval(() => {}, 1000))`,
    { signal: ac.signal },
  );
  assert.equal(r.stopReason, "killed");
});

Deno.test("close() ends executions in flight", async () => {
  const cm = new Codemode();
  const pending = cm.execute(
    `await new Promise(() => setInterval(() => {}, 1000))`,
  );
  await new Promise((r) => setTimeout(r, 100));
  await cm.close();
  const r: ExecutionResult = await pending;
  assert.equal(r.stopReason, "killed");
  const after = await cm.execute("return 1");
  assert.equal(
    after.stopReason,
    "killed",
    "a closed instance refuses new work",
  );
});

Deno.test("when every slot and the queue are full, executions are refused as busy", async () => {
  await using cm = new Codemode({ localExecutor: { maxConcurrent: 1, maxQueued: 1 } });
  const runs = [0, 1, 2].map(() => cm.execute(`await new Promise((r) => setTimeout(r, 200)); return 1`));
  const results = await Promise.all(runs);
  assert.deepEqual(results.map((r) => r.stopReason).sort(), [
    "busy",
    "completed",
    "completed",
  ]);
  assert.match(
    results.find((r) => r.stopReason === "busy")!.error!.message,
    /maxConcurrent/,
  );
});

Deno.test("code over maxCodeBytes is rejected before any process starts", async () => {
  await using cm = new Codemode({ limits: { maxCodeBytes: 10 } });
  const r = await cm.execute(`return "this is long"`);
  assert.equal(r.stopReason, "rejected");
  assert.equal(r.error?.name, "ValidationError");
  assert.match(
    r.error?.message ?? "",
    /over the 10-byte limit \(maxCodeBytes\)/,
  );
  assert.equal(r.durationMs, 0);
});

Deno.test("denied patterns are configurable and name the line", async () => {
  await using cm = new Codemode({
    deniedPatterns: [{ pattern: /\bfetch\s*\(/, reason: "no network here" }],
  });
  const r = await cm.execute(`const a = 1;\nawait fetch("http://x")`);
  assert.equal(r.stopReason, "rejected");
  assert.match(r.error?.message ?? "", /line 2, column 7: no network here/);
  const ok = await cm.execute(`return 1`);
  assert.equal(ok.result, 1);
});

Deno.test("the default denied patterns refuse static imports", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`import x from "file:///etc/passwd";\nreturn x`);
  assert.equal(r.stopReason, "rejected");
  assert.match(r.error?.message ?? "", /static imports/);
});

Deno.test("invalid limits are rejected with the limit's name", () => {
  assert.throws(
    () => new Codemode({ limits: { timeoutMs: -5 } }),
    /timeoutMs must be a positive number, got -5/,
  );
  assert.throws(
    () => new Codemode({ limits: { nope: 1 } as never }),
    /Unknown limit "nope"/,
  );
});

Deno.test("per-execution limits override the instance's", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`while (true) {}`, { limits: { timeoutMs: 200 } });
  assert.equal(r.stopReason, "timeout");
  assert.equal(cm.limits.timeoutMs, DEFAULT_LIMITS.timeoutMs);
});

Deno.test("Deno.exit in the script ends it with a clear error", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`Deno.exit(3)`);
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.name, "SandboxExitError");
  assert.match(r.error?.message ?? "", /exit code 3/);
});
