/**
 * What the executor service tells an observer: the seam metrics, logs and
 * traces attach to. Every hook is optional; one that throws is ignored.
 *
 * @module
 */
import type { ExecutionResult, StopReason } from "../../src/rpc/result.ts";
import type { ClampedLimit } from "../../src/rpc/remote.ts";

/** Who asked for an execution, and how to correlate it. */
export interface ExecutionEvent {
  /** The host's execution id. */
  executionId: string;
  /** The id of the API key the host used; undefined when the service has no keys. */
  keyId?: string;
  /** The host's correlation id. */
  correlationId?: string;
  /** The host's W3C trace context (`traceparent`, `tracestate`). */
  traceHeaders?: Record<string, string>;
}

/** An execution's end. */
export interface ExecutionEndEvent extends ExecutionEvent {
  /** Why it ended. */
  stopReason: StopReason;
  /** Its wall-clock time on the service, in ms. */
  durationMs: number;
  /** How many tool calls it made. */
  toolCalls: number;
  /** Whether the result reached the host (false when the host went away first). */
  delivered: boolean;
  /** The result the service sent (or would have sent) to the host. */
  result: ExecutionResult;
}

/** Why a connection or an execution was refused before it ran. */
export type RefusalReason = "unauthorized" | "forbidden" | "draining" | "connections" | "busy" | "rejected";

/** A refusal. */
export interface RefusedEvent {
  /** Why. */
  reason: RefusalReason;
  /** The caller's key id, once known. */
  keyId?: string;
  /** The execution, once its start was read. */
  executionId?: string;
}

/** A host that broke the protocol: the connection (and its execution, if any) was ended. */
export interface ProtocolErrorEvent {
  /** What kind of problem. */
  code: string;
  /** What the host was told. */
  message: string;
  /** The caller's key id. */
  keyId?: string;
  /** The execution, once its start was read. */
  executionId?: string;
}

/** How busy the service is. */
export interface LoadEvent {
  /** Sandboxes running. */
  running: number;
  /** Executions waiting for a slot. */
  queued: number;
  /** Open WebSocket connections. */
  connections: number;
}

/** Hooks the service calls as executions come and go; e.g. to count them or log them. */
export interface ServiceObserver {
  /** A valid start was read and accepted (its limits clamped as listed). */
  executionAccepted?(event: ExecutionEvent & { clamped: ClampedLimit[] }): void;
  /** The execution got a sandbox slot and runs now. */
  executionStarted?(event: ExecutionEvent): void;
  /** The execution ended (also when its host went away: the result was then not delivered). */
  executionEnded?(event: ExecutionEndEvent): void;
  /** A request or an execution was refused before it ran. */
  refused?(event: RefusedEvent): void;
  /** A host broke the protocol. */
  protocolError?(event: ProtocolErrorEvent): void;
  /** The counts changed. */
  load?(event: LoadEvent): void;
}

/**
 * Calls one hook, ignoring whatever it throws: an observer must not break an execution.
 *
 * @param observer the observer.
 * @param hook the hook's name.
 * @param event what to tell it.
 */
export function notify<K extends keyof ServiceObserver>(
  observer: ServiceObserver | undefined,
  hook: K,
  event: Parameters<NonNullable<ServiceObserver[K]>>[0],
): void {
  try {
    (observer?.[hook] as ((e: typeof event) => void) | undefined)?.call(observer, event);
  } catch {
    // An observer's failure is its own.
  }
}
