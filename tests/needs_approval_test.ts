// A tool's own approval requirement (`needsApproval`), honoured by the policy
// layer: never loosened by the config, checked against the validated input,
// bounded by the execution.
import assert from "node:assert/strict";
import { z } from "zod";
import {
  type ApprovalReason,
  ApprovalRefused,
  type ApprovalRequest,
  Codemode,
  defineTool,
  type ExecutionResult,
  type NeedsApproval,
} from "../mod.ts";

/** Without an approver, a call that needs approval pauses the execution (it used to be refused): nothing runs. */
function assertPausedOn(r: ExecutionResult, pending: { input: unknown; reason: ApprovalReason }[]) {
  assert.equal(r.stopReason, "paused");
  assert.equal(r.ok, false);
  assert.deepEqual(r.paused?.pending.map((p) => ({ tool: p.tool, input: p.input, reason: p.reason })), [
    ...pending.map((p) => ({ tool: "bank.pay", ...p })),
  ]);
}

function payTool(ran: unknown[], needsApproval: NeedsApproval<{ to: string; amount: number }>) {
  return defineTool({
    name: "bank.pay",
    // The check sees the validated input: `to` trimmed, `amount` a number.
    input: z.object({ to: z.string().trim(), amount: z.coerce.number() }),
    handler: (input) => (ran.push(input), "paid"),
    needsApproval,
  });
}

/** Runs a script that calls `tools.bank.pay` with each input and returns each result or error message. */
function payAll(cm: Codemode, inputs: unknown[]) {
  return cm.execute(`
    const out = [];
    for (const input of ${JSON.stringify(inputs)}) {
      try { out.push(await tools.bank.pay(input)); } catch (e) { out.push(e.message.replace(/ \\(script\\.ts:\\d+:\\d+\\)$/, "")); }
    }
    return out;
  `);
}

Deno.test("a tool with needsApproval: true pauses the execution without an approver and runs only on the approver's yes", async () => {
  const ran: unknown[] = [];
  await using none = new Codemode({ tools: [payTool(ran, true)] });
  assert.equal(none.hasApprover, false);
  assert.equal(none.policyOf(none.registry.get("bank.pay")!), "approve");
  const r1 = await payAll(none, [{ to: "a", amount: 1 }]);
  assertPausedOn(r1, [{ input: { to: "a", amount: 1 }, reason: { kind: "needsApproval" } }]);
  assert.deepEqual(ran, []);

  const asked: ApprovalRequest[] = [];
  await using cm = new Codemode({
    tools: [payTool(ran, true)],
    approver: (req) => (asked.push(req), (req.input as { amount: number }).amount < 100),
  });
  const r2 = await payAll(cm, [{ to: " bob ", amount: "5" }, { to: "eve", amount: 500 }]);
  assert.deepEqual(r2.result, ["paid", "tools.bank.pay was not run: the approver refused it"]);
  assert.deepEqual(ran, [{ to: "bob", amount: 5 }]);
  assert.deepEqual(asked.map((a) => [a.tool, a.input, a.executionId]), [
    ["bank.pay", { to: "bob", amount: 5 }, r2.executionId],
    ["bank.pay", { to: "eve", amount: 500 }, r2.executionId],
  ]);
  assert.ok(asked.every((a) => a.signal.aborted), "each request's signal fired when the execution ended");
});

Deno.test("a needsApproval check puts to the approver only the calls it does not answer false for", async () => {
  const ran: unknown[] = [];
  const checked: unknown[] = [];
  const asked: unknown[] = [];
  await using cm = new Codemode({
    tools: [payTool(ran, (input, ctx) => (checked.push([input, ctx.tool]), input.amount > 100))],
    approver: (req) => (asked.push(req.input), false),
  });
  const r = await payAll(cm, [{ to: " ann ", amount: "20" }, { to: "bo", amount: 300 }]);
  assert.deepEqual(r.result, ["paid", "tools.bank.pay was not run: the approver refused it"]);
  assert.deepEqual(checked, [[{ to: "ann", amount: 20 }, "bank.pay"], [{ to: "bo", amount: 300 }, "bank.pay"]]);
  assert.deepEqual(asked, [{ to: "bo", amount: 300 }]);
  assert.deepEqual(ran, [{ to: "ann", amount: 20 }]);
});

Deno.test("a needsApproval check that throws, or returns something other than false, does not let the call run unasked", async () => {
  const ran: unknown[] = [];
  await using throwing = new Codemode({
    tools: [payTool(ran, () => {
      throw new Error("limits service down");
    })],
    approver: () => true,
  });
  const r1 = await payAll(throwing, [{ to: "a", amount: 1 }]);
  assert.deepEqual(r1.result, ["tools.bank.pay was not run: its needsApproval check failed: limits service down"]);
  await using sloppy = new Codemode({ tools: [payTool(ran, () => undefined as unknown as boolean)] });
  const r2 = await payAll(sloppy, [{ to: "a", amount: 1 }]);
  assertPausedOn(r2, [{ input: { to: "a", amount: 1 }, reason: { kind: "needsApproval" } }]);
  assert.deepEqual(ran, []);
});

Deno.test("the config tightens a tool's needsApproval but never loosens it: allow keeps it, approve asks always, deny hides it", async () => {
  const ran: unknown[] = [];
  const small = (input: { amount: number }) => input.amount > 100;
  await using allowed = new Codemode({
    tools: [payTool(ran, true)],
    policies: { "bank.*": "allow", "bank.pay": "allow" },
  });
  assert.equal(allowed.policyOf(allowed.registry.get("bank.pay")!), "approve");
  const r1 = await payAll(allowed, [{ to: "a", amount: 1 }]);
  assertPausedOn(r1, [{ input: { to: "a", amount: 1 }, reason: { kind: "needsApproval" } }]);

  await using approve = new Codemode({ tools: [payTool(ran, small)], policies: { "bank.pay": "approve" } });
  const r2 = await payAll(approve, [{ to: "a", amount: 1 }]);
  // Asked although small: the rule, not the tool's check, is why.
  assertPausedOn(r2, [{ input: { to: "a", amount: 1 }, reason: { kind: "policy", rule: "bank.pay" } }]);

  await using denied = new Codemode({ tools: [payTool(ran, true)], policies: { "bank.*": "deny" } });
  assert.equal(denied.policyOf(denied.registry.get("bank.pay")!), "deny");
  assert.doesNotMatch(await denied.types(), /pay/);
  const r3 = await payAll(denied, [{ to: "a", amount: 1 }]);
  assert.match(String((r3.result as string[])[0]), /^tools\.bank\.pay is not a tool[.:]/);
  assert.deepEqual(ran, []);
});

Deno.test("execute(code, { approver }) decides that execution's approvals instead of the instance's approver", async () => {
  const ran: unknown[] = [];
  const instanceAsked: unknown[] = [];
  await using cm = new Codemode({ tools: [payTool(ran, true)], approver: () => (instanceAsked.push(1), false) });
  assert.equal(cm.hasApprover, true);
  const code = `return await tools.bank.pay({ to: "a", amount: 1 })`;
  const r = await cm.execute(code, { approver: ({ executionId }) => executionId.length > 0 });
  assert.equal(r.result, "paid");
  assert.deepEqual(instanceAsked, []);
  const again = await cm.execute(`try { ${code} } catch (e) { return e.message }`);
  assert.match(String(again.result), /the approver refused it/);
  assert.deepEqual(instanceAsked, [1]);
});

Deno.test("an approver refuses with a reason the script reads by throwing ApprovalRefused; other errors are named as failures", async () => {
  const ran: unknown[] = [];
  await using reasoned = new Codemode({
    tools: [payTool(ran, true)],
    approver: () => {
      throw new ApprovalRefused("payments are frozen until Monday");
    },
  });
  const r = await payAll(reasoned, [{ to: "a", amount: 1 }]);
  assert.deepEqual(r.result, ["tools.bank.pay was not run: payments are frozen until Monday"]);
  await using huge = new Codemode({
    tools: [payTool(ran, true)],
    approver: () => Promise.reject(new Error("x".repeat(100_000))),
  });
  const r2 = await payAll(huge, [{ to: "a", amount: 1 }]);
  const message = (r2.result as string[])[0];
  assert.match(message, /^tools\.bank\.pay was not run: the approver failed: x+…/);
  assert.ok(message.length < 1100, `a refusal's reason is bounded, got ${message.length} characters`);
  assert.deepEqual(ran, []);
});

Deno.test("an approver that never answers ends with the execution: its signal fires, and the host stays healthy", async () => {
  const ran: unknown[] = [];
  const asked = Promise.withResolvers<AbortSignal>();
  await using cm = new Codemode({
    tools: [payTool(ran, true)],
    approver: ({ signal }) => (asked.resolve(signal), new Promise<boolean>(() => {})),
  });
  const stop = new AbortController();
  const running = cm.execute(`return await tools.bank.pay({ to: "a", amount: 1 })`, { signal: stop.signal });
  const signal = await asked.promise;
  assert.equal(signal.aborted, false);
  stop.abort(); // the execution ends (as at its timeout) while the approver still has not answered
  const r = await running;
  assert.equal(r.stopReason, "killed");
  assert.equal(signal.aborted, true);
  assert.deepEqual(ran, []);
  const next = await cm.execute(`return 6 * 7`);
  assert.equal(next.result, 42);
});

Deno.test("defineTool refuses a needsApproval that is neither a boolean nor a function, naming the tool", () => {
  assert.throws(
    () => payTool([], "yes" as unknown as boolean),
    /tool "bank\.pay": needsApproval must be a boolean or a function of the input/,
  );
  assert.equal(payTool([], false).needsApproval, undefined, "false is no requirement of its own");
});
