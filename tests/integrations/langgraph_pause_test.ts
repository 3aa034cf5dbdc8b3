// A script that reaches a call needing approval pauses; codemodeApprovalNode
// interrupts the graph with the pending calls, and the graph resumed with
// Command({ resume }) goes on by replay: in a new Codemode (a restarted host,
// the same key), with no tool run twice, a rejection caught by the script.
import assert from "node:assert/strict";
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { Command, END, isInterrupted, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { Codemode, defineTool } from "../../mod.ts";
import {
  codemodeApprovalNode,
  type CodemodeApprovalRequest,
  hasPausedExecution,
  langgraphTools,
} from "../../src/integrations/langgraph.ts";

const KEY = "a test key of the host, 32 chars or more, from the env";

const CODE = `
await tools.log.note({ text: "before " + Math.random() });
const [a, b] = await Promise.all([
  tools.orders.refund({ id: "A-7" }).catch((e) => "caught: " + e.message),
  tools.orders.refund({ id: "B-2" }).catch((e) => "caught: " + e.message),
]);
await tools.log.note({ text: "after" });
return { a, b };
`;

function host(ran: { notes: string[]; refunds: string[] }): Codemode {
  return new Codemode({
    tools: [
      defineTool({
        name: "orders.refund",
        input: z.object({ id: z.string() }),
        needsApproval: true,
        handler: ({ id }) => (ran.refunds.push(id), { refunded: id }),
      }),
      defineTool({
        name: "log.note",
        input: z.object({ text: z.string() }),
        handler: ({ text }) => void ran.notes.push(text),
      }),
    ],
    approvals: { key: KEY },
  });
}

async function graphOver(cm: Codemode, checkpointer: MemorySaver, resumed = false) {
  // The graph of a restarted host resumes after the tool call: its model only answers.
  const model = resumed ? fakeModel().respond(new AIMessage({ content: "Done.", id: "ai-done" })) : fakeModel()
    .respondWithTools([{ name: "execute_code", args: { code: CODE }, id: "call_1" }])
    .respond(new AIMessage({ content: "Done.", id: "ai-done" }));
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode("tools", new ToolNode(await langgraphTools(cm)))
    .addNode("approvals", codemodeApprovalNode(cm))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", toolsCondition, ["tools", END])
    .addEdge("tools", "approvals")
    .addConditionalEdges("approvals", (s) => hasPausedExecution(s) ? "approvals" : "agent", ["approvals", "agent"])
    .compile({ checkpointer });
  return { graph, model };
}

Deno.test("codemodeApprovalNode: the graph pauses with every pending call, resumes in a new host, and no tool runs twice", async () => {
  const ran = { notes: [] as string[], refunds: [] as string[] };
  const checkpointer = new MemorySaver();
  const config = { configurable: { thread_id: "pause-1" } };

  const first = host(ran);
  const { graph } = await graphOver(first, checkpointer);
  const out = await graph.invoke({ messages: [new HumanMessage("Refund A-7 and B-2")] }, config);
  await first.close();

  assert.ok(isInterrupted(out), "the graph stopped with an interrupt");
  const request = out.__interrupt__[0].value as CodemodeApprovalRequest;
  assert.equal(request.type, "codemode_approval");
  assert.deepEqual(request.approvals.map((a) => [a.tool, a.input]), [
    ["orders.refund", { id: "A-7" }],
    ["orders.refund", { id: "B-2" }],
  ]);
  assert.match(request.text, /tools\.orders\.refund\(\{"id":"A-7"\}\)/);
  assert.deepEqual(ran.refunds, [], "nothing that needs approval ran");
  assert.equal(ran.notes.length, 1);

  // A restarted host: a new Codemode with the same key, a new graph over the same checkpoints.
  const second = host(ran);
  await using _ = second;
  const { graph: again } = await graphOver(second, checkpointer, true);
  const [a7, b2] = request.approvals.map((a) => a.id);
  const done = await again.invoke(
    new Command({ resume: { [a7]: true, [b2]: { approved: false, reason: "B-2 was refunded already" } } }),
    config,
  );

  assert.ok(!isInterrupted(done));
  assert.deepEqual(ran.refunds, ["A-7"], "the approved call ran once, the rejected one never");
  assert.equal(ran.notes.length, 2, "the note before the pause was replayed, not made again");
  assert.equal(ran.notes[1], "after");
  const toolMessages = done.messages.filter((m) => ToolMessage.isInstance(m)) as ToolMessage[];
  assert.equal(toolMessages.length, 1, "the paused message was replaced, not added to");
  const result = toolMessages[0].artifact;
  assert.equal(result.stopReason, "completed");
  assert.deepEqual(result.result.a, { refunded: "A-7" });
  assert.match(result.result.b, /^caught: .*B-2 was refunded already/);
  assert.equal(done.messages.at(-1)?.content, "Done.");
});

Deno.test("codemodeApprovalNode: resumed with false, every pending call is rejected and the script goes on", async () => {
  const ran = { notes: [] as string[], refunds: [] as string[] };
  const cm = host(ran);
  await using _ = cm;
  const { graph } = await graphOver(cm, new MemorySaver());
  const config = { configurable: { thread_id: "pause-2" } };
  const out = await graph.invoke({ messages: [new HumanMessage("Refund")] }, config);
  assert.ok(isInterrupted(out));
  const done = await graph.invoke(new Command({ resume: false }), config);
  assert.deepEqual(ran.refunds, []);
  const result = (done.messages.find((m) => ToolMessage.isInstance(m)) as ToolMessage).artifact;
  assert.match(result.result.a, /^caught: /);
  assert.match(result.result.b, /^caught: /);
});

Deno.test("codemodeApprovalNode: a graph with nothing paused passes through it untouched", async () => {
  const cm = new Codemode();
  await using _ = cm;
  const node = codemodeApprovalNode(cm);
  const state = { messages: [new HumanMessage("hi"), new AIMessage("hello")] };
  assert.deepEqual(await node(state), {});
  assert.equal(hasPausedExecution(state), false);
});
