/**
 * An AI SDK agent as a Codemode tool: a `ToolLoopAgent` (any object with the
 * SDK's `Agent.generate`), or a function that runs a `generateText` loop, made
 * callable by a script as `tools.agents.<name>({ task })`. It runs on the host
 * with the host's model access; the sandbox sends the task and gets the answer.
 * Duck-typed: this module does not load `ai`.
 *
 * @module
 */
import type { Tool } from "../tools/define.ts";
import { ToolError } from "../tools/run.ts";
import { type AgentAnswer, type AgentTask, type AgentToolOptions, defaultPrompt, defineAgentTool } from "./_agent.ts";

/** The part of an AI SDK `generate` / `generateText` result the tool reads by default. */
export interface AiSdkAgentResult {
  /** The final answer's text. */
  text: string;
  /** The steps: one per model call. */
  steps?: readonly unknown[];
}

/** What the tool passes to the agent's `generate`, or to an agent function to spread into `generateText`. */
export interface AiSdkAgentCall {
  /** The prompt, made from the input by {@linkcode AiSdkAgentToolOptions.prompt}. */
  prompt: string;
  /** Aborts the run when the call times out, the execution ends or the cap is reached. */
  abortSignal: AbortSignal;
  /** The SDK calls it before each model call (each step): it counts the call and holds back the one past the cap. */
  onStepStart: (event: unknown) => Promise<void>;
}

/** An AI SDK agent: `ToolLoopAgent`, or anything with the SDK's `Agent.generate`. */
export interface AiSdkAgentLike<R extends AiSdkAgentResult = AiSdkAgentResult> {
  /**
   * Runs the agent; called with {@linkcode AiSdkAgentCall} (the SDK merges `onStepStart` with the agent's own).
   * Typed loosely so the SDK's own agent types are accepted as they are.
   */
  // deno-lint-ignore no-explicit-any
  generate(options: any): PromiseLike<R>;
}

/**
 * A `generateText` loop: spread the call into `generateText`'s options, so the abort
 * signal and the step hook reach the SDK (a run whose steps outnumber the calls the
 * hook saw fails, as its cap could not be kept).
 */
export type AiSdkAgentFunction<R extends AiSdkAgentResult = AiSdkAgentResult> = (
  call: AiSdkAgentCall,
) => PromiseLike<R>;

/** Options of {@linkcode agentTool}. */
export interface AiSdkAgentToolOptions<I, O, R extends AiSdkAgentResult = AiSdkAgentResult>
  extends AgentToolOptions<I, O> {
  /** The prompt for the agent, made from the validated input. @default {the input's `task`, else its JSON} */
  prompt?: (input: I) => string;
  /** The tool's output, made from the agent's result. @default {`{ text: result.text }`} */
  toOutput?: (result: R) => O;
}

/**
 * Makes an AI SDK agent a Codemode tool, `agents.<name>`: the script calls
 * `await tools.agents.<name>({ task })` and gets `{ text }` (or the schemas given).
 * Each call runs the agent on the host with an abort signal (the tool's timeout and
 * the execution's end stop it) and at most `maxModelCalls` model calls: the step past
 * the cap is never sent to the model, and the script's call fails naming the agent
 * and the cap. Policies apply by name (`agents.*: approve`), and observers see each
 * call as a tool call.
 *
 * @param agent a `ToolLoopAgent` (or other SDK `Agent`), or a function running `generateText`.
 * @param options the name, description, schemas, timeout, cap, and the input and output mappings.
 * @returns a Codemode tool, for `new Codemode({ tools })` or a tool module's exports.
 * @throws {TypeError} when `agent` has no `generate` and is no function, or on bad options, naming the agent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { agentTool } from "./ai_sdk.ts";
 * // Stands in for `new ToolLoopAgent({ model, instructions, tools })` from `ai`.
 * const agent = { generate: ({ prompt }: { prompt: string }) => Promise.resolve({ text: `Done: ${prompt}` }) };
 * await using cm = new Codemode({ tools: [agentTool(agent, { name: "helper" })] });
 * const r = await cm.execute(`return (await tools.agents.helper({ task: "sum 2 and 2" })).text`);
 * assert.equal(r.result, "Done: sum 2 and 2");
 * ```
 */
export function agentTool<I = AgentTask, O = AgentAnswer, R extends AiSdkAgentResult = AiSdkAgentResult>(
  agent: AiSdkAgentLike<R> | AiSdkAgentFunction<R>,
  options: AiSdkAgentToolOptions<I, O, R>,
): Tool<I, O> {
  const generate = generatorOf(agent, options?.name);
  const prompt = options.prompt ?? defaultPrompt;
  const toOutput = options.toOutput ?? ((result: R) => ({ text: result.text }) as O);
  return defineAgentTool<I, O>(options, async (input, run) => {
    const result = await generate({
      prompt: prompt(input),
      abortSignal: run.signal,
      onStepStart: () => run.modelCall(),
    });
    const steps = Array.isArray(result?.steps) ? result.steps.length : 0;
    if (steps > run.modelCalls) {
      throw new ToolError(
        `tools.agents.${options.name} failed: the agent made ${steps} model calls but its step hook saw ` +
          `${run.modelCalls}, so its cap cannot be kept (pass the call's onStepStart on to generateText)`,
      );
    }
    return toOutput(result);
  });
}

function generatorOf<R extends AiSdkAgentResult>(
  agent: AiSdkAgentLike<R> | AiSdkAgentFunction<R>,
  name: string | undefined,
): (call: AiSdkAgentCall) => PromiseLike<R> {
  if (typeof agent === "function") return (call) => agent(call);
  if (typeof agent?.generate === "function") return (call) => agent.generate(call);
  throw new TypeError(`agent "${name}": expected an AI SDK agent (with generate) or a function running generateText`);
}
