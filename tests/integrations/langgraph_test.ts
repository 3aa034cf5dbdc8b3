// The LangGraph helpers end to end: LangChain v1's createAgent (the successor
// of LangGraph's deprecated createReactAgent) and a hand-built graph, each
// driven by a scripted tool-calling chat model.
import assert from "node:assert/strict";
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { createAgent } from "langchain";
import { Codemode } from "../../mod.ts";
import { langgraphTools } from "../../src/integrations/langgraph.ts";
import tools from "../../examples/demo/tools.ts";
import { ScriptedChatModel } from "../../examples/langchain/scripted_chat_model.ts";
import { resultValue } from "../../examples/basic/task.ts";

const CODE = `
const cities = ["Oslo", "Lima", "Pune"];
const weather = await Promise.all(cities.map((city) => tools.weather.get({ city })));
const warm = weather.filter((w) => w.tempC > 20).map((w) => w.city);
const orders = (await Promise.all(warm.map((city) => tools.db.orders.list({ city })))).flat();
return { warm, orders: orders.length };
`;

function scripted(): ScriptedChatModel {
  return new ScriptedChatModel([
    { code: CODE },
    {
      answer: (r) => {
        const v = resultValue(r) as { warm: string[]; orders: number };
        return `Warm cities: ${v.warm.join(", ")} (${v.orders} orders).`;
      },
    },
  ]);
}

function assertConversation(messages: BaseMessage[]): void {
  assert.deepEqual(messages.map((m) => m.getType()), ["human", "ai", "tool", "ai"]);
  const toolMessage = messages[2];
  assert.ok(ToolMessage.isInstance(toolMessage));
  assert.deepEqual(resultValue(toolMessage.content as string), { warm: ["Lima", "Pune"], orders: 3 });
  assert.match(toolMessage.content as string, /Tool calls \(5\): weather\.get ok/);
  const last = messages[3];
  assert.ok(AIMessage.isInstance(last));
  assert.equal(last.content, "Warm cities: Lima, Pune (3 orders).");
}

Deno.test("createAgent with langgraphTools: the agent calls the codemode tool with code, reads the result, answers", async () => {
  await using cm = new Codemode({ tools });
  const llm = scripted();
  const agent = createAgent({ model: llm, tools: await langgraphTools(cm) });
  const state = await agent.invoke({ messages: [new HumanMessage("Which cities are warm, and how many orders?")] });
  assertConversation(state.messages);
  assert.equal(llm.calls.length, 2);
  assert.match(llm.boundTools[0].description, /declare const tools/);
});

Deno.test("a hand-built StateGraph with a ToolNode of langgraphTools and toolsCondition runs the same loop", async () => {
  await using cm = new Codemode({ tools });
  const llm = scripted();
  const model = llm.bindTools(await langgraphTools(cm));
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode("tools", new ToolNode(await langgraphTools(cm)))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", toolsCondition, ["tools", END])
    .addEdge("tools", "agent")
    .compile();
  const state = await graph.invoke({ messages: [new HumanMessage("Which cities are warm?")] });
  assertConversation(state.messages);
});

Deno.test("in a ToolNode, a non-string `code` becomes an error ToolMessage and the run goes on", async () => {
  await using cm = new Codemode({ tools });
  const node = new ToolNode(await langgraphTools(cm));
  const call = new AIMessage({
    content: "",
    tool_calls: [{ id: "bad-1", name: "execute_code", args: { code: 42 }, type: "tool_call" }],
  });
  const out = await node.invoke({ messages: [call] }) as { messages: ToolMessage[] };
  assert.equal(out.messages.length, 1);
  assert.equal(out.messages[0].status, "error");
  assert.equal(out.messages[0].tool_call_id, "bad-1");
  assert.match(out.messages[0].content as string, /expected string, received number/);
  assert.match(out.messages[0].content as string, /code/);
});
