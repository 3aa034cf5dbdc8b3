/**
 * An AI SDK agent that answers with one Codemode script instead of many tool
 * calls. With `OPENAI_API_KEY` or `ANTHROPIC_API_KEY` set it asks a real
 * model; without, a scripted mock model plays the same part offline.
 *
 * Run: `deno run -A examples/basic/main.ts`
 *
 * @module
 */
import { generateText, isStepCount, type LanguageModel } from "ai";
import { Codemode } from "../../mod.ts";
import { aiSdkTool } from "../../src/integrations/ai_sdk.ts";
import tools from "../demo/tools.ts";
import { printSteps } from "./print.ts";
import { scriptedModel } from "./scripted_model.ts";
import { QUESTION, STEPS, SYSTEM } from "./task.ts";

/** The model to use and how to name it in the output. */
interface ChosenModel {
  model: LanguageModel;
  label: string;
}

/** Picks a real model when an API key is set; the provider packages are loaded only then. */
async function chooseModel(): Promise<ChosenModel> {
  const override = Deno.env.get("CODEMODE_MODEL");
  if (Deno.env.get("OPENAI_API_KEY")) {
    const { openai } = await import("@ai-sdk/openai");
    const id = override ?? "gpt-5-mini";
    return { model: openai(id), label: `OpenAI ${id}` };
  }
  if (Deno.env.get("ANTHROPIC_API_KEY")) {
    const { anthropic } = await import("@ai-sdk/anthropic");
    const id = override ?? "claude-sonnet-4-5";
    return { model: anthropic(id), label: `Anthropic ${id}` };
  }
  return {
    model: scriptedModel(STEPS),
    label: "scripted mock (set OPENAI_API_KEY or ANTHROPIC_API_KEY for a real one)",
  };
}

const { model, label } = await chooseModel();
await using cm = new Codemode({ tools });
console.log(`Model: ${label}`);
console.log(`Question: ${QUESTION}`);
const result = await generateText({
  model,
  system: SYSTEM,
  tools: { execute_code: await aiSdkTool(cm) },
  stopWhen: isStepCount(6),
  prompt: QUESTION,
});
printSteps(result.steps, result.text);
