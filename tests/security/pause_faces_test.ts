// The framework faces of pause and resume take what a model, a client or a
// stored message hands them: an execution id the model made up or copied
// twice, a resume value that is not a decision, a ToolMessage whose stored
// artifact carries a forged or altered continuation. None of it runs a call
// that needs approval without a person's yes, runs one twice, or crashes the graph.
// Stopped by: the sealed continuation (AES-256-GCM) `Codemode.resume` opens, the store's atomic take, and the
// faces' reading of answers (only `true` or `{ approved: true }` for a named call approves it)
import assert from "node:assert/strict";
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import { Command, isInterrupted, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { Codemode, defineTool, type ExecutionResult } from "../../mod.ts";
import { aiSdkResumeTool, memoryContinuations } from "../../src/integrations/ai_sdk.ts";
import { codemodeApprovalNode } from "../../src/integrations/langgraph.ts";
import { decisionsFrom } from "../../src/integrations/_pause.ts";

const KEY = "a test key of the host, 32 chars or more, from the env";

function host(sent: string[]): Codemode {
  return new Codemode({
    tools: [
      defineTool({
        name: "mail.send",
        input: z.object({ to: z.string() }),
        needsApproval: true,
        handler: ({ to }) => (sent.push(to), `sent to ${to}`),
      }),
    ],
    approvals: { key: KEY },
  });
}

const SEND = `return await tools.mail.send({ to: "ana" })`;

Deno.test("an answer that is not a decision rejects every call; only true or { approved: true } approves", () => {
  const pending = [{ id: "a" }, { id: "b" }];
  for (const answer of [undefined, null, "yes", 1, [], { a: "true" }, { a: { approved: "yes" } }, { b: 1 }]) {
    const decisions = decisionsFrom(pending, answer);
    assert.deepEqual(Object.values(decisions).map((d) => d.approved), [false, false], JSON.stringify(answer));
  }
  const inherited = decisionsFrom([{ id: "toString" }], Object.create({ toString: true }));
  assert.equal((inherited as Record<string, { approved: boolean }>)["toString"].approved, false, "only own keys count");
});

Deno.test("the resume tool: a made-up, hostile or reused execution id runs nothing", async () => {
  const sent: string[] = [];
  await using cm = host(sent);
  const continuations = memoryContinuations();
  const tool = aiSdkResumeTool(cm, { continuations });
  const hostile = [{ executionId: "x".repeat(100_000) }, { executionId: 42 }, {}, null, { executionId: "__proto__" }];
  for (const input of hostile) {
    const out = await tool.execute(input as never);
    assert.equal(out.error?.name, "UnknownExecutionError");
    assert.ok(out.error!.message.length < 400, "the message quotes a bounded part of the id");
  }
  const paused = await cm.execute(SEND);
  continuations.set(paused.executionId, paused.paused!);
  assert.equal((await tool.execute({ executionId: paused.executionId })).result, "sent to ana");
  assert.equal((await tool.execute({ executionId: paused.executionId })).error?.name, "UnknownExecutionError");
  assert.deepEqual(sent, ["ana"]);
});

Deno.test("the resume tool: a stored continuation that was altered or forged is refused and runs nothing", async () => {
  const sent: string[] = [];
  await using cm = host(sent);
  const continuations = memoryContinuations();
  const tool = aiSdkResumeTool(cm, { continuations });
  const paused = (await cm.execute(SEND)).paused!;
  const token = paused.continuation;
  const flipped = token.slice(0, 40) + (token[40] === "A" ? "B" : "A") + token.slice(41);
  for (const [i, continuation] of [flipped, "cm1.forged", "", token.slice(0, -4)].entries()) {
    continuations.set(`e${i}`, { ...paused, continuation });
    const out = await tool.execute({ executionId: `e${i}` });
    assert.equal(out.stopReason, "rejected");
    assert.equal(out.error?.name, "ContinuationError");
  }
  assert.deepEqual(sent, []);
});

Deno.test("the approval node: a stored ToolMessage with a forged continuation is a rejected result, not a crash", async () => {
  const sent: string[] = [];
  await using cm = host(sent);
  const real = await cm.execute(SEND);
  const forged: ExecutionResult = {
    ...real,
    paused: { ...real.paused!, continuation: real.paused!.continuation.slice(0, -8) + "AAAAAAAA" },
  };
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("approvals", codemodeApprovalNode(cm))
    .addEdge(START, "approvals")
    .compile({ checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: "forged" } };
  const messages = [
    new AIMessage({ content: "", tool_calls: [{ id: "call_1", name: "execute_code", args: { code: SEND } }] }),
    new ToolMessage({ id: "tm-1", tool_call_id: "call_1", content: "paused", artifact: forged }),
  ];
  const out = await graph.invoke({ messages }, config);
  assert.ok(isInterrupted(out));
  const done = await graph.invoke(new Command({ resume: true }), config);
  const result = (done.messages.at(-1) as ToolMessage).artifact as ExecutionResult;
  assert.equal(result.stopReason, "rejected");
  assert.equal(result.error?.name, "ContinuationError");
  assert.deepEqual(sent, [], "approving a forged continuation ran nothing");
});
