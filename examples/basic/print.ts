/**
 * Prints an AI SDK run the way the examples show it: the script the model
 * wrote, the exact text the tool returned to it, and its answer.
 *
 * @module
 */
import type { StepResult, ToolSet } from "ai";

/**
 * The texts the model was sent as tool results in a step. The Codemode tool's output is the
 * execution result (what a UI gets); its `toModelOutput` made this text from it.
 */
function toolResultTexts(step: StepResult<ToolSet>): string[] {
  return step.response.messages.flatMap((m) =>
    m.role === "tool" && Array.isArray(m.content)
      ? m.content.flatMap((p) => p.type === "tool-result" && p.output.type === "text" ? [p.output.value] : [])
      : []
  );
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "    ");
}

/**
 * Prints every step of a `generateText` run, then the final answer.
 *
 * @param steps `result.steps`.
 * @param finalText `result.text`.
 */
export function printSteps(steps: StepResult<ToolSet>[], finalText: string): void {
  steps.forEach((step, i) => {
    for (const call of step.toolCalls) {
      console.log(`\nStep ${i + 1}: the model called ${call.toolName} with this script:\n`);
      console.log(indent(String((call.input as { code?: unknown }).code)));
    }
    for (const text of toolResultTexts(step)) {
      console.log(`\nThe tool returned (this text is what the model reads):\n`);
      console.log(indent(text));
    }
    if (step.text) console.log(`\nStep ${i + 1}: the model answered:\n\n${indent(step.text)}`);
  });
  console.log(`\nFinal answer: ${finalText}`);
}
