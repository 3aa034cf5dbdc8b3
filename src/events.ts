/**
 * Live events of one execution, delivered to `ExecuteOptions.onEvent` as they
 * happen: the start, every log line the script writes, every tool call's start
 * and end, and the end. What an event carries is what the result will carry
 * (log text after the host's scrubbing and within `maxLogBytes`, tool errors
 * cut as the trace cuts them); tool inputs and outputs are never in an event.
 *
 * Delivery is bounded: while an `onEvent` that returned a promise has not
 * settled, events wait in a queue of {@linkcode MAX_QUEUED_EVENTS}; past it
 * they are dropped and counted, and a `dropped` event says how many before the
 * next one delivered. An `onEvent` that throws (or whose promise rejects) gets
 * no more events of that execution, and the result's logs say so once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { Codemode, defineTool, type ExecutionEvent } from "../mod.ts";
 * const ping = defineTool({ name: "demo.ping", input: z.object({}), handler: () => "pong" });
 * await using cm = new Codemode({ tools: [ping] });
 * const seen: string[] = [];
 * await cm.execute(`console.log("hi"); return await tools.demo.ping({})`, {
 *   onEvent: (e: ExecutionEvent) => void seen.push(e.type),
 * });
 * assert.deepEqual(seen, ["start", "log", "tool_start", "tool_end", "end"]);
 * ```
 *
 * @module
 */
import type { LogLevel, StopReason } from "./rpc/result.ts";

/** The most events waiting for a busy `onEvent`; past it, events are dropped and counted. */
export const MAX_QUEUED_EVENTS = 1000;

/** What every event has. */
export interface EventBase {
  /** The execution's id (the result's `executionId`). */
  executionId: string;
  /** Milliseconds since the execution started. */
  atMs: number;
}

/** The execution started (before its validation and type check). */
export interface StartEvent extends EventBase {
  /** Always `start`. */
  type: "start";
  /** The correlation id: the caller's, else the execution's id. */
  correlationId: string;
}

/** The script wrote a log line (as the result's `logs` will hold it). */
export interface LogEvent extends EventBase {
  /** Always `log`. */
  type: "log";
  /** `log`, `info`, `warn`, `error`, `debug`, or `stdout`/`stderr` for raw output. */
  level: LogLevel;
  /** The text, scrubbed and cut as in the result. */
  text: string;
}

/** A tool call arrived from the script. */
export interface ToolStartEvent extends EventBase {
  /** Always `tool_start`. */
  type: "tool_start";
  /** The call's id, as its handler sees it in `ctx.toolCallId`. */
  callId: string;
  /** The name the script called (`weather.get`, `$search`), at most 256 characters. */
  tool: string;
}

/** A tool call ended. */
export interface ToolEndEvent extends EventBase {
  /** Always `tool_end`. */
  type: "tool_end";
  /** The call's id, as in its `tool_start`. */
  callId: string;
  /** The tool's registered name, else the name the script called (at most 256 characters). */
  tool: string;
  /** Whether it returned a value. */
  ok: boolean;
  /** How long it took, in ms. */
  durationMs: number;
  /** Set when a `deny` policy or the approver refused the call. */
  refused?: boolean;
  /** Why it failed: the error's name and the message the script saw (at most 1024 characters). */
  error?: { name: string; message: string };
}

/** Events were dropped because `onEvent` was busy and the queue was full. */
export interface DroppedEvent extends EventBase {
  /** Always `dropped`. */
  type: "dropped";
  /** How many events were dropped since the last one delivered. */
  count: number;
}

/** The execution ended; nothing follows. */
export interface EndEvent extends EventBase {
  /** Always `end`. */
  type: "end";
  /** Whether the script completed. */
  ok: boolean;
  /** Why it stopped, as in the result. */
  stopReason: StopReason;
  /** The execution's duration, as in the result. */
  durationMs: number;
  /** How many tool calls it made. */
  toolCalls: number;
  /** The result's error's name and message, when it failed (the message at most 1024 characters). */
  error?: { name: string; message: string };
}

/** One live event of an execution; see the module documentation. */
export type ExecutionEvent = StartEvent | LogEvent | ToolStartEvent | ToolEndEvent | DroppedEvent | EndEvent;

/**
 * Receives an execution's events, in order. Returning a promise holds back the
 * next events (queued, bounded) until it settles; throwing ends delivery.
 */
export type ExecutionEventHandler = (event: ExecutionEvent) => void | Promise<void>;
