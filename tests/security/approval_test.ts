// A tool's own approval requirement is enforced on the host: a child that
// knows the nonce and forges calls (by every name, again and again) gets no
// tool that needs approval run without an approver's yes.
// Stopped by: the host decides approval per call from the tool's own `needsApproval` and the policies, before any
// handler runs; only an approver's `true` lets a call through.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { compromisedSandbox } from "./_compromised.ts";

Deno.test("a child that knows the nonce cannot get a tool that needs approval run, by any name or any number of calls", async () => {
  const ran: unknown[] = [];
  const tools = [
    defineTool({
      name: "ops.wipe-disk",
      input: z.object({ disk: z.string() }),
      needsApproval: true,
      handler: ({ disk }) => (ran.push(disk), "wiped"),
    }),
    defineTool({
      name: "bank.pay",
      input: z.object({ amount: z.number() }),
      needsApproval: ({ amount }) => amount > 100,
      handler: ({ amount }) => (ran.push(amount), "paid"),
    }),
  ];
  const asked: unknown[] = [];
  await using cm = await compromisedSandbox({
    tools,
    policies: { "ops.*": "allow", "bank.pay": "allow" }, // an allow rule does not loosen needsApproval
    approver: ({ input }) => (asked.push(input), false),
  });
  const r = await cm.execute(`
    const out = [];
    for (let i = 0; i < 20; i++) {
      for (const [tool, input] of [["ops.wipe_disk", { disk: "sda" }], ["ops.wipe-disk", { disk: "sda" }], ["bank.pay", { amount: 1000 + i }]]) {
        const reply = call(tool, input);
        out.push(reply.error ? reply.error.message : "ran");
      }
    }
    out.push(call("bank.pay", { amount: 5 }).result);
    return out;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r).slice(0, 500));
  const out = r.result as string[];
  assert.equal(out.length, 61);
  assert.equal(out.at(-1), "paid", "a call its check lets through still runs");
  const refused = out.slice(0, -1);
  assert.ok(
    refused.every((m) => /was not run: the approver refused it|is not a tool/.test(m)),
    JSON.stringify(refused),
  );
  assert.deepEqual(ran, [5]);
  assert.equal(asked.length, 40, "every forged call of the safe names was put to the approver, and refused");
});
