/**
 * Prints an AI SDK run the way the examples show it: the script the model
 * wrote, the exact text the tool returned to it, and its answer.
 *
 * @module
 */
import type { StepResult, ToolSet } from "ai";

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
    for (const result of step.toolResults) {
      console.log(`\nThe tool returned (this text is what the model reads):\n`);
      console.log(indent(String(result.output)));
    }
    if (step.text) console.log(`\nStep ${i + 1}: the model answered:\n\n${indent(step.text)}`);
  });
  console.log(`\nFinal answer: ${finalText}`);
}
