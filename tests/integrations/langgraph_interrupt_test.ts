// A LangGraph interrupt() thrown inside Codemode, by a tool handler or the
// approver, pauses the graph like an interrupt in any other tool: the
// execute_code tool rethrows it instead of handing it to the model's script.
import assert from "node:assert/strict";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import {
  END,
  interrupt,
  isInterrupted,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { Codemode, type CodemodeOptions, defineTool } from "../../mod.ts";
import { langgraphTools } from "../../src/integrations/langgraph.ts";

const CODE = `
await tools.log.note({ text: "before" });
try {
  return await tools.orders.refund({ id: "A-7" });
} catch (e) {
  await tools.log.note({ text: "the script caught " + e.message });
  return "caught";
}
`;

async function graphOver(options: CodemodeOptions) {
  const cm = new Codemode(options);
  const tools = await langgraphTools(cm);
  const model = fakeModel()
    .respondWithTools([{ name: "execute_code", args: { code: CODE }, id: "call_1" }])
    .respond(new AIMessage("Refunded."));
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode("tools", new ToolNode(tools))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", toolsCondition, ["tools", END])
    .addEdge("tools", "agent")
    .compile({ checkpointer: new MemorySaver() });
  return { cm, graph, model };
}

function noteTool(notes: string[]) {
  return defineTool({
    name: "log.note",
    input: z.object({ text: z.string() }),
    handler: ({ text }) => void notes.push(text),
  });
}

Deno.test("interrupt() in a tool handler pauses the graph at the tools node; the script never sees it", async () => {
  const notes: string[] = [];
  const refund = defineTool({
    name: "orders.refund",
    input: z.object({ id: z.string() }),
    handler: ({ id }) => ({ refunded: interrupt({ question: `Refund ${id}?` }) === "yes" }),
  });
  const { cm, graph, model } = await graphOver({ tools: [refund, noteTool(notes)] });
  await using _ = cm;
  const config = { configurable: { thread_id: "refund-1" } };
  const out = await graph.invoke({ messages: [new HumanMessage("Refund order A-7")] }, config);

  assert.ok(isInterrupted(out), "the graph stopped with an interrupt");
  assert.deepEqual(out.__interrupt__.map((i) => i.value), [{ question: "Refund A-7?" }]);
  const snapshot = await graph.getState(config);
  assert.deepEqual(snapshot.next, ["tools"]);
  assert.equal(model.callCount, 1, "the model was not called again: the graph stopped");
  assert.deepEqual(notes, ["before"], "the script did not go on after the interrupt");
});

Deno.test("interrupt() in the approver pauses the graph the same way", async () => {
  const notes: string[] = [];
  const ran: string[] = [];
  const refund = defineTool({
    name: "orders.refund",
    input: z.object({ id: z.string() }),
    handler: ({ id }) => (ran.push(id), { refunded: true }),
  });
  const { cm, graph } = await graphOver({
    tools: [refund, noteTool(notes)],
    policies: { "orders.refund": "approve" },
    approver: ({ tool, input }) => interrupt({ approve: tool, input }) === "yes",
  });
  await using _ = cm;
  const config = { configurable: { thread_id: "refund-2" } };
  const out = await graph.invoke({ messages: [new HumanMessage("Refund order A-7")] }, config);

  assert.ok(isInterrupted(out), "the graph stopped with an interrupt");
  assert.deepEqual(out.__interrupt__.map((i) => i.value), [{ approve: "orders.refund", input: { id: "A-7" } }]);
  assert.deepEqual((await graph.getState(config)).next, ["tools"]);
  assert.deepEqual(ran, [], "the tool did not run");
  assert.deepEqual(notes, ["before"]);
});
