// The AI SDK adapter in a real `generateText` / `streamText` agent loop, with
// the SDK's own mock model scripted to call the Codemode tool and then answer.
import assert from "node:assert/strict";
import { generateText, stepCountIs, streamText } from "ai";
import { Codemode } from "../../mod.ts";
import { aiSdkTool } from "../../src/integrations/ai_sdk.ts";
import tools from "../../examples/demo/tools.ts";
import { scriptedModel } from "../../examples/basic/scripted_model.ts";
import { resultValue } from "../../examples/basic/task.ts";

const CODE = `
const [oslo, lima] = await Promise.all([
  tools.weather.get({ city: "Oslo" }),
  tools.weather.get({ city: "Lima" }),
]);
const warmest = oslo.tempC > lima.tempC ? oslo : lima;
const price = await tools.currency.convert({ amount: 100, from: "EUR", to: "NOK" });
console.log("warmest is", warmest.city);
return { warmest: warmest.city, tempC: warmest.tempC, nok: price.amount };
`;

function answer(toolResult: string): string {
  const v = resultValue(toolResult) as { warmest: string; tempC: number; nok: number };
  return `${v.warmest} is warmer at ${v.tempC}°C; 100 EUR is ${v.nok} NOK.`;
}

Deno.test("generateText: the model's script calls two Codemode tools and the answer uses the result", async () => {
  await using cm = new Codemode({ tools });
  const model = scriptedModel([{ code: CODE }, { answer }]);
  const result = await generateText({
    model,
    tools: { execute_code: await aiSdkTool(cm) },
    stopWhen: stepCountIs(5),
    prompt: "Which is warmer, Oslo or Lima? And what is 100 EUR in NOK?",
  });
  assert.equal(result.text, "Lima is warmer at 22°C; 100 EUR is 1163.04 NOK.");
  assert.equal(result.steps.length, 2);

  const toolResult = result.steps[0].toolResults[0];
  assert.equal(toolResult.toolName, "execute_code");
  const text = toolResult.output as string;
  assert.deepEqual(resultValue(text), { warmest: "Lima", tempC: 22, nok: 1163.04 });
  assert.match(text, /\[log\] warmest is Lima/);
  assert.match(text, /weather\.get ok \d+ms, weather\.get ok \d+ms, currency\.convert ok \d+ms/);

  // The model was sent the generated types in the tool's description, on every step.
  assert.equal(model.doGenerateCalls.length, 2);
  const sent = model.doGenerateCalls[0].tools?.[0];
  assert.ok(sent && sent.type === "function");
  assert.equal(sent.name, "execute_code");
  assert.match(sent.description ?? "", /declare const tools/);
  assert.match(sent.description ?? "", /convert\(input: \{/);
  assert.match(sent.description ?? "", /`execute_code` tool/);
  assert.deepEqual(Object.keys((sent.inputSchema as { properties: object }).properties), ["code"]);
});

Deno.test("generateText: a failing script comes back as text the model can act on, and the loop goes on", async () => {
  await using cm = new Codemode({ tools });
  const seen: string[] = [];
  const model = scriptedModel([
    { code: `return await tools.weather.get({ city: "Atlantis" });` },
    { code: `try { return await tools.weather.get({ city: "Atlantis" }); } catch { return "unknown"; }` },
    { answer: (r) => (seen.push(r), "I could not find Atlantis.") },
  ]);
  const result = await generateText({
    model,
    tools: { execute_code: await aiSdkTool(cm) },
    stopWhen: stepCountIs(5),
    prompt: "Weather in Atlantis?",
  });
  assert.equal(result.text, "I could not find Atlantis.");
  const first = result.steps[0].toolResults[0].output as string;
  assert.match(first, /^Error \(error\): ToolError: tools\.weather\.get failed: Unknown city "Atlantis"/);
  assert.match(first, /Tool calls \(1\): weather\.get ERR \d+ms \(Unknown city "Atlantis"\) at script\.ts:1:28$/);
  assert.equal(resultValue(seen[0]), "unknown");
});

Deno.test("streamText: the same loop streams the final answer", async () => {
  await using cm = new Codemode({ tools });
  const model = scriptedModel([{ code: CODE }, { answer }]);
  const result = streamText({
    model,
    tools: { execute_code: await aiSdkTool(cm) },
    stopWhen: stepCountIs(5),
    prompt: "Which is warmer, Oslo or Lima?",
  });
  let streamed = "";
  for await (const delta of result.textStream) streamed += delta;
  assert.equal(streamed, "Lima is warmer at 22°C; 100 EUR is 1163.04 NOK.");
  assert.equal((await result.steps).length, 2);
  const sent = model.doStreamCalls[0].tools?.[0];
  assert.match(sent?.type === "function" ? sent.description ?? "" : "", /declare const tools/);
});

Deno.test("aiSdkTool: name and description options shape the description; limits apply", async () => {
  await using cm = new Codemode({ tools });
  const tool = await aiSdkTool(cm, { name: "run_ts", description: "Run a script.", limits: { timeoutMs: 1000 } });
  assert.match(tool.description, /^Run a script\.\n\n/);
  assert.match(tool.description, /`run_ts` tool/);
  assert.match(tool.description, /get\(input: \{/);
  const text = await tool.execute({ code: "while (true) {}" });
  assert.match(text, /^Error \(timeout\): /);
});

Deno.test("aiSdkTool: the AI SDK's abort signal kills the script", async () => {
  await using cm = new Codemode({ tools });
  const controller = new AbortController();
  const pending = (await aiSdkTool(cm)).execute({ code: "await new Promise((r) => setTimeout(r, 60_000)); return 1" }, {
    abortSignal: controller.signal,
  });
  setTimeout(() => controller.abort(), 200);
  assert.match(await pending, /^Error \(killed\): /);
});

Deno.test("aiSdkTool() takes the tool's name for its description", async () => {
  await using cm = new Codemode({ tools });
  const t = await aiSdkTool(cm, { name: "run_script" });
  assert.match(t.description, /`run_script` tool/);
  assert.match(t.description ?? "", /declare const tools/);
  const text = await t.execute({ code: "return (await tools.weather.get({ city: 'Pune' })).tempC" }, {});
  assert.match(String(text), /31/);
});
