/**
 * Multi-step Codemode with the AI SDK: the model's first script has
 * conditional logic but no error handling and hits a failing tool; it reads
 * the formatted error, and its second script recovers with try/catch.
 *
 * Run: `deno run -A examples/multi-step/main.ts`
 *
 * @module
 */
import { generateText, isStepCount } from "ai";
import { Codemode } from "../../mod.ts";
import { aiSdkTool } from "../../src/integrations/ai_sdk.ts";
import demoTools from "../demo/tools.ts";
import { printSteps } from "../basic/print.ts";
import { scriptedModel } from "../basic/scripted_model.ts";
import { shippingQuote } from "./shipping.ts";
import { QUESTION, STEPS } from "./task.ts";

// A short timeout: a model's script that loops forever costs seconds, not minutes.
await using cm = new Codemode({ tools: [...demoTools, shippingQuote], limits: { timeoutMs: 10_000 } });
console.log("Model: scripted mock");
console.log(`Question: ${QUESTION}`);
const result = await generateText({
  model: scriptedModel(STEPS),
  tools: { execute_code: await aiSdkTool(cm) },
  stopWhen: isStepCount(6),
  prompt: QUESTION,
});
printSteps(result.steps, result.text);
