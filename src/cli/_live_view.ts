// What `codemode run` shows while a script runs: its log lines and tool
// calls as they happen, and, on a terminal, one status line (the calls
// running, the time) redrawn in place below them, cleared before any other
// output and at the end. Every text from the sandbox is made inert first:
// control characters (escape sequences among them) and bidi overrides are
// shown as `\xNN` / `\u{NNNN}`, so a script cannot move the cursor, recolour,
// retitle or clear the terminal, nor hide text.
import type { ExecutionEvent } from "../events.ts";

/** How often the status line's clock is redrawn, in ms. */
const TICK_MS = 200;
/** Erases the current line and returns to its start. */
const CLEAR = "\r\x1b[2K";
/** Names shown in the status line before the rest are counted. */
const SHOWN_RUNNING = 3;

// C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidi embeddings, overrides and isolates.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
// The same, and tab and newline: for what must stay on one line (a tool name, the status line).
// deno-lint-ignore no-control-regex
const UNSAFE_IN_LINE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes sandbox text safe to write to a terminal: every control character but
 * tab and newline, and every bidi control, is written as a visible escape.
 *
 * @param text anything a script wrote.
 * @param oneLine escape tab and newline too.
 * @returns the text with `\x1b` shown as the four characters `\x1b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inert } from "./_live_view.ts";
 * assert.equal(inert("a\x1b[2Jb\nc"), "a\\x1b[2Jb\nc");
 * assert.equal(inert("a\nb", true), "a\\x0ab");
 * ```
 */
export function inert(text: string, oneLine = false): string {
  return text.replace(oneLine ? UNSAFE_IN_LINE : UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** Where the view writes, and whether it may draw. */
export interface LiveViewOptions {
  /** Writes to stderr. */
  write: (text: string) => void;
  /** Set when stderr is a terminal the status line may be drawn on: its width in columns. */
  columns?: () => number;
}

/**
 * Prints an execution's events as they happen (an `onEvent`), with a live status line on a terminal. What one
 * turn of the host brings (the lines of one chunk of the child's output) goes out in one write, with one redraw.
 */
export class LiveView {
  readonly #write: (text: string) => void;
  readonly #columns: (() => number) | undefined;
  readonly #running = new Map<string, string>();
  readonly #started = performance.now();
  #done = 0;
  #drawn = false;
  #lines = ""; // printed lines not written yet
  #dirty = false; // the status changed since it was drawn
  #flushing = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: LiveViewOptions) {
    this.#write = options.write;
    this.#columns = options.columns;
    if (this.#columns) {
      this.#timer = setInterval(() => this.#changed(), TICK_MS);
      Deno.unrefTimer(this.#timer);
    }
  }

  /** Hears one event. */
  readonly onEvent = (event: ExecutionEvent): void => {
    switch (event.type) {
      case "log":
        return this.#print(`[${event.level}] ${event.text}`);
      case "tool_start":
        this.#running.set(event.callId, inert(event.tool, true));
        return this.#changed();
      case "tool_end": {
        this.#running.delete(event.callId);
        this.#done++;
        const how = event.ok ? "ok" : event.refused ? "refused" : "failed";
        const why = event.error ? `: ${event.error.message}` : "";
        return this.#print(`[tool] ${inert(event.tool, true)} ${how} ${event.durationMs} ms${why}`);
      }
      case "dropped":
        return this.#print(`[codemode] ${event.count} events not shown`);
      default:
        return;
    }
  };

  /** Writes what is pending, clears the status line and stops drawing: what is written next starts on a clean line. */
  finish(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#flush();
  }

  #print(line: string): void {
    this.#lines += inert(line) + "\n";
    this.#changed();
  }

  #changed(): void {
    this.#dirty = true;
    if (this.#flushing) return;
    this.#flushing = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushing = false;
    const status = this.#dirty && this.#timer !== undefined && this.#columns ? this.#status(this.#columns()) : "";
    if (this.#lines === "" && status === "" && !(this.#drawn && this.#timer === undefined)) return;
    this.#write((this.#drawn ? CLEAR : "") + this.#lines + status);
    this.#lines = "";
    this.#dirty = false;
    this.#drawn = status !== "";
  }

  #status(columns: number): string {
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(1);
    const names = [...this.#running.values()];
    const shown = names.slice(0, SHOWN_RUNNING).join(", ") + (names.length > SHOWN_RUNNING ? ", …" : "");
    const calls = names.length > 0 ? `${names.length} running: ${shown}` : "no tool call running";
    const status = `▸ ${seconds} s · ${calls} · ${this.#done} done`;
    // One line that never wraps, or the next redraw would not erase all of it.
    const width = (columns >= 20 ? columns : 80) - 1; // a terminal that does not say its size is taken as 80 wide
    return status.length > width ? status.slice(0, width - 1) + "…" : status;
  }
}
