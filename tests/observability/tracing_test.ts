// OpenTelemetry spans of real executions, recorded by the SDK's in-memory
// exporter: one per execution, one per tool call under it, and the spans a
// handler makes nest under its call.
import assert from "node:assert/strict";
import { trace } from "@opentelemetry/api";
import { z } from "zod";
import { Codemode, defineTool, type ExecuteRequest, LocalExecutor } from "../../mod.ts";
import { Observability, SPAN_NAMES } from "../../src/observability/mod.ts";
import { installTracing, parentOf } from "./_tracing.ts";

const tracing = installTracing();
const handlerTracer = trace.getTracer("a-tool-library");

const tools = [
  defineTool({
    name: "crm.lookup",
    input: z.object({ email: z.string() }),
    // What an instrumented client library in the handler would do.
    handler: ({ email }) => handlerTracer.startActiveSpan("http.get", (span) => (span.end(), { email })),
  }),
  defineTool({ name: "crm.fail", input: z.object({}), handler: () => Promise.reject(new Error("down")) }),
];

const SCRIPT = `
await tools.crm.lookup({ email: "a@example.com" });
await tools.crm.fail({}).catch(() => {});
await tools.crm.nope({}).catch(() => {});
return 1;`;

Deno.test("an execution is a codemode.execute span with a codemode.tool_call child per call; a handler's spans nest under its call", async () => {
  installTracing();
  await using cm = new Codemode({ tools, observer: new Observability({ logLevel: "silent" }) });
  const r = await cm.execute(SCRIPT);
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));

  const [execution] = tracing.spans(SPAN_NAMES.execution);
  assert.ok(execution, "the execution span was exported");
  assert.deepEqual(execution.attributes, {
    "codemode.execution_id": r.executionId,
    "codemode.correlation_id": r.correlationId,
    "codemode.stop_reason": "completed",
    "codemode.ok": true,
    "codemode.tool_calls": 3,
    "codemode.duration_ms": r.durationMs,
  });
  const calls = tracing.spans(SPAN_NAMES.toolCall);
  assert.deepEqual(calls.map((s) => [s.attributes["codemode.tool"], s.attributes["codemode.outcome"]]), [
    ["crm.lookup", "ok"],
    ["crm.fail", "error"],
    ["(unknown)", "unknown"],
  ]);
  for (const call of calls) {
    assert.equal(parentOf(call), execution.spanContext().spanId);
    assert.equal(call.spanContext().traceId, execution.spanContext().traceId);
    assert.equal(typeof call.attributes["codemode.duration_ms"], "number");
  }
  assert.equal(calls[1].status.code, 2, "a failed call's span has the error status");
  const [http] = tracing.spans("http.get");
  assert.equal(parentOf(http), calls[0].spanContext().spanId, "the handler's span nests under its tool call");
});

Deno.test("the execution span nests under the span active when execute is called; a failed execution has the error status", async () => {
  installTracing();
  await using cm = new Codemode({ tools, observer: new Observability({ logLevel: "silent" }) });
  const outer = trace.getTracer("app");
  const r = await outer.startActiveSpan("handle request", async (span) => {
    try {
      return await cm.execute(`throw new Error("boom")`);
    } finally {
      span.end();
    }
  });
  assert.equal(r.stopReason, "error");
  const [request] = tracing.spans("handle request");
  const [execution] = tracing.spans(SPAN_NAMES.execution);
  assert.equal(parentOf(execution), request.spanContext().spanId);
  assert.equal(execution.status.code, 2);
  assert.equal(execution.attributes["codemode.ok"], false);
  assert.equal(execution.attributes["codemode.stop_reason"], "error");
});

Deno.test("the executor receives the correlation id and the execution span's W3C trace context as traceHeaders", async () => {
  installTracing();
  const local = new LocalExecutor();
  const seen: ExecuteRequest[] = [];
  const executor = {
    execute: (request: ExecuteRequest) => (seen.push(request), local.execute(request)),
    close: () => local.close(),
  };
  await using cm = new Codemode({ executor, observer: new Observability({ logLevel: "silent" }) });
  try {
    const r = await cm.execute("return 1", { correlationId: "req-7" });
    assert.equal(r.correlationId, "req-7");
    assert.equal(seen[0].correlationId, "req-7");
    const [execution] = tracing.spans(SPAN_NAMES.execution);
    const { traceId, spanId } = execution.spanContext();
    assert.deepEqual(seen[0].traceHeaders, { traceparent: `00-${traceId}-${spanId}-01` });
  } finally {
    await local.close();
  }
});

Deno.test("a tracerProvider option records spans there instead of the global provider", async () => {
  const global = installTracing();
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import(
    "@opentelemetry/sdk-trace-base"
  );
  const own = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(own)] });
  await using cm = new Codemode({ observer: new Observability({ logLevel: "silent", tracerProvider }) });
  await cm.execute("return 1");
  assert.deepEqual(own.getFinishedSpans().map((s) => s.name), [SPAN_NAMES.execution]);
  assert.deepEqual(global.spans(SPAN_NAMES.execution), []);
});
