// What keeps an ExecutionResult's size predictable from the limits: the
// tool-call trace and the error have caps of their own (logs and the result
// have maxLogBytes and maxResultBytes).
import type { WireError } from "../src/rpc/protocol.ts";
import type { ExecutionError, ToolCallRecord } from "../src/rpc/result.ts";

/** Longest error message or stack kept from the sandbox, in characters. */
export const MAX_ERROR_CHARS = 8192;
/** Longest tool name kept in one trace entry, in characters. */
export const MAX_TRACE_TOOL_CHARS = 256;
/** Longest error kept in one trace entry, in characters. */
export const MAX_TRACE_ERROR_CHARS = 1024;
/** All tool names and errors of one trace together, in characters; past it errors are cut short. */
export const MAX_TRACE_TEXT_CHARS = 65_536;
/** What a trace error is cut to once the trace's text budget is spent. */
const SPENT_ERROR_CHARS = 64;

/**
 * Cuts `text` to `max` characters, saying how much was cut.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cut } from "./_bounds.ts";
 * assert.equal(cut("abcdef", 3), "abc… [3 more characters]");
 * ```
 */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** The child's error with every text capped and host paths scrubbed. */
export function boundedError(e: WireError, scrub: (text: string) => string): ExecutionError {
  return {
    ...e,
    name: cut(e.name, 200),
    message: scrub(cut(e.message, MAX_ERROR_CHARS)),
    ...(e.stack === undefined ? {} : { stack: scrub(cut(e.stack, MAX_ERROR_CHARS)) }),
  };
}

/** The tool-call trace of one execution, within its text budget. */
export class ToolTrace {
  readonly #records: ToolCallRecord[] = [];
  readonly #started = new Map<ToolCallRecord, number>();
  readonly #byId = new Map<number, ToolCallRecord>();
  #textChars = 0;

  /** Entries so far. */
  get length(): number {
    return this.#records.length;
  }

  /** Adds an entry for call `id`, which starts now. */
  start(tool: string, id: number): ToolCallRecord {
    const record: ToolCallRecord = { tool: cut(tool, MAX_TRACE_TOOL_CHARS), ok: false, durationMs: 0 };
    this.#textChars += record.tool.length;
    this.#records.push(record);
    this.#started.set(record, performance.now());
    this.#byId.set(id, record);
    return record;
  }

  /**
   * Sets where in the script call `id` was made, as the child reports it:
   * once, and only for a call that failed (it is for display only).
   */
  locate(id: number, line: number, column: number): void {
    const record = this.#byId.get(id);
    if (!record || record.error === undefined || record.line !== undefined) return;
    record.line = line;
    record.column = column;
  }

  /** Ends an entry: ok without `error`, failed with it (capped). */
  finish(record: ToolCallRecord, error?: string): void {
    const t0 = this.#started.get(record) ?? performance.now();
    this.#started.delete(record);
    record.durationMs = Math.round((performance.now() - t0) * 100) / 100;
    if (error === undefined) {
      record.ok = true;
      return;
    }
    const room = MAX_TRACE_TEXT_CHARS - this.#textChars;
    record.error = cut(error, Math.max(SPENT_ERROR_CHARS, Math.min(MAX_TRACE_ERROR_CHARS, room)));
    this.#textChars += record.error.length;
  }

  /** The entries, in call order. */
  records(): ToolCallRecord[] {
    return this.#records;
  }
}
