/**
 * A scripted stand-in for an LLM, built on the AI SDK's own
 * `MockLanguageModelV4`: each step either calls the Codemode tool with a
 * fixed script or answers from the tool result it was sent. It lets the
 * examples and tests run the whole agent loop offline.
 *
 * @module
 */
import { MockLanguageModelV4 } from "ai/test";
import type { ScriptedStep } from "./task.ts";

export type { ScriptedStep };

/** What the mock passes to and gets from `doGenerate`, taken from the SDK so no provider package is imported. */
type CallOptions = Parameters<MockLanguageModelV4["doGenerate"]>[0];
type GenerateResult = Awaited<ReturnType<MockLanguageModelV4["doGenerate"]>>;
type Content = GenerateResult["content"][number];
type StreamPart = Awaited<ReturnType<MockLanguageModelV4["doStream"]>>["stream"] extends ReadableStream<infer P> ? P
  : never;

const USAGE: GenerateResult["usage"] = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 10, text: 10, reasoning: 0 },
};

/**
 * Makes a mock model that plays `steps` in order: step N is chosen by how many assistant turns the prompt holds.
 *
 * @param steps what the model does at each step; the last one repeats.
 * @param toolName the name the Codemode tool was registered under.
 * @returns an AI SDK language model for `generateText` and `streamText`.
 */
export function scriptedModel(steps: ScriptedStep[], toolName = "execute_code"): MockLanguageModelV4 {
  const contentFor = (options: CallOptions): Content[] => {
    const turn = options.prompt.filter((m) => m.role === "assistant").length;
    const step = steps[Math.min(turn, steps.length - 1)];
    if ("code" in step) {
      const input = JSON.stringify({ code: step.code });
      return [{ type: "tool-call", toolCallId: `call-${turn + 1}`, toolName, input }];
    }
    return [{ type: "text", text: step.answer(lastToolResult(options)) }];
  };
  return new MockLanguageModelV4({
    provider: "scripted",
    modelId: "scripted-model",
    doGenerate: (options) => {
      const content = contentFor(options);
      return Promise.resolve({ content, finishReason: finishReason(content), usage: USAGE, warnings: [] });
    },
    doStream: (options) => {
      const content = contentFor(options);
      return Promise.resolve({ stream: ReadableStream.from(streamParts(content)) });
    },
  });
}

function lastToolResult(options: CallOptions): string {
  const tool = options.prompt.findLast((m) => m.role === "tool");
  if (!tool || tool.role !== "tool") return "";
  const part = tool.content.findLast((p) => p.type === "tool-result");
  if (!part || part.type !== "tool-result") return "";
  return part.output.type === "text" ? part.output.value : JSON.stringify(part.output);
}

function finishReason(content: Content[]): GenerateResult["finishReason"] {
  return { unified: content.some((c) => c.type === "tool-call") ? "tool-calls" : "stop", raw: undefined };
}

function streamParts(content: Content[]): StreamPart[] {
  const parts: StreamPart[] = [{ type: "stream-start", warnings: [] }];
  for (const [i, c] of content.entries()) {
    if (c.type === "text") {
      const id = `text-${i}`;
      parts.push({ type: "text-start", id }, { type: "text-delta", id, delta: c.text }, { type: "text-end", id });
    } else {
      parts.push(c as StreamPart);
    }
  }
  parts.push({ type: "finish", usage: USAGE, finishReason: finishReason(content) });
  return parts;
}
