/**
 * The basic task through LangChain.js: the Codemode tool is bound to a
 * tool-calling chat model, and LangChain's own loop runs the tool calls.
 * A scripted chat model plays the model's part, so it runs offline.
 *
 * Run: `deno run -A examples/langchain/main.ts`
 *
 * @module
 */
import { type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { Codemode } from "../../mod.ts";
import { langchainTool } from "../../src/integrations/langchain.ts";
import tools from "../demo/tools.ts";
import { QUESTION, STEPS, SYSTEM } from "../basic/task.ts";
import { ScriptedChatModel } from "./scripted_chat_model.ts";
import { printConversation } from "./print.ts";

await using cm = new Codemode({ tools });
const codemodeTool = await langchainTool(cm);
// A real model goes here instead, e.g. `new ChatOpenAI({ model: "gpt-5-mini" })` from `@langchain/openai`.
const model = new ScriptedChatModel(STEPS).bindTools([codemodeTool]);

console.log("Model: scripted LangChain chat model");
console.log(`Question: ${QUESTION}`);
const messages: BaseMessage[] = [new SystemMessage(SYSTEM), new HumanMessage(QUESTION)];
for (let turn = 0; turn < 6; turn++) {
  const reply = await model.invoke(messages);
  messages.push(reply);
  if (!reply.tool_calls?.length) break;
  // Invoking a tool with the whole tool call returns a ToolMessage tied to the call's id.
  for (const call of reply.tool_calls) messages.push(await codemodeTool.invoke({ ...call, type: "tool_call" }));
}
printConversation(messages.slice(1));
