// The AI SDK's own tracing (AI SDK 7: the @ai-sdk/otel integrations) around
// the Codemode tool: the SDK runs a tool's execute inside its tool span, so
// the script's execution and its tool calls appear under it in the
// framework's trace. A scripted mock model drives a real generateText loop.
import assert from "node:assert/strict";
import { generateText, isStepCount } from "ai";
import { LegacyOpenTelemetry, OpenTelemetry } from "@ai-sdk/otel";
import { trace } from "@opentelemetry/api";
import { Codemode } from "../../mod.ts";
import { aiSdkTool } from "../../src/integrations/ai_sdk.ts";
import { Observability, SPAN_NAMES } from "../../src/observability/mod.ts";
import tools from "../../examples/demo/tools.ts";
import { scriptedModel } from "../../examples/basic/scripted_model.ts";
import { installTracing, parentOf } from "../observability/_tracing.ts";

const tracing = installTracing();
const CODE = `
const oslo = await tools.weather.get({ city: "Oslo" });
const nok = await tools.currency.convert({ amount: 100, from: "EUR", to: "NOK" });
return { tempC: oslo.tempC, nok: nok.amount };`;

async function runAgent(integration: OpenTelemetry | LegacyOpenTelemetry): Promise<void> {
  await using cm = new Codemode({ tools, observer: new Observability({ logLevel: "silent" }) });
  const result = await generateText({
    model: scriptedModel([{ code: CODE }, { answer: () => "done" }]),
    tools: { execute_code: await aiSdkTool(cm) },
    stopWhen: isStepCount(3),
    prompt: "How warm is Oslo, and what is 100 EUR in NOK?",
    telemetry: { integrations: [integration] },
  });
  assert.equal(result.text, "done");
}

function assertNestedUnder(toolSpanName: string): void {
  const [sdkTool] = tracing.spans(toolSpanName);
  assert.ok(sdkTool, `the AI SDK made its ${toolSpanName} span`);
  const [execution] = tracing.spans(SPAN_NAMES.execution);
  assert.equal(parentOf(execution), sdkTool.spanContext().spanId, "the execution is under the SDK's tool span");
  assert.equal(execution.spanContext().traceId, sdkTool.spanContext().traceId);
  const calls = tracing.spans(SPAN_NAMES.toolCall);
  assert.deepEqual(calls.map((s) => s.attributes["codemode.tool"]), ["weather.get", "currency.convert"]);
  for (const call of calls) assert.equal(parentOf(call), execution.spanContext().spanId);
}

Deno.test("AI SDK telemetry (OpenTelemetry, GenAI conventions): the script's spans nest under execute_tool execute_code", async () => {
  installTracing();
  await runAgent(new OpenTelemetry({ tracer: trace.getTracer("gen_ai") }));
  assertNestedUnder("execute_tool execute_code");
});

Deno.test("AI SDK telemetry (LegacyOpenTelemetry): the script's spans nest under ai.toolCall", async () => {
  installTracing();
  await runAgent(new LegacyOpenTelemetry({ tracer: trace.getTracer("ai") }));
  assertNestedUnder("ai.toolCall");
});
