// LangChain v1's createAgent with codemodeMiddleware: the middleware adds the
// execute_code tool and puts the instructions and types in the system prompt.
// The model is LangChain's own scripted fake (`fakeModel` from @langchain/core/testing).
import assert from "node:assert/strict";
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { fakeModel } from "@langchain/core/testing";
import { interrupt, isInterrupted, MemorySaver } from "@langchain/langgraph";
import { createAgent } from "langchain";
import { z } from "zod";
import { Codemode, defineTool, type ToolContext } from "../../mod.ts";
import { codemodeMiddleware, type ExecutionResult } from "../../src/integrations/langchain.ts";
import tools from "../../examples/demo/tools.ts";
import { resultValue } from "../../examples/basic/task.ts";

const CODE = `
const [oslo, lima] = await Promise.all([tools.weather.get({ city: "Oslo" }), tools.weather.get({ city: "Lima" })]);
return oslo.tempC > lima.tempC ? oslo.city : lima.city;
`;

/** Answers from the last tool result, as a model would. */
function answerFromTool(messages: BaseMessage[]): AIMessage {
  const last = messages.findLast((m) => ToolMessage.isInstance(m));
  return new AIMessage(`The warmer city is ${resultValue(String(last?.content))}.`);
}

Deno.test("createAgent with codemodeMiddleware: the tool is added and the types follow the agent's system prompt", async () => {
  await using cm = new Codemode({ tools });
  const model = fakeModel()
    .respondWithTools([{ name: "execute_code", args: { code: CODE }, id: "call_1" }])
    .respond(answerFromTool);
  const middleware = await codemodeMiddleware(cm);
  const agent = createAgent({ model, systemPrompt: "You are terse.", middleware: [middleware] });
  const state = await agent.invoke({ messages: [new HumanMessage("Oslo or Lima, which is warmer?")] });

  assert.deepEqual(state.messages.map((m) => m.getType()), ["human", "ai", "tool", "ai"]);
  assert.equal(state.messages[3].content, "The warmer city is Lima.");
  const toolMessage = state.messages[2];
  assert.ok(ToolMessage.isInstance(toolMessage));
  assert.match(String(toolMessage.content), /^Result:\n"Lima"\n\nTool calls \(2\): weather\.get ok/);
  // The model reads the text; the message's artifact keeps the whole result for UIs and traces.
  const artifact = toolMessage.artifact as ExecutionResult;
  assert.equal(artifact.result, "Lima");
  assert.deepEqual(artifact.toolCalls.map((c) => c.tool), ["weather.get", "weather.get"]);

  const [system] = model.calls[0].messages;
  assert.ok(SystemMessage.isInstance(system));
  assert.match(system.text, /^You are terse\.\n\nYou can use tools by writing one TypeScript script/);
  assert.match(system.text, /declare const tools/);
  // The agent ran the middleware's tool (the ToolMessage above); its description leaves the types to the prompt.
  assert.equal(toolMessage.name, "execute_code");
  assert.deepEqual(middleware.tools.map((t) => t.name), ["execute_code"]);
  assert.doesNotMatch(middleware.tools[0].description, /declare const tools/, "the types are sent once");
});

Deno.test("createAgent: the run's context and configurable reach every handler through ctx.context", async () => {
  const seen: Pick<ToolContext, "toolCallId" | "context">[] = [];
  const whoami = defineTool({
    name: "session.user",
    input: z.object({}),
    handler: (_, ctx) => {
      seen.push({ toolCallId: ctx.toolCallId, context: ctx.context });
      const config = ctx.context as RunnableConfig & { context?: { userId: string } };
      return { user: config.context?.userId, thread: config.configurable?.thread_id };
    },
  });
  await using cm = new Codemode({ tools: [whoami] });
  const model = fakeModel()
    .respondWithTools([{ name: "execute_code", args: { code: "return await tools.session.user({})" }, id: "call_9" }])
    .respond(new AIMessage("done"));
  const agent = createAgent({
    model,
    middleware: [await codemodeMiddleware(cm)],
    contextSchema: z.object({ userId: z.string() }),
    checkpointer: new MemorySaver(),
  });
  const state = await agent.invoke(
    { messages: [new HumanMessage("Who am I?")] },
    { context: { userId: "ada" }, configurable: { thread_id: "t-9" } },
  );
  const artifact = (state.messages[2] as ToolMessage).artifact as ExecutionResult;
  assert.deepEqual(artifact.result, { user: "ada", thread: "t-9" });
  assert.equal(seen[0].toolCallId, "call_9:1");
});

Deno.test("createAgent with a checkpointer: interrupt() in a tool handler pauses the agent before it answers", async () => {
  const deleteRepo = defineTool({
    name: "github.deleteRepo",
    input: z.object({ repo: z.string() }),
    handler: ({ repo }) => ({ deleted: interrupt({ confirm: `Delete ${repo}?` }) === "yes" }),
  });
  await using cm = new Codemode({ tools: [deleteRepo] });
  const model = fakeModel()
    .respondWithTools([{ name: "execute_code", args: { code: `return await tools.github.deleteRepo({ repo: "x" })` } }])
    .respond(new AIMessage("deleted"));
  const agent = createAgent({ model, middleware: [await codemodeMiddleware(cm)], checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: "delete-1" } };
  const out = await agent.invoke({ messages: [new HumanMessage("Delete repo x")] }, config);
  assert.ok(isInterrupted(out), "the agent stopped with an interrupt");
  assert.deepEqual(out.__interrupt__.map((i) => i.value), [{ confirm: "Delete x?" }]);
  assert.equal(model.callCount, 1, "the model was not asked again");
});
