// An OpenTelemetry SDK for the tests: spans kept in memory, the context kept
// across awaits by AsyncLocalStorage, W3C trace context as the propagator.
// Registered globally once per test module (each module runs in its own isolate).
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

export type { ReadableSpan };

/** The test SDK: what it exported so far, and its provider. */
export interface TestTracing {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  /** Finished spans named `name`. */
  spans(name: string): ReadableSpan[];
}

let installed: TestTracing | undefined;

/** Installs the SDK as the global one (once) and empties its exporter. */
export function installTracing(): TestTracing {
  if (!installed) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    installed = {
      exporter,
      provider,
      spans: (name) => exporter.getFinishedSpans().filter((s) => s.name === name),
    };
  }
  installed.exporter.reset();
  return installed;
}

/** The id of a span's parent, if any. */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
