// LangChain runnables and LangGraph graphs called from a script
// (`tools.agents.<name>`), end to end: a real sandbox, LangChain v1's
// createAgent, hand-built StateGraphs and a chain, driven by LangChain's fake
// chat models (and the examples' scripted one, a FakeChatModel that calls tools).
import assert from "node:assert/strict";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { tool } from "@langchain/core/tools";
import { RunnableLambda } from "@langchain/core/runnables";
import { FakeListChatModel, FakeLLM } from "@langchain/core/utils/testing";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createAgent } from "langchain";
import { z } from "zod";
import { Codemode, type ExecutionResult } from "../../mod.ts";
import { agentTool as langchainAgentTool } from "../../src/integrations/langchain.ts";
import { agentTool } from "../../src/integrations/langgraph.ts";
import { ScriptedChatModel } from "../../examples/langchain/scripted_chat_model.ts";

function assertCompleted(r: ExecutionResult): void {
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
}

/** A fake chat model that counts the calls actually made to it. */
class CountingModel extends FakeListChatModel {
  made = 0;
  override _generate(...args: Parameters<FakeListChatModel["_generate"]>): ReturnType<FakeListChatModel["_generate"]> {
    this.made++;
    return super._generate(...args);
  }
}

/** A graph whose one node calls the model and then goes back to itself: left alone, it loops to its recursion limit. */
function loopingGraph(model: CountingModel) {
  return new StateGraph(MessagesAnnotation)
    .addNode("think", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addEdge(START, "think")
    .addConditionalEdges("think", (state) => state.messages.length > 100 ? END : "think")
    .compile();
}

Deno.test("a createAgent agent is called from a script as tools.agents.<name>({ task }) and answers { text }", async () => {
  const model = new ScriptedChatModel([{ answer: () => "Oslo is cold." }], "lookup");
  const lookup = tool(() => "found", { name: "lookup", schema: z.object({ code: z.string() }) });
  const agent = createAgent({ model, tools: [lookup], systemPrompt: "You research weather." });
  await using cm = new Codemode({ tools: [agentTool(agent, { name: "research" })] });
  const r = await cm.execute(`return await tools.agents.research({ task: "How is Oslo?" })`);
  assertCompleted(r);
  assert.deepEqual(r.result, { text: "Oslo is cold." });
  assert.equal(model.calls.length, 1);
  assert.deepEqual(model.calls[0].map((m) => [m.getType(), m.text]), [
    ["system", "You research weather."],
    ["human", "How is Oslo?"],
  ]);
  assert.deepEqual(r.toolCalls.map((c) => [c.tool, c.ok]), [["agents.research", true]]);
});

Deno.test("a createAgent agent that keeps calling tools is stopped at maxModelCalls; the next call is never made", async () => {
  const model = new ScriptedChatModel([{ code: "again" }], "lookup");
  const lookup = tool(() => "found", { name: "lookup", schema: z.object({ code: z.string() }) });
  const agent = createAgent({ model, tools: [lookup] });
  await using cm = new Codemode({ tools: [agentTool(agent, { name: "looper", maxModelCalls: 3 })] });
  const r = await cm.execute(`try { await tools.agents.looper({ task: "go" }); } catch (e) { return e.message; }`);
  assertCompleted(r);
  assert.match(r.result as string, /^tools\.agents\.looper stopped: the agent reached its cap of 3 model calls/);
  assert.equal(model.calls.length, 3);
});

Deno.test("a hand-built graph whose node calls the model without passing its config is capped too", async () => {
  const model = new CountingModel({ responses: ["thinking"] });
  const graph = loopingGraph(model);
  await using cm = new Codemode({ tools: [agentTool(graph, { name: "graph", maxModelCalls: 4 })] });
  const r = await cm.execute(`try { await tools.agents.graph({ task: "go" }); } catch (e) { return e.message; }`);
  assertCompleted(r);
  assert.match(r.result as string, /^tools\.agents\.graph stopped: the agent reached its cap of 4 model calls/);
  assert.equal(model.made, 4);
});

Deno.test("LLM calls count too, made in a function that passes no config on: the second of a cap of 1 is never made", async () => {
  let made = 0;
  const llm = new FakeLLM({ response: "words" });
  const original = llm._call.bind(llm);
  llm._call = (...args) => (made++, original(...args));
  const twice = RunnableLambda.from(async (task: string) => `${await llm.invoke(task)} ${await llm.invoke(task)}`);
  await using cm = new Codemode({ tools: [langchainAgentTool(twice, { name: "twice", toInput: ({ task }) => task })] });
  const r = await cm.execute(`return await tools.agents.twice({ task: "go" })`);
  assertCompleted(r);
  assert.deepEqual(r.result, { text: "words words" });
  await using capped = new Codemode({
    tools: [langchainAgentTool(twice, { name: "twice", toInput: ({ task }) => task, maxModelCalls: 1 })],
  });
  const c = await capped.execute(`try { await tools.agents.twice({ task: "go" }); } catch (e) { return e.message; }`);
  assertCompleted(c);
  assert.match(c.result as string, /^tools\.agents\.twice stopped: the agent reached its cap of 1 model calls/);
  assert.equal(made, 3);
});

Deno.test("a LangChain chain with its own input and output schemas, through the mappings", async () => {
  const model = new CountingModel({ responses: ["8"] });
  const chain = ChatPromptTemplate.fromMessages([["human", "Score from 1 to {scale}: {essay}"]])
    .pipe(model)
    .pipe(new StringOutputParser());
  const scorer = langchainAgentTool(chain, {
    name: "scorer",
    input: z.object({ essay: z.string(), scale: z.number().int() }),
    output: z.object({ score: z.number() }),
    toInput: (input) => input,
    toOutput: (text) => ({ score: Number(text) }),
  });
  await using cm = new Codemode({ tools: [scorer] });
  const r = await cm.execute(`return await tools.agents.scorer({ essay: "Short.", scale: 10 })`);
  assertCompleted(r);
  assert.deepEqual(r.result, { score: 8 });
  assert.equal(model.made, 1);
});

Deno.test("a graph's timeout aborts the signal its node waits on, and the script is told", async () => {
  let aborted: (() => void) | undefined;
  const sawAbort = new Promise<void>((resolve) => aborted = resolve);
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("wait", (_state, config) =>
      new Promise<{ messages: [] }>((_, reject) => {
        config.signal?.addEventListener("abort", () => {
          aborted?.();
          reject(config.signal?.reason);
        }, { once: true });
      }))
    .addEdge(START, "wait")
    .addEdge("wait", END)
    .compile();
  await using cm = new Codemode({ tools: [agentTool(graph, { name: "slow", timeoutMs: 200 })] });
  const r = await cm.execute(`try { await tools.agents.slow({ task: "wait" }); } catch (e) { return e.message; }`);
  assertCompleted(r);
  assert.match(r.result as string, /^tools\.agents\.slow timed out after 200 ms/);
  await sawAbort;
});

Deno.test("a result with no text to read fails with a hint to give toOutput", async () => {
  const odd = { invoke: () => Promise.resolve({ rows: [1, 2] }) };
  await using cm = new Codemode({ tools: [langchainAgentTool(odd, { name: "odd" })] });
  const r = await cm.execute(`try { await tools.agents.odd({ task: "x" }); } catch (e) { return e.message; }`);
  assertCompleted(r);
  assert.equal(
    r.result,
    "tools.agents.odd failed: the agent returned neither text, a message nor { messages } (give toOutput) (script.ts:1:26)",
  );
  assert.throws(() => langchainAgentTool({} as never, { name: "x" }), /agent "x": expected a LangChain runnable/);
});
