// The LangChain adapter: a structured tool bound to a (scripted) tool-calling
// chat model, in LangChain's own call-the-tool-and-feed-back loop.
import assert from "node:assert/strict";
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { isStructuredTool } from "@langchain/core/tools";
import { z } from "zod";
import { Codemode, defineTool } from "../../mod.ts";
import { langchainTool } from "../../src/integrations/langchain.ts";
import tools from "../../examples/demo/tools.ts";
import { ScriptedChatModel } from "../../examples/langchain/scripted_chat_model.ts";
import { resultValue } from "../../examples/basic/task.ts";

const CODE = `
const [pune, orders] = await Promise.all([
  tools.weather.get({ city: "Pune" }),
  tools.db.orders.list({ city: "Lima" }),
]);
const pen = orders.reduce((sum, o) => sum + o.total, 0);
const usd = await tools.currency.convert({ amount: pen, from: "PEN", to: "USD" });
return { puneTempC: pune.tempC, limaOrders: orders.length, limaUsd: usd.amount };
`;

Deno.test("a bound chat model's tool call runs the script through the LangChain tool; the answer uses the result", async () => {
  await using cm = new Codemode({ tools });
  const codemodeTool = await langchainTool(cm);
  const model = new ScriptedChatModel([
    { code: CODE },
    {
      answer: (r) => {
        const v = resultValue(r) as { puneTempC: number; limaOrders: number; limaUsd: number };
        return `Pune is ${v.puneTempC}°C; Lima has ${v.limaOrders} orders worth ${v.limaUsd} USD.`;
      },
    },
  ]);
  const bound = model.bindTools([codemodeTool]);
  const messages: BaseMessage[] = [new HumanMessage("Weather in Pune, and Lima's orders in USD?")];
  for (let step = 0; step < 5; step++) {
    const reply = await bound.invoke(messages);
    messages.push(reply);
    if (!reply.tool_calls?.length) break;
    for (const call of reply.tool_calls) messages.push(await codemodeTool.invoke({ ...call, type: "tool_call" }));
  }

  assert.equal(messages.length, 4);
  const last = messages.at(-1)!;
  assert.ok(AIMessage.isInstance(last));
  assert.equal(last.content, "Pune is 31°C; Lima has 2 orders worth 33.33 USD.");
  const toolMessage = messages[2];
  assert.ok(ToolMessage.isInstance(toolMessage));
  assert.equal(toolMessage.tool_call_id, "call-1");
  assert.equal(toolMessage.name, "execute_code");
  assert.deepEqual(resultValue(toolMessage.content as string), { puneTempC: 31, limaOrders: 2, limaUsd: 33.33 });
  assert.match(toolMessage.content as string, /weather\.get ok \d+ms, db\.orders\.list ok \d+ms, currency\.convert ok/);

  // The model was shown the generated types through the bound tool.
  assert.equal(model.boundTools.length, 1);
  assert.equal(model.boundTools[0].name, "execute_code");
  assert.match(model.boundTools[0].description, /declare const tools/);
  assert.match(model.boundTools[0].description, /list\(input\?: \{/);
});

Deno.test("langchainTool is a structured tool; .invoke({ code }) returns the formatted text", async () => {
  await using cm = new Codemode({ tools });
  const t = await langchainTool(cm, { name: "run_script", description: "Run TypeScript." });
  assert.ok(isStructuredTool(t));
  assert.equal(t.name, "run_script");
  assert.match(t.description, /^Run TypeScript\.\n\n.*`run_script` tool/);
  const text = await t.invoke({ code: `console.log("hi"); return (await tools.weather.get({ city: "Oslo" })).tempC` });
  assert.equal(text.split("\n\n")[0], "Result:\n4");
  assert.match(text, /\[log\] hi/);
  const failed = await t.invoke({ code: `return await tools.currency.convert({ amount: 1, from: "XXX", to: "USD" })` });
  assert.match(failed, /^Error \(error\): ToolError: tools\.currency\.convert failed: Unknown currency XXX/);
});

Deno.test("langchainTool: the run config's signal ends the script and its tool calls", async () => {
  const aborted = Promise.withResolvers<void>();
  const started = Promise.withResolvers<void>();
  const sleep = defineTool({
    name: "clock.sleep",
    input: z.object({}),
    handler: (_, ctx) =>
      new Promise((resolve) => {
        started.resolve();
        const timer = setTimeout(resolve, 60_000);
        ctx.signal.addEventListener("abort", () => (clearTimeout(timer), aborted.resolve(), resolve(null)));
      }),
  });
  await using cm = new Codemode({ tools: [sleep] });
  const controller = new AbortController();
  const pending = (await langchainTool(cm)).invoke({ code: "await tools.clock.sleep({})" }, {
    signal: controller.signal,
  });
  await started.promise; // the script is running and waits in the tool call
  controller.abort();
  // LangChain races the signal itself and rejects at once with an AbortError.
  await assert.rejects(pending, /abort/i);
  await aborted.promise; // the execution was ended too: the tool's own signal fired
});
