/**
 * The basic task through LangGraph.js: a two-node graph (model, tools) where
 * the tools node is a `ToolNode` holding Codemode's tool. A scripted chat model plays the
 * model's part, so it runs offline.
 *
 * Run: `deno run -A examples/langgraph/main.ts`
 *
 * @module
 */
import { type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { Codemode } from "../../mod.ts";
import { langgraphTools } from "../../src/integrations/langgraph.ts";
import tools from "../demo/tools.ts";
import { QUESTION, STEPS, SYSTEM } from "../basic/task.ts";
import { ScriptedChatModel } from "../langchain/scripted_chat_model.ts";
import { printConversation } from "../langchain/print.ts";

await using cm = new Codemode({ tools });
// A real model goes here instead, e.g. `new ChatAnthropic({ model: "claude-sonnet-4-5" })`.
const codemodeTools = await langgraphTools(cm);
const model = new ScriptedChatModel(STEPS).bindTools(codemodeTools);

// model → (tool calls?) → tools → model … → END. `createAgent({ model, tools: codemodeTools })` (`langchain`) builds the same.
const graph = new StateGraph(MessagesAnnotation)
  .addNode("model", async (state) => ({ messages: [await model.invoke(state.messages)] }))
  .addNode("tools", new ToolNode(codemodeTools))
  .addEdge(START, "model")
  .addConditionalEdges("model", toolsCondition, ["tools", END])
  .addEdge("tools", "model")
  .compile();

console.log("Model: scripted LangChain chat model, in a LangGraph graph");
console.log(`Question: ${QUESTION}`);
const messages: BaseMessage[] = [new SystemMessage(SYSTEM), new HumanMessage(QUESTION)];
const path: string[] = [];
// "updates" mode yields each node's output as it finishes, so we see the path the graph took.
for await (const update of await graph.stream({ messages }, { streamMode: "updates", recursionLimit: 10 })) {
  for (const [node, output] of Object.entries(update)) {
    path.push(node);
    messages.push(...((output as { messages?: BaseMessage[] } | undefined)?.messages ?? []));
  }
}
printConversation(messages.slice(1));
console.log(`Graph path: ${["START", ...path, "END"].join(" → ")}`);
