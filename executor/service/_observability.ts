/**
 * The executor service's events as logs, metrics and traces: a
 * {@linkcode ServiceObserver} over an observability object (e.g. the
 * `Observability` of `./observability`, which this module does not import, so
 * `./service` loads no metrics or tracing package of its own).
 *
 * @module
 */
import type { ExecutionObservation, Observer } from "../../src/observe.ts";
import type { ExecutorLoad } from "../../src/executor.ts";
import { notify, type RefusalReason, type ServiceObserver } from "./observer.ts";

/** What the service needs of an observability object; `Observability` from `./observability` is one. */
export interface ServiceObservability extends Observer {
  /** Counts a refused request (`codemode_rejected_total{reason}`). */
  rejected(reason: string): void;
  /** The JSON logger, for the service's own events. */
  readonly logger: {
    log(level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void;
  };
  /** Whether metrics are kept (and `/metrics` is served). */
  readonly metricsEnabled: boolean;
  /** The Prometheus exposition. */
  metrics(): Promise<string>;
  /** Its content type. */
  readonly contentType: string;
}

// What a refusal is counted as: the reasons the MCP HTTP server uses where they mean the same.
const REJECTED: Record<RefusalReason, string> = {
  unauthorized: "auth",
  forbidden: "forbidden",
  draining: "draining",
  connections: "connections",
  busy: "busy",
  rejected: "validation",
};

/**
 * Turns the service's events into `observability`'s logs, metrics and
 * spans: an execution is observed from its acceptance to its end (its span
 * continues the host's trace from the start message's `traceHeaders`, and its
 * principal is `api-key:<id>`); refusals and protocol errors are counted and
 * logged by kind, never with what the host sent.
 *
 * @param observability where the events go.
 * @param also another observer told of every event first (the caller's own).
 * @returns the observer to give the service.
 */
export function observeService(observability: ServiceObservability, also?: ServiceObserver): ServiceObserver {
  const running = new Map<string, ExecutionObservation>();
  const { logger } = observability;
  return {
    executionAccepted(event) {
      notify(also, "executionAccepted", event);
      const observation = observability.execution({
        executionId: event.executionId,
        correlationId: event.correlationId ?? event.executionId,
        ...(event.keyId !== undefined ? { principal: `api-key:${event.keyId}` } : {}),
        ...(event.traceHeaders !== undefined ? { traceHeaders: event.traceHeaders } : {}),
      });
      running.set(event.executionId, observation);
      if (event.clamped.length > 0) {
        logger.log("info", "limits_clamped", {
          executionId: event.executionId,
          correlationId: event.correlationId,
          limits: event.clamped.map((c) => c.limit),
        });
      }
    },
    executionStarted(event) {
      notify(also, "executionStarted", event);
    },
    executionEnded(event) {
      notify(also, "executionEnded", event);
      const observation = running.get(event.executionId);
      running.delete(event.executionId);
      observation?.end(event.result);
      if (!event.delivered) {
        logger.log("warn", "result_undelivered", {
          executionId: event.executionId,
          correlationId: event.correlationId,
        });
      }
    },
    refused(event) {
      notify(also, "refused", event);
      observability.rejected(REJECTED[event.reason]);
      logger.log("warn", "refused", { reason: event.reason, keyId: event.keyId, executionId: event.executionId });
    },
    protocolError(event) {
      notify(also, "protocolError", event);
      observability.rejected("protocol_error");
      // The code names the kind of problem; the message may quote what the host sent, so it is not logged.
      logger.log("warn", "protocol_error", { code: event.code, keyId: event.keyId, executionId: event.executionId });
    },
    load(event) {
      notify(also, "load", event);
    },
  };
}

/**
 * Lets `observability`'s gauges read the service's load.
 *
 * @param observability where the gauges are.
 * @param load the service's counts.
 * @returns what stops it.
 */
export function watchService(observability: ServiceObservability, load: () => ExecutorLoad): () => void {
  return observability.watchExecutor?.({ load }) ?? (() => {});
}
