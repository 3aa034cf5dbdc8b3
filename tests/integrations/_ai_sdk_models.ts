/**
 * The AI SDK's own mock model (`MockLanguageModelV4` from `ai/test`) set up as
 * the agents of the agent tests: one that answers, one that never stops calling a tool.
 *
 * @module
 */
import { MockLanguageModelV4 } from "ai/test";

export const USAGE = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** A model answering `answer(prompt text)`, recording the prompts it got. */
export function answering(answer: (prompt: string) => string): { model: MockLanguageModelV4; prompts: string[] } {
  const prompts: string[] = [];
  const model = new MockLanguageModelV4({
    doGenerate: (options) => {
      const text = JSON.stringify(options.prompt);
      prompts.push(text);
      return Promise.resolve({
        content: [{ type: "text", text: answer(text) }],
        finishReason: { unified: "stop", raw: undefined },
        usage: USAGE,
        warnings: [],
      });
    },
  });
  return { model, prompts };
}

/** A model that calls the `lookup` tool at every step: left alone, its agent loops until its own step limit. */
export function looping(): MockLanguageModelV4 {
  let n = 0;
  return new MockLanguageModelV4({
    doGenerate: () =>
      Promise.resolve({
        content: [{ type: "tool-call", toolCallId: `c${++n}`, toolName: "lookup", input: "{}" }],
        finishReason: { unified: "tool-calls", raw: undefined },
        usage: USAGE,
        warnings: [],
      }),
  });
}
