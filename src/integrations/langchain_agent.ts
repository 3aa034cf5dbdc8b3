/**
 * A LangChain runnable or a LangGraph compiled graph as a Codemode tool: an
 * agent made with `createAgent`, a `StateGraph` compiled with `.compile()`, or
 * any runnable with `invoke(input, config)`, made callable by a script as
 * `tools.agents.<name>({ task })`. It runs on the host with the host's model
 * access; the sandbox sends the task and gets the answer.
 *
 * @module
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Tool } from "../tools/define.ts";
import { ToolError } from "../tools/run.ts";
import {
  type AgentAnswer,
  type AgentRun,
  type AgentTask,
  type AgentToolOptions,
  defaultPrompt,
  defineAgentTool,
} from "./_agent.ts";

/** A runnable: a `createAgent` agent, a compiled LangGraph graph, a chain or a chat model. */
export interface RunnableLike<R = unknown> {
  /**
   * Runs it with a config holding the abort `signal` and a callback that counts model calls
   * (LangChain hands callbacks down to every nested model). Typed loosely so LangChain's and
   * LangGraph's own types are accepted as they are.
   */
  // deno-lint-ignore no-explicit-any
  invoke(input: any, config?: any): PromiseLike<R>;
}

/** Options of {@linkcode agentTool}. */
export interface RunnableAgentToolOptions<I, O, R = unknown> extends AgentToolOptions<I, O> {
  /**
   * What to invoke the runnable with, made from the validated input.
   * @default {`{ messages: [{ role: "user", content: task }] }`: what `createAgent` agents and
   * `MessagesAnnotation` graphs take (a custom input without `task` is sent as its JSON)}
   */
  toInput?: (input: I) => unknown;
  /**
   * The tool's output, made from what the runnable returned.
   * @default {`{ text }`: the text of the last of the result's `messages`, of a message, or a string result}
   */
  toOutput?: (result: R) => O;
}

/**
 * Makes a LangChain runnable or a LangGraph compiled graph a Codemode tool,
 * `agents.<name>`: the script calls `await tools.agents.<name>({ task })` and gets
 * `{ text }` (or the schemas given). Each call invokes it on the host with an abort
 * `signal` (the tool's timeout and the execution's end stop it) and a callback that
 * lets at most `maxModelCalls` chat-model or LLM calls start, in the runnable and in
 * everything it runs: the call past the cap is never made, and the script's call fails
 * naming the agent and the cap. Policies apply by name (`agents.*: approve`), and
 * observers see each call as a tool call.
 *
 * @param runnable the agent, graph or runnable.
 * @param options the name, description, schemas, timeout, cap, and the input and output mappings.
 * @returns a Codemode tool, for `new Codemode({ tools })` or a tool module's exports.
 * @throws {TypeError} when `runnable` has no `invoke`, or on bad options, naming the agent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FakeListChatModel } from "@langchain/core/utils/testing";
 * import { Codemode } from "../codemode.ts";
 * import { agentTool } from "./langchain.ts";
 * const model = new FakeListChatModel({ responses: ["Oslo is cold."] });
 * const weather = agentTool(model, { name: "weather", toInput: ({ task }) => task });
 * await using cm = new Codemode({ tools: [weather] });
 * const r = await cm.execute(`return await tools.agents.weather({ task: "How is Oslo?" })`);
 * assert.deepEqual(r.result, { text: "Oslo is cold." });
 * ```
 */
export function agentTool<I = AgentTask, O = AgentAnswer, R = unknown>(
  runnable: RunnableLike<R>,
  options: RunnableAgentToolOptions<I, O, R>,
): Tool<I, O> {
  if (typeof runnable?.invoke !== "function") {
    throw new TypeError(`agent "${options?.name}": expected a LangChain runnable or LangGraph graph (with invoke)`);
  }
  const toInput = options.toInput ?? ((input: I) => ({ messages: [{ role: "user", content: defaultPrompt(input) }] }));
  const toOutput = options.toOutput ?? ((result: R) => ({ text: answerText(result, options.name) }) as O);
  return defineAgentTool<I, O>(options, async (input, run) => {
    const config = { signal: run.signal, callbacks: [new ModelCallGate(run)] };
    return toOutput(await runnable.invoke(toInput(input), config));
  });
}

/**
 * Lets a model call start only through {@linkcode AgentRun.modelCall}: LangChain awaits
 * this handler (`awaitHandlers`) before it calls the model, and chat models report to
 * `handleChatModelStart`, LLMs to `handleLLMStart`, so each call is counted once.
 */
class ModelCallGate extends BaseCallbackHandler {
  name = "codemode_model_call_gate";
  readonly #run: AgentRun;

  constructor(run: AgentRun) {
    super({ _awaitHandler: true });
    this.#run = run;
  }

  override handleChatModelStart(): Promise<void> {
    return this.#run.modelCall();
  }

  override handleLLMStart(): Promise<void> {
    return this.#run.modelCall();
  }
}

/** The answer's text: a string result, a message's, or the last of the result's `messages`. */
function answerText(result: unknown, name: string): string {
  if (typeof result === "string") return result;
  const messages = (result as { messages?: unknown } | null)?.messages;
  const message = Array.isArray(messages) ? messages.at(-1) : result;
  const content = (message as { content?: unknown } | null)?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => part?.type === "text" && typeof part.text === "string" ? part.text : "").join("");
  }
  throw new ToolError(
    `tools.agents.${name} failed: the agent returned neither text, a message nor { messages } (give toOutput)`,
  );
}
