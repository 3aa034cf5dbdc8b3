// `execute(code, { onEvent })`: an execution's live events from a real sandbox, in order, bounded as
// the result is, and safe from a handler that is slow or throws.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool, type ExecutionEvent, MAX_QUEUED_EVENTS } from "../mod.ts";

const echo = defineTool({
  name: "m.echo",
  input: z.object({ x: z.number() }),
  handler: ({ x }) => {
    if (x < 0) throw new Error(`negative: ${x}`);
    return x;
  },
});
const secret = defineTool({
  name: "m.secret",
  input: z.object({}),
  needsApproval: true,
  handler: () => "never",
});

function summary(e: ExecutionEvent): string {
  switch (e.type) {
    case "log":
      return `log:${e.level}:${e.text}`;
    case "tool_start":
      return `start:${e.tool}:${e.callId.split(":").at(-1)}`;
    case "tool_end":
      return `end:${e.tool}:${e.callId.split(":").at(-1)}:${e.ok ? "ok" : e.refused ? "refused" : "failed"}`;
    default:
      return e.type;
  }
}

Deno.test("onEvent hears the start, logs, tool calls (ok, failed, refused, unknown) and the end, in order", async () => {
  // The approver refuses m.secret (without one the run would pause at it).
  await using cm = new Codemode({ tools: [echo, secret], approver: () => false });
  const events: ExecutionEvent[] = [];
  const r = await cm.execute(
    `
    console.log("one");
    await tools.m.echo({ x: 1 });
    console.warn("two");
    await tools.m.echo({ x: -1 }).catch(() => {});
    await tools.m.secret({}).catch(() => {});
    await tools.m.nope({}).catch(() => {});
    console.error("three");
    return 7;
  `,
    { onEvent: (e) => void events.push(e), toolCallId: "call_1" },
  );
  assert.equal(r.result, 7);
  assert.deepEqual(events.map(summary), [
    "start",
    "log:log:one",
    "start:m.echo:1",
    "end:m.echo:1:ok",
    "log:warn:two",
    "start:m.echo:2",
    "end:m.echo:2:failed",
    "start:m.secret:3",
    "end:m.secret:3:refused",
    "start:m.nope:4",
    "end:m.nope:4:failed",
    "log:error:three",
    "end",
  ]);
  assert.ok(events.every((e) => e.executionId === r.executionId));
  const atMs = events.map((e) => e.atMs);
  assert.deepEqual(atMs, [...atMs].sort((a, b) => a - b), "atMs never goes back");
  const failed = events.find((e) => e.type === "tool_end" && !e.ok && e.tool === "m.echo");
  assert.ok(failed?.type === "tool_end");
  assert.deepEqual(failed.error, { name: "ToolError", message: r.toolCalls[1].error });
  assert.equal(failed.callId, "call_1:2", "the id its handler sees");
  const end = events.at(-1)!;
  assert.ok(end.type === "end");
  assert.deepEqual([end.ok, end.stopReason, end.toolCalls, end.durationMs], [true, "completed", 4, r.durationMs]);
});

Deno.test("log events carry what the result's logs carry: cut at maxLogBytes, then the truncation marker", async () => {
  await using cm = new Codemode({ limits: { maxLogBytes: 1000 } });
  const events: ExecutionEvent[] = [];
  const r = await cm.execute(`for (let i = 0; i < 100; i++) console.log("x".repeat(50)); return 1`, {
    onEvent: (e) => void events.push(e),
  });
  const logs = events.flatMap((e) => e.type === "log" ? [e.text] : []);
  assert.deepEqual(logs, r.logs.map((l) => l.text), "the same lines as the result");
  assert.ok(logs.slice(0, -1).join("").length <= 1000, "within maxLogBytes");
  assert.match(logs.at(-1)!, /logs truncated/);
});

Deno.test("a script that fails validation still gets a start and an end", async () => {
  await using cm = new Codemode({ limits: { maxCodeBytes: 10 } });
  const events: ExecutionEvent[] = [];
  const r = await cm.execute("return 'this is too long';", { onEvent: (e) => void events.push(e) });
  assert.equal(r.stopReason, "rejected");
  assert.deepEqual(events.map((e) => e.type), ["start", "end"]);
});

Deno.test("an onEvent that throws is disabled for the run, reported once in the logs, and the script goes on", async () => {
  await using cm = new Codemode({ tools: [echo] });
  let calls = 0;
  const r = await cm.execute(
    `for (let i = 0; i < 5; i++) { console.log(i); await tools.m.echo({ x: i }); } return "done"`,
    {
      onEvent: (e) => {
        calls++;
        if (e.type === "log") throw new TypeError("the handler broke");
      },
    },
  );
  assert.equal(r.result, "done");
  assert.equal(calls, 2, "start, then the first log, which threw: nothing more");
  const reports = r.logs.filter((l) => l.text.includes("onEvent threw"));
  assert.equal(reports.length, 1);
  assert.match(reports[0].text, /onEvent threw \(TypeError\)/);
  assert.doesNotMatch(reports[0].text, /the handler broke/, "the handler's own message is not copied");
});

Deno.test("an onEvent whose promise rejects is disabled the same way", async () => {
  await using cm = new Codemode({ tools: [echo] });
  let calls = 0;
  const r = await cm.execute(`await tools.m.echo({ x: 1 }); console.log("a"); return 1`, {
    onEvent: () => {
      calls++;
      return Promise.reject(new RangeError("async failure"));
    },
  });
  assert.equal(r.result, 1);
  assert.equal(calls, 1);
  assert.equal(r.logs.filter((l) => /onEvent threw \(RangeError\)/.test(l.text)).length, 1);
});

Deno.test("a slow onEvent stalls nothing: the script ends, events queue up to the bound, the rest are counted", async () => {
  await using cm = new Codemode({ tools: [echo], limits: { maxToolCalls: 5000 } });
  const events: ExecutionEvent[] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => release = resolve);
  const r = await cm.execute(`for (let i = 0; i < 1500; i++) await tools.m.echo({ x: i }); return "done"`, {
    // The first event holds the queue until the script has ended.
    onEvent: (e) => {
      events.push(e);
      return events.length === 1 ? gate : undefined;
    },
  });
  assert.equal(r.result, "done");
  assert.equal(r.toolCalls.length, 1500);
  assert.equal(events.length, 1, "nothing is delivered while the handler is busy");
  release();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const dropped = events.filter((e) => e.type === "dropped");
  assert.equal(dropped.length, 1, "one marker where events were dropped");
  assert.equal(events.length, 1 + MAX_QUEUED_EVENTS + 1 + 1, "start, the queue, the marker, the end");
  const count = dropped[0].type === "dropped" ? dropped[0].count : 0;
  assert.equal(1 + MAX_QUEUED_EVENTS + count + 1, 1 + 3000 + 1, "every event is delivered or counted");
  assert.equal(events.at(-1)?.type, "end", "the end is never dropped");
});

Deno.test("tool events are cut as the trace is: a 256-character name, a 1,024-character error", async () => {
  const loud = defineTool({
    name: "m.loud",
    input: z.object({}),
    handler: () => {
      throw new Error("e".repeat(100_000));
    },
  });
  await using cm = new Codemode({ tools: [loud] });
  const events: ExecutionEvent[] = [];
  await cm.execute(`await tools.m.loud({}).catch(() => {}); await tools["n".repeat(400)].x({}).catch(() => {})`, {
    onEvent: (e) => void events.push(e),
  });
  const ends = events.flatMap((e) => e.type === "tool_end" ? [e] : []);
  assert.equal(ends.length, 2);
  for (const end of ends) {
    assert.ok(end.tool.length <= 256 + 40, `a name of ${end.tool.length}`);
    assert.ok((end.error?.message.length ?? 0) <= 1024 + 40, `an error of ${end.error?.message.length}`);
  }
  const starts = events.flatMap((e) => e.type === "tool_start" ? [e] : []);
  assert.ok(starts.every((s) => s.tool.length <= 256 + 40));
});
