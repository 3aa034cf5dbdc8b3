/**
 * Turns an {@linkcode ExecutionResult} into the compact text a model reads
 * as the result of its script: the value (or the error with its position),
 * the logs, and a one-line tool-call trace.
 *
 * @module
 */
import type { ExecutionError, ExecutionResult, LogEntry, LogLevel, StopReason, ToolCallRecord } from "./rpc/result.ts";

// Re-exported so this module's documentation is complete on its own.
export type { ExecutionError, ExecutionResult, LogEntry, LogLevel, StopReason, ToolCallRecord };

/** Options of {@linkcode formatResultForModel}. */
export interface FormatOptions {
  /** Longest the result JSON, and separately the logs, may be before they are cut with a marker. @default {20000} */
  maxChars?: number;
}

/** The default of {@linkcode FormatOptions.maxChars}. */
export const DEFAULT_MAX_CHARS = 20_000;

/** Trace entries shown before the rest are summarised, so a runaway loop cannot flood the context. */
const MAX_TRACE_ENTRIES = 20;
/** A result over maxResultBytes is only a hint of what was too big, so a short preview is enough. */
const MAX_PARTIAL_CHARS = 2_000;
/** Failed calls carry a short reason in the trace; the full message is in the error or the script's own output. */
const MAX_TRACE_ERROR_CHARS = 80;

/**
 * Formats an execution result as compact, readable text for a model.
 *
 * @param result what `Codemode.execute()` returned.
 * @param options how much of the result and logs to keep.
 * @returns the text: result or error, logs, and the tool-call trace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResultForModel } from "./format.ts";
 * const text = formatResultForModel({
 *   executionId: "x",
 *   ok: true,
 *   stopReason: "completed",
 *   result: { warm: ["Lima"] },
 *   logs: [{ level: "log", text: "fetched 2", atMs: 3 }],
 *   toolCalls: [{ tool: "weather.get", ok: true, durationMs: 3.2 }],
 *   durationMs: 40,
 * });
 * assert.match(text, /"warm"/);
 * assert.match(text, /\[log\] fetched 2/);
 * assert.match(text, /weather\.get ok 3ms/);
 * ```
 */
export function formatResultForModel(result: ExecutionResult, options: FormatOptions = {}): string {
  const maxChars = checkMaxChars(options.maxChars ?? DEFAULT_MAX_CHARS);
  const sections = [result.ok ? formatValue(result.result, maxChars) : formatFailure(result, maxChars)];
  if (result.logs.length > 0) sections.push("Logs:\n" + truncate(formatLogs(result.logs), maxChars));
  sections.push(formatTrace(result.toolCalls));
  return sections.join("\n\n");
}

/**
 * Formats the first line of a failure: why it stopped, the error and where.
 *
 * @param result a result whose `ok` is false.
 * @returns `Error (stopReason): Name: message at script.ts:L:C`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatErrorLine } from "./format.ts";
 * const line = formatErrorLine({
 *   executionId: "x",
 *   ok: false,
 *   stopReason: "error",
 *   error: { name: "TypeError", message: "x is not a function", line: 2, column: 5 },
 *   logs: [],
 *   toolCalls: [],
 *   durationMs: 1,
 * });
 * assert.equal(line, "Error (error): TypeError: x is not a function at script.ts:2:5");
 * ```
 */
export function formatErrorLine(result: ExecutionResult): string {
  const error = result.error;
  const what = error ? `${error.name}: ${error.message}` : "the script did not complete";
  const at = error?.line !== undefined ? `script.ts:${error.line}:${error.column ?? 1}` : undefined;
  // A ToolError's message already ends with its call site; a TypeCheckError's lines start with theirs.
  const placed = error?.message.endsWith(`(${at})`) || error?.name === "TypeCheckError";
  const where = at === undefined || placed ? "" : ` at ${at}`;
  return `Error (${result.stopReason}): ${what}${where}`;
}

function formatValue(value: unknown, maxChars: number): string {
  if (value === undefined) return "Result: (none: the script returned nothing; `return` the answer)";
  return "Result:\n" + truncate(toJson(value), maxChars);
}

function formatFailure(result: ExecutionResult, maxChars: number): string {
  if (result.paused) return formatPaused(result.paused);
  const lines = [formatErrorLine(result)];
  // An over-large result still carries a preview; showing it helps the model return less next time.
  if (result.result !== undefined) {
    lines.push("Partial result:\n" + truncate(toJson(result.result), Math.min(maxChars, MAX_PARTIAL_CHARS)));
  }
  return lines.join("\n");
}

/** The longest input a pending call is shown with. */
const MAX_PENDING_INPUT_CHARS = 300;

/**
 * A call that waits for approval as a person or a model reads it: `tools.<tool>(<input as JSON>)`, the input cut to
 * 300 characters.
 *
 * @param call the pending call's tool and input.
 * @returns the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pendingCallText } from "./format.ts";
 * assert.equal(pendingCallText({ tool: "orders.refund", input: { id: "A-7" } }), 'tools.orders.refund({"id":"A-7"})');
 * ```
 */
export function pendingCallText(call: { tool: string; input: unknown }): string {
  return `tools.${call.tool}(${truncateInline(JSON.stringify(call.input) ?? "", MAX_PENDING_INPUT_CHARS)})`;
}

function formatPaused(paused: NonNullable<ExecutionResult["paused"]>): string {
  const lines = paused.pending.map((p) => {
    const why = p.reason.kind === "policy" ? `policy "${p.reason.rule}"` : p.reason.kind;
    return `- ${p.id}: ${pendingCallText(p)} [${why}]`;
  });
  const n = paused.pending.length;
  return `Paused: ${n === 1 ? "1 tool call waits" : `${n} tool calls wait`} for a person's approval; none of ` +
    `them ran. The script continues from here once each is approved or rejected (until ${paused.expiresAt}):\n` +
    lines.join("\n");
}

function formatLogs(logs: readonly LogEntry[]): string {
  return logs.map((l) => `[${l.level}] ${l.text}`).join("\n");
}

function formatTrace(calls: readonly ToolCallRecord[]): string {
  if (calls.length === 0) return "Tool calls: none";
  const shown = calls.slice(0, MAX_TRACE_ENTRIES).map(formatCall);
  const rest = calls.slice(MAX_TRACE_ENTRIES);
  if (rest.length > 0) {
    const failed = rest.filter((c) => !c.ok).length;
    shown.push(`… ${rest.length} more (${failed} failed)`);
  }
  return `Tool calls (${calls.length}): ${shown.join(", ")}`;
}

function formatCall(call: ToolCallRecord): string {
  const ms = `${Math.round(call.durationMs)}ms`;
  if (call.ok) return `${call.tool} ok ${ms}`;
  // The host prefixes handler errors with the tool's name, which the trace already shows.
  const message = call.error?.replace(`tools.${call.tool} failed: `, "");
  const reason = message ? ` (${truncateInline(message, MAX_TRACE_ERROR_CHARS)})` : "";
  const where = call.line !== undefined ? ` at script.ts:${call.line}:${call.column ?? 1}` : "";
  return `${call.tool} ERR ${ms}${reason}${where}`;
}

function toJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    // Results arrive as JSON, so this only guards hand-built results (BigInt, cycles).
    return String(value);
  }
}

/** Cuts text to `max` characters and says how much was dropped, so the model knows it saw a part. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const kept = safeSlice(text, max);
  return `${kept}\n… [truncated: ${text.length - kept.length} of ${text.length} characters not shown]`;
}

function truncateInline(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length <= max ? flat : `${safeSlice(flat, max)}…`;
}

/** Slices without splitting a surrogate pair, which would leave invalid UTF-16 in the prompt. */
function safeSlice(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

function checkMaxChars(value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`maxChars must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}
