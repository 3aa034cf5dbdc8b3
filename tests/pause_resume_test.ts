// Approvals that pause and resume: an execution whose calls wait for approval
// ends with stopReason `paused` and a continuation; `resume` replays it in a
// fresh sandbox (recorded tool results and clock/random values), never runs a
// tool twice, and goes on live with the decided calls.
import assert from "node:assert/strict";
import { z } from "zod";
import {
  type ApprovalDecision,
  Codemode,
  type CodemodeOptions,
  ContinuationError,
  defineTool,
  type ExecuteRequest,
  type ExecutionResult,
} from "../mod.ts";

const KEY = "a-test-key-of-at-least-32-characters!";

/** Tools that count their runs: `mail.send` needs approval, `mail.inbox` and `log.note` do not. */
function mailTools() {
  const runs = { send: [] as string[], inbox: 0, note: [] as unknown[] };
  const tools = [
    defineTool({
      name: "mail.send",
      input: z.object({ to: z.string().trim() }),
      needsApproval: true,
      handler: ({ to }) => (runs.send.push(to), `sent to ${to}`),
    }),
    defineTool({ name: "mail.inbox", input: z.object({}), handler: () => (runs.inbox++, { unread: 3 }) }),
    defineTool({ name: "log.note", input: z.object({}).passthrough(), handler: (i) => (runs.note.push(i), "noted") }),
  ];
  return { runs, tools };
}

function codemode(tools: CodemodeOptions["tools"], options: CodemodeOptions = {}): Codemode {
  return new Codemode({ tools, approvals: { key: KEY }, ...options });
}

function decide(r: ExecutionResult, decisions: ApprovalDecision[]): Record<string, ApprovalDecision> {
  assert.equal(r.stopReason, "paused", JSON.stringify(r.error));
  assert.equal(r.paused!.pending.length, decisions.length);
  return Object.fromEntries(r.paused!.pending.map((p, i) => [p.id, decisions[i]]));
}

Deno.test("a paused execution resumes in a NEW Codemode with the same key; no tool runs twice", async () => {
  const { runs, tools } = mailTools();
  const code = `
    const inbox = await tools.mail.inbox({});
    const sent = await tools.mail.send({ to: " ana " });
    return { inbox, sent };
  `;
  let continuation: string;
  let decisions: Record<string, ApprovalDecision>;
  {
    await using first = codemode(tools);
    const r = await first.execute(code);
    assert.equal(r.ok, false);
    assert.equal(r.paused!.pending[0].tool, "mail.send");
    assert.deepEqual(r.paused!.pending[0].input, { to: "ana" }, "the validated input");
    assert.deepEqual(r.paused!.pending[0].reason, { kind: "needsApproval" });
    assert.ok(Date.parse(r.paused!.expiresAt) > Date.now());
    assert.deepEqual(runs, { send: [], inbox: 1, note: [] });
    continuation = r.paused!.continuation;
    decisions = decide(r, [{ approved: true }]);
  }
  await using second = codemode(tools);
  const resumed = await second.resume(continuation, decisions);
  assert.equal(resumed.stopReason, "completed", JSON.stringify(resumed.error));
  assert.deepEqual(resumed.result, { inbox: { unread: 3 }, sent: "sent to ana" });
  assert.deepEqual(runs, { send: ["ana"], inbox: 1, note: [] }, "the inbox was read once, the mail sent once");
});

Deno.test("the calls of a Promise.all pause together; a rejection is an error the script catches", async () => {
  const { runs, tools } = mailTools();
  await using cm = codemode(tools);
  const r = await cm.execute(`
    const results = await Promise.all(["ana", "bo", "cy"].map((to) =>
      tools.mail.send({ to }).catch((e) => "caught: " + e.message.replace(/ \\(script\\.ts:\\d+:\\d+\\)$/, ""))
    ));
    return results;
  `);
  assert.deepEqual(r.paused?.pending.map((p) => p.input), [{ to: "ana" }, { to: "bo" }, { to: "cy" }]);
  assert.equal(new Set(r.paused!.pending.map((p) => p.id)).size, 3);
  const resumed = await cm.resume(
    r.paused!.continuation,
    decide(r, [{ approved: true }, { approved: false, reason: "bo is on leave" }, { approved: false }]),
  );
  assert.deepEqual(resumed.result, [
    "sent to ana",
    "caught: tools.mail.send was not run: bo is on leave",
    "caught: tools.mail.send was not run: the approval was rejected",
  ]);
  assert.deepEqual(runs.send, ["ana"]);
});

Deno.test("the clock and random values the script read before the pause are replayed identically (all six sources)", async () => {
  const { tools } = mailTools();
  await using cm = codemode(tools);
  const r = await cm.execute(`
    const seen = {
      now: Date.now(),
      date: new Date().toISOString(),
      perf: performance.now(),
      random: Math.random(),
      uuid: crypto.randomUUID(),
      bytes: [...crypto.getRandomValues(new Uint8Array(8))],
      text: Date().length > 0,
    };
    console.log(JSON.stringify(seen));
    await tools.mail.send({ to: "ana" });
    const after = performance.now();
    return { seen, monotonic: after >= seen.perf };
  `);
  const before = JSON.parse(r.logs[0].text);
  const resumed = await cm.resume(r.paused!.continuation, decide(r, [{ approved: true }]));
  assert.equal(resumed.stopReason, "completed", JSON.stringify(resumed.error));
  assert.deepEqual(resumed.result, { seen: before, monotonic: true });
  assert.deepEqual(resumed.logs.map((l) => l.text), [r.logs[0].text], "the script logged the same values again");
});

Deno.test("a resumed run that reaches another approval pauses again, with a new continuation", async () => {
  const { runs, tools } = mailTools();
  await using cm = codemode(tools);
  const code =
    `const a = await tools.mail.send({ to: "ana" }); const b = await tools.mail.send({ to: "bo" }); return [a, b];`;
  const first = await cm.execute(code);
  const second = await cm.resume(first.paused!.continuation, decide(first, [{ approved: true }]));
  assert.equal(second.stopReason, "paused");
  assert.notEqual(second.paused!.continuation, first.paused!.continuation);
  assert.deepEqual(second.paused!.pending.map((p) => p.input), [{ to: "bo" }]);
  assert.equal(second.correlationId, first.correlationId, "a resume keeps the first run's correlation id");
  const third = await cm.resume(second.paused!.continuation, decide(second, [{ approved: true }]));
  assert.deepEqual(third.result, ["sent to ana", "sent to bo"]);
  assert.deepEqual(runs.send, ["ana", "bo"]);
});

Deno.test("an approver may answer later (or not in time): the execution pauses; true still runs the call at once", async () => {
  const { runs, tools } = mailTools();
  await using later = codemode(tools, { approver: () => "later" });
  const r1 = await later.execute(`return await tools.mail.send({ to: "ana" })`);
  assert.equal(r1.stopReason, "paused");
  await using slow = codemode(tools, { approver: () => new Promise(() => {}), approvals: { key: KEY, timeoutMs: 50 } });
  const r2 = await slow.execute(`return await tools.mail.send({ to: "ana" })`);
  assert.equal(r2.stopReason, "paused");
  await using yes = codemode(tools, { approver: () => true });
  const r3 = await yes.execute(`return await tools.mail.send({ to: "ana" })`);
  assert.equal(r3.result, "sent to ana");
  assert.deepEqual(runs.send, ["ana"]);
});

Deno.test("the execution timeout does not run while an approver is asked", async () => {
  const { tools } = mailTools();
  const timeoutMs = 1500;
  let asked = 0;
  const approver = () =>
    new Promise<boolean>((resolve) => {
      asked = performance.now();
      // Answers once the script's whole timeout (and more) has passed in the wait.
      const poll = setInterval(() => {
        if (performance.now() - asked > timeoutMs + 500) {
          clearInterval(poll);
          resolve(true);
        }
      }, 50);
    });
  await using cm = codemode(tools, { approver, limits: { timeoutMs } });
  const r = await cm.execute(`return await tools.mail.send({ to: "ana" })`);
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
  assert.ok(r.durationMs > timeoutMs, "the wait was longer than the timeout");
  // The clock runs again once the approver answered.
  const slow = await cm.execute(`await tools.mail.send({ to: "bo" }); await new Promise((r) => setTimeout(r, 5000));`);
  assert.equal(slow.stopReason, "timeout");
});

Deno.test("a forged, tampered, expired, other-key or oversized continuation is refused with a ContinuationError", async () => {
  const { runs, tools } = mailTools();
  await using cm = codemode(tools, { approvals: { key: KEY, continuationTtlMs: 1000 } });
  const r = await cm.execute(`return await tools.mail.send({ to: "ana" })`);
  const token = r.paused!.continuation;
  const decisions = decide(r, [{ approved: true }]);
  const flip = (i: number) => token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
  const cases: [unknown, RegExp][] = [
    ["not a token", /Not a Codemode continuation/],
    [flip(token.length - 5), /altered or forged/],
    [flip(token.lastIndexOf(".") + 3), /altered or forged/],
    [token.replace(/^cm1\.[^.]+\./, "cm1.AAAAAAAAAAA."), /sealed with another key than this Codemode's approvals\.key/],
    ["cm2.x.y", /version cm2/],
    [token + "A".repeat(2_000_000), /over the 1048576 limit \(approvals\.maxContinuationBytes\)/],
  ];
  for (const [bad, message] of cases) {
    await assert.rejects(
      cm.resume(bad as string, decisions),
      (e) => e instanceof ContinuationError && message.test(e.message),
    );
  }
  await using otherKey = codemode(tools, { approvals: { key: "another-key-of-at-least-32-characters" } });
  await assert.rejects(otherKey.resume(token, decisions), /another key/);
  await using noKey = new Codemode({ tools });
  await assert.rejects(noKey.resume(token, decisions), /configure approvals\.key .* to resume across restarts/);
  // Expired: the continuation lived 1 s.
  while (Date.now() <= Date.parse(r.paused!.expiresAt)) await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(cm.resume(token, decisions), /expired at .*continuationTtlMs/);
  assert.deepEqual(runs.send, []);
});

Deno.test("a resumed script that takes another path ends with a DivergenceError naming the call, and nothing runs", async () => {
  const { runs, tools } = mailTools();
  await using cm = codemode(tools);
  // performance.timeOrigin is not recorded: each sandbox has its own.
  const r = await cm.execute(`
    await tools.log.note({ origin: performance.timeOrigin });
    return await tools.mail.send({ to: "ana" });
  `);
  const resumed = await cm.resume(r.paused!.continuation, decide(r, [{ approved: true }]));
  assert.equal(resumed.stopReason, "error");
  assert.equal(resumed.error?.name, "DivergenceError");
  assert.match(
    resumed.error!.message,
    /diverged from the run that paused at tool call 1: the first run called tools\.log\.note\(\{"origin":[\d.]+\}\), the resumed script tools\.log\.note\(\{"origin":[\d.]+\}\)/,
  );
  assert.equal(runs.note.length, 1, "the diverging call was not run");
  assert.deepEqual(runs.send, []);
});

Deno.test("decisions must name exactly the pending calls", async () => {
  const { runs, tools } = mailTools();
  await using cm = codemode(tools);
  const r = await cm.execute(`return await Promise.all([tools.mail.send({ to: "a" }), tools.mail.send({ to: "b" })])`);
  const [a, b] = r.paused!.pending;
  const token = r.paused!.continuation;
  await assert.rejects(cm.resume(token, { [a.id]: { approved: true } }), new RegExp(`No decision for ${b.id}`));
  await assert.rejects(
    cm.resume(token, { [a.id]: { approved: true }, [b.id]: { approved: true }, ap_other: { approved: true } }),
    /No pending approval "ap_other"/,
  );
  await assert.rejects(
    cm.resume(token, { [a.id]: { approved: "yes" }, [b.id]: { approved: true } } as never),
    /must be \{ approved: true \}/,
  );
  assert.deepEqual(runs.send, []);
});

Deno.test("a record too large to resume refuses the call that would pause, saying why", async () => {
  const big = defineTool({ name: "data.big", input: z.object({}), handler: () => "x".repeat(10_000) });
  const { runs, tools } = mailTools();
  await using cm = codemode([...tools, big], { approvals: { key: KEY, maxContinuationBytes: 8192 } });
  const r = await cm.execute(`
    await tools.data.big({});
    try { await tools.mail.send({ to: "ana" }) } catch (e) { return e.message }
  `);
  assert.equal(r.stopReason, "completed");
  assert.match(
    String(r.result),
    /^tools\.mail\.send was not run: it needs approval and no approver is configured, and the execution cannot pause: it recorded more than \d+ characters .*\(approvals\.maxContinuationBytes\)/,
  );
  assert.deepEqual(runs.send, []);
});

Deno.test("an executor that cannot pause (a remote one) refuses such calls as before, and cannot resume", async () => {
  const { runs, tools } = mailTools();
  // Stands in for RemoteExecutor: it runs tool calls through invoke, and has no `pausable`.
  const executor = {
    execute: async (req: ExecuteRequest): Promise<ExecutionResult> => {
      const result = await req.invoke("mail.send", { to: "ana" }, new AbortController().signal)
        .catch((e: Error) => e.message);
      return {
        executionId: req.executionId,
        ok: true,
        stopReason: "completed",
        result,
        logs: [],
        toolCalls: [],
        durationMs: 0,
      };
    },
    close: () => Promise.resolve(),
  };
  await using cm = codemode(tools, { executor });
  const r = await cm.execute(`unused`);
  assert.equal(
    r.result,
    "tools.mail.send was not run: it needs approval and no approver is configured, and the execution cannot pause: " +
      "its executor cannot pause executions (only a LocalExecutor can)",
  );
  await assert.rejects(cm.resume("cm1.x.y", {}), /executor cannot resume/);
  assert.deepEqual(runs.send, []);
});
