// The AI SDK adapter in a real `generateText` / `streamText` agent loop, with
// the SDK's own mock model scripted to call the Codemode tool and then answer.
// The tool's output is the ExecutionResult; the model reads its compact text.
import assert from "node:assert/strict";
import {
  convertToModelMessages,
  generateText,
  isStepCount,
  readUIMessageStream,
  streamText,
  toUIMessageStream,
  type UIMessage,
  validateUIMessages,
} from "ai";
import { z } from "zod";
import { Codemode, defineTool, type ToolContext } from "../../mod.ts";
import { aiSdkTool, type ExecutionResult } from "../../src/integrations/ai_sdk.ts";
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

/** The text of the last tool result the model was sent, as the SDK put it in the prompt. */
function textSentToModel(prompt: { role: string; content: unknown }[]): string {
  const message = prompt.findLast((m) => m.role === "tool");
  const part = (message?.content as { type: string; output: { type: string; value: unknown } }[] | undefined)
    ?.findLast((p) => p.type === "tool-result");
  assert.equal(part?.output.type, "text", "the model is sent text, made by toModelOutput");
  return String(part?.output.value);
}

Deno.test("generateText: the model's script calls two Codemode tools and the answer uses the result", async () => {
  await using cm = new Codemode({ tools });
  const model = scriptedModel([{ code: CODE }, { answer }]);
  const result = await generateText({
    model,
    tools: { execute_code: await aiSdkTool(cm) },
    stopWhen: isStepCount(5),
    prompt: "Which is warmer, Oslo or Lima? And what is 100 EUR in NOK?",
  });
  assert.equal(result.text, "Lima is warmer at 22°C; 100 EUR is 1163.04 NOK.");
  assert.equal(result.steps.length, 2);

  // The tool's output, what UIs get, is the execution result itself.
  const toolResult = result.steps[0].toolResults[0];
  assert.equal(toolResult.toolName, "execute_code");
  const output = toolResult.output as ExecutionResult;
  assert.equal(output.stopReason, "completed");
  assert.deepEqual(output.result, { warmest: "Lima", tempC: 22, nok: 1163.04 });
  assert.deepEqual(output.logs.map((l) => l.text), ["warmest is Lima"]);
  assert.deepEqual(output.toolCalls.map((c) => c.tool), ["weather.get", "weather.get", "currency.convert"]);
  // The model read the compact text of that result.
  const text = textSentToModel(model.doGenerateCalls[1].prompt);
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

Deno.test("generateText: the SDK's toolsContext reaches every handler as ctx.context, with call ids from its toolCallId", async () => {
  const seen: Pick<ToolContext, "toolCallId" | "context">[] = [];
  const whoami = defineTool({
    name: "session.user",
    input: z.object({}),
    output: z.string(),
    handler: (_, ctx) => (seen.push({ toolCallId: ctx.toolCallId, context: ctx.context }), "ada"),
  });
  await using cm = new Codemode({ tools: [whoami] });
  const context = { userId: "u-1" };
  const model = scriptedModel([
    { code: "const a = await tools.session.user({}); return [a, await tools.session.user({})]" },
    { answer: () => "done" },
  ]);
  const tool = await aiSdkTool(cm, { contextSchema: z.object({ userId: z.string() }) });
  const result = await generateText({
    model,
    tools: { execute_code: tool },
    toolsContext: { execute_code: context },
    stopWhen: isStepCount(3),
    prompt: "Who am I?",
  });
  assert.equal(result.text, "done");
  assert.deepEqual((result.steps[0].toolResults[0].output as ExecutionResult).result, ["ada", "ada"]);
  // call-1 is the scripted model's tool call id; :1 and :2 are the calls' places in toolCalls.
  assert.deepEqual(seen, [{ toolCallId: "call-1:1", context }, { toolCallId: "call-1:2", context }]);
});

Deno.test("generateText: a tool context that fails the contextSchema is refused by the SDK before the script runs", async () => {
  let runs = 0;
  const counted = defineTool({ name: "c.count", input: z.object({}), handler: () => void runs++ });
  await using cm = new Codemode({ tools: [counted] });
  const model = scriptedModel([{ code: "await tools.c.count({})" }, { answer: () => "done" }]);
  const tool = await aiSdkTool(cm, { contextSchema: z.object({ userId: z.string() }) });
  const wrong = { userId: 7 } as unknown as { userId: string };
  await assert.rejects(
    generateText({ model, tools: { execute_code: tool }, toolsContext: { execute_code: wrong }, prompt: "go" }),
    /userId/,
  );
  assert.equal(runs, 0);
});

Deno.test("toModelOutput never throws on what stored UI messages hand it back", async () => {
  await using cm = new Codemode({ tools });
  const tool = await aiSdkTool(cm, { maxChars: 200 });
  const output = await tool.execute({ code: "return 'x'.repeat(1000)" });
  const text = (value: unknown) => tool.toModelOutput({ toolCallId: "c", input: {}, output: value }).value;
  assert.match(text(output), /^Result:\n"x{199}\n… \[truncated: 802 of 1002/);
  assert.equal(text("Result:\n1\n\nTool calls: none"), "Result:\n1\n\nTool calls: none", "text stored earlier");
  assert.match(
    text({ rows: [1] }),
    /^Error \(rejected\): the tool's output is not an execution result: \{"rows":\[1\]\}/,
  );
  assert.match(text(undefined), /not an execution result: undefined/);
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
    stopWhen: isStepCount(5),
    prompt: "Weather in Atlantis?",
  });
  assert.equal(result.text, "I could not find Atlantis.");
  const first = result.steps[0].toolResults[0].output as ExecutionResult;
  assert.equal(first.stopReason, "error");
  assert.equal(first.error?.name, "ToolError");
  const text = textSentToModel(model.doGenerateCalls[1].prompt);
  assert.match(text, /^Error \(error\): ToolError: tools\.weather\.get failed: Unknown city "Atlantis"/);
  assert.match(text, /Tool calls \(1\): weather\.get ERR \d+ms \(Unknown city "Atlantis"\) at script\.ts:1:28$/);
  assert.equal(resultValue(seen[0]), "unknown");
});

Deno.test("streamText: the same loop streams the final answer", async () => {
  await using cm = new Codemode({ tools });
  const model = scriptedModel([{ code: CODE }, { answer }]);
  const result = streamText({
    model,
    tools: { execute_code: await aiSdkTool(cm) },
    stopWhen: isStepCount(5),
    prompt: "Which is warmer, Oslo or Lima?",
  });
  let streamed = "";
  for await (const delta of result.textStream) streamed += delta;
  assert.equal(streamed, "Lima is warmer at 22°C; 100 EUR is 1163.04 NOK.");
  assert.equal((await result.steps).length, 2);
  const sent = model.doStreamCalls[0].tools?.[0];
  assert.match(sent?.type === "function" ? sent.description ?? "" : "", /declare const tools/);
});

Deno.test("UI messages carry the execution result; validated by outputSchema, converted back to the model's text", async () => {
  await using cm = new Codemode({ tools });
  const model = scriptedModel([{ code: CODE }, { answer }]);
  const codemodeTools = { execute_code: await aiSdkTool(cm) };
  const result = streamText({ model, tools: codemodeTools, stopWhen: isStepCount(5), prompt: "Oslo or Lima?" });
  let assistant: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream: toUIMessageStream({ stream: result.stream }) })) {
    assistant = message;
  }
  const part = assistant?.parts.find((p) => p.type === "tool-execute_code");
  assert.ok(part && "output" in part && part.state === "output-available", JSON.stringify(assistant?.parts));
  const output = part.output as ExecutionResult;
  assert.deepEqual(output.result, { warmest: "Lima", tempC: 22, nok: 1163.04 });
  assert.equal(output.toolCalls.length, 3);

  // A stored conversation comes back from the client: checked against the tool's schemas, then sent to the model.
  const user: UIMessage = { id: "u1", role: "user", parts: [{ type: "text", text: "Oslo or Lima?" }] };
  const stored = JSON.parse(JSON.stringify([user, assistant]));
  const messages = await validateUIMessages({ messages: stored, tools: codemodeTools });
  const [, , toolMessage] = await convertToModelMessages(messages, { tools: codemodeTools });
  const text = textSentToModel([toolMessage]);
  assert.deepEqual(resultValue(text), { warmest: "Lima", tempC: 22, nok: 1163.04 });
  const tampered = structuredClone(stored);
  tampered[1].parts.find((p: { type: string }) => p.type === "tool-execute_code").output.stopReason = "exploded";
  await assert.rejects(validateUIMessages({ messages: tampered, tools: codemodeTools }), /stopReason/);
});

Deno.test("aiSdkTool: name and description options shape the description; limits apply", async () => {
  await using cm = new Codemode({ tools });
  const tool = await aiSdkTool(cm, { name: "run_ts", description: "Run a script.", limits: { timeoutMs: 1000 } });
  assert.match(tool.description, /^Run a script\.\n\n/);
  assert.match(tool.description, /`run_ts` tool/);
  assert.match(tool.description, /get\(input: \{/);
  const output = await tool.execute({ code: "while (true) {}" });
  assert.equal(output.stopReason, "timeout");
});

Deno.test("aiSdkTool: the AI SDK's abort signal kills the script", async () => {
  await using cm = new Codemode({ tools });
  const controller = new AbortController();
  const pending = (await aiSdkTool(cm)).execute({ code: "await new Promise((r) => setTimeout(r, 60_000)); return 1" }, {
    abortSignal: controller.signal,
  });
  setTimeout(() => controller.abort(), 200);
  assert.equal((await pending).stopReason, "killed");
});

Deno.test("aiSdkTool() takes the tool's name for its description", async () => {
  await using cm = new Codemode({ tools });
  const t = await aiSdkTool(cm, { name: "run_script" });
  assert.match(t.description, /`run_script` tool/);
  assert.match(t.description ?? "", /declare const tools/);
  const output = await t.execute({ code: "return (await tools.weather.get({ city: 'Pune' })).tempC" }, {});
  assert.equal(output.result, 31);
});

Deno.test("aiSdkTool and langchainTool pass onEvent on: the script's tool calls are heard as they run", async () => {
  const { langchainTool } = await import("../../src/integrations/langchain.ts");
  const echo = defineTool({ name: "t.echo", input: z.object({ x: z.number() }), handler: ({ x }) => x });
  await using cm = new Codemode({ tools: [echo] });
  const heard: string[] = [];
  const onEvent = (e: { type: string; tool?: string }) => void heard.push(e.tool ? `${e.type}:${e.tool}` : e.type);
  const code = `console.log("hi"); return await tools.t.echo({ x: 2 })`;
  const output = await (await aiSdkTool(cm, { onEvent })).execute({ code });
  assert.equal(output.result, 2);
  const lc = await langchainTool(cm, { onEvent });
  assert.match(await lc.invoke({ code }), /2/);
  const once = ["start", "log", "tool_start:t.echo", "tool_end:t.echo", "end"];
  assert.deepEqual(heard, [...once, ...once]);
});
