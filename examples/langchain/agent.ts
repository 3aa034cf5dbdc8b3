/**
 * The basic task through LangChain v1's agent, `createAgent` from the
 * `langchain` package: `codemodeMiddleware` gives the agent the Codemode tool
 * and puts the instructions and the generated types in its system prompt.
 * A scripted chat model plays the model's part, so it runs offline.
 *
 * Run: `deno run -A examples/langchain/agent.ts`
 *
 * @module
 */
import { HumanMessage } from "@langchain/core/messages";
import { createAgent } from "langchain";
import { Codemode } from "../../mod.ts";
import { codemodeMiddleware } from "../../src/integrations/langchain.ts";
import tools from "../demo/tools.ts";
import { QUESTION, STEPS, SYSTEM } from "../basic/task.ts";
import { ScriptedChatModel } from "./scripted_chat_model.ts";
import { printConversation } from "./print.ts";

await using cm = new Codemode({ tools });
const agent = createAgent({
  // A real model goes here instead, e.g. `"openai:gpt-5-mini"` or `new ChatAnthropic({ model: "claude-sonnet-4-5" })`.
  model: new ScriptedChatModel(STEPS),
  systemPrompt: SYSTEM, // the middleware adds Codemode's instructions and types after it
  middleware: [await codemodeMiddleware(cm)],
});

console.log("Model: scripted LangChain chat model, in createAgent with codemodeMiddleware");
console.log(`Question: ${QUESTION}`);
const state = await agent.invoke({ messages: [new HumanMessage(QUESTION)] }, { recursionLimit: 10 });
printConversation(state.messages);
