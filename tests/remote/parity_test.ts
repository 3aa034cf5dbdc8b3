// Local vs remote parity: the same scripts, with the same tools and limits,
// give the same ExecutionResult through a LocalExecutor and through the
// executor service (ids, durations and log times normalized).
import assert from "node:assert/strict";
import { Codemode, type ExecutionResult, type Limits, type StopReason } from "../../mod.ts";
import { fixtureTools } from "../_helpers.ts";
import { remoteCodemode, startService } from "./_helpers.ts";

interface Case {
  name: string;
  code: string;
  limits?: Partial<Limits>;
  /** The stop reason both must give. */
  stop: StopReason;
}

const CASES: Case[] = [
  { name: "a tool call", stop: "completed", code: `return (await tools.weather.get({ city: "Oslo" })).tempC` },
  {
    name: "Promise.all of tool calls",
    stop: "completed",
    code:
      `return (await Promise.all(["Oslo", "Lima", "Rome"].map((city) => tools.weather.get({ city })))).map((w) => w.tempC)`,
  },
  { name: "a thrown error", stop: "error", code: `const x = 1;\nthrow new RangeError("out of range " + x)` },
  {
    name: "a failing tool, caught and uncaught",
    stop: "error",
    code:
      `try { await tools.fail.always({}) } catch (e) { console.log("caught", e.name) }\nawait tools.fail.badOutput({})`,
  },
  { name: "an unknown tool", stop: "error", code: `await tools.weather.gett({ city: "x" })` },
  { name: "discovery", stop: "completed", code: `return await tools.$search("weather")` },
  {
    name: "logs",
    stop: "completed",
    code: `console.log("a", 1); console.warn({ b: 2 }); console.error("c"); return null`,
  },
  { name: "timeout", stop: "timeout", code: `while (true) {}`, limits: { timeoutMs: 2000 } },
  {
    name: "memory",
    stop: "memory",
    code: `const a: number[][] = []; while (true) a.push(new Array(100000).fill(1));`,
    limits: { memoryMb: 32 },
  },
  {
    name: "output",
    stop: "output_limit",
    code: `while (true) console.log("z".repeat(1000))`,
    limits: { maxOutputBytes: 200_000, maxLogBytes: 1000 },
  },
  { name: "result size", stop: "output_limit", code: `return "x".repeat(5000)`, limits: { maxResultBytes: 1000 } },
  {
    name: "tool call count",
    stop: "tool_call_limit",
    code: `for (let i = 0; i < 100; i++) await tools.weather.get({ city: "x" }); return "no"`,
    limits: { maxToolCalls: 5 },
  },
  {
    name: "log cap",
    stop: "completed",
    code: `for (let i = 0; i < 50; i++) console.log("line " + i); return 1`,
    limits: { maxLogBytes: 100 },
  },
];

/** What may differ between two runs of one script: ids, times, how much a flood wrote before it was stopped. */
function normalize(r: ExecutionResult, flood: boolean): unknown {
  const logs = r.logs.map((l) => ({
    level: l.level,
    text: l.text.replace(/\d+ more characters \(\d+ entries dropped\)/, "N more characters (M entries dropped)"),
  }));
  return {
    ...r,
    executionId: "<id>",
    // Both default to the execution's id; a given one must come back as it was given.
    correlationId: r.correlationId === r.executionId ? "<id>" : r.correlationId,
    durationMs: 0,
    toolCalls: r.toolCalls.map((c) => ({ ...c, durationMs: 0 })),
    logs: flood ? logs.slice(0, 1).concat(logs.slice(-1)) : logs,
  };
}

Deno.test("the same scripts give the same results through a LocalExecutor and the executor service", async () => {
  await using service = await startService({ maxConcurrent: 2 });
  const { tools } = fixtureTools();
  await using local = new Codemode({ tools });
  await using remote = remoteCodemode(service, { tools });
  for (const c of CASES) {
    const options = c.limits ? { limits: c.limits } : {};
    const a = await local.execute(c.code, options);
    const b = await remote.execute(c.code, options);
    const flood = c.name === "output";
    assert.deepEqual(normalize(b, flood), normalize(a, flood), c.name);
    assert.equal(a.stopReason, c.stop, c.name);
  }
});
