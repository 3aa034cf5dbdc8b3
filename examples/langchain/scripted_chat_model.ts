/**
 * A scripted stand-in for a tool-calling chat model in LangChain.js.
 *
 * None of `@langchain/core/utils/testing`'s fakes can play "call a tool, then
 * answer from its result": `FakeListChatModel` returns only text and
 * `FakeStreamingChatModel` repeats the same tool call forever. So this is a
 * minimal subclass of the simplest one, `FakeChatModel`: it adds `bindTools`
 * (recording what it was given) and a `_generate` that plays scripted steps.
 *
 * @module
 */
import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { FakeChatModel } from "@langchain/core/utils/testing";
import type { ScriptedStep } from "../basic/task.ts";

export type { ScriptedStep };

/** A chat model that plays `steps` in order: step N is chosen by how many AI turns the conversation holds. */
export class ScriptedChatModel extends FakeChatModel {
  /** The tools `bindTools` was given, to check what the model was shown. */
  boundTools: StructuredToolInterface[] = [];
  /** Every conversation the model was called with. */
  readonly calls: BaseMessage[][] = [];
  readonly #steps: ScriptedStep[];
  readonly #toolName: string;

  /**
   * Creates the model.
   *
   * @param steps what the model does at each step; the last one repeats.
   * @param toolName the name of the Codemode tool it calls.
   */
  constructor(steps: ScriptedStep[], toolName = "execute_code") {
    super({});
    this.#steps = steps;
    this.#toolName = toolName;
  }

  /**
   * Records the tools and returns this model, which already knows what to call.
   *
   * @param tools the tools an agent binds.
   * @returns this model.
   */
  override bindTools(tools: StructuredToolInterface[]): this {
    this.boundTools = [...tools];
    return this;
  }

  /**
   * Plays the step for this turn.
   *
   * @param messages the conversation so far.
   * @returns one AI message: a tool call or the answer.
   */
  override _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls.push(messages);
    const turn = messages.filter((m) => AIMessage.isInstance(m)).length;
    const step = this.#steps[Math.min(turn, this.#steps.length - 1)];
    const message = "code" in step
      ? new AIMessage({
        content: "",
        tool_calls: [{ id: `call-${turn + 1}`, name: this.#toolName, args: { code: step.code }, type: "tool_call" }],
      })
      : new AIMessage(step.answer(lastToolResult(messages)));
    return Promise.resolve({
      generations: [{ message, text: typeof message.content === "string" ? message.content : "" }],
    });
  }
}

function lastToolResult(messages: BaseMessage[]): string {
  const message = messages.findLast((m) => ToolMessage.isInstance(m));
  if (!message) return "";
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}
