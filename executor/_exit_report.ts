// What Deno or V8 prints on stderr as a child dies is held back until the
// host has diagnosed the exit: V8's crash report (its heap-limit abort among
// them) and Deno's report of a top-level `await` that can never settle. A
// report that turns out to mean something else is shown as stderr after all.

/** V8's crash output starts with its GC trace or a `# Fatal` line; everything after it is held. */
const CRASH_START = /^<--- Last few GCs --->|^#\s*Fatal /;
const FATAL = /^#\s*Fatal (.*)$/;
const OUT_OF_MEMORY = /^(JavaScript|process) out of memory/;
/** Deno's report of a never-settling top-level await: this line, then indented ones (source, caret, frames). */
const UNSETTLED_LEAD = /^error: Top-level await promise never resolved\b/;
const CONTINUATION = /^\s/;
/** Lines held back, at most. */
const MAX_HELD_LINES = 64;

/** What a script whose top-level promise never settled is told. */
export const UNSETTLED_MESSAGE = "The script's top-level promise never settled: it awaited a promise that can never " +
  "resolve (an un-awaited callback, a missing resolve, or an event that never fires)";

/** Why a child died, when its own last report says so. */
export type ExitCause = "out_of_memory" | "unsettled";

/**
 * The report a dying child left on stderr. A script can print either report
 * itself, but cannot print after the process died, so only the report that
 * came last, together with the way the process ended, is taken as the cause:
 *
 * - out of memory: SIGTRAP (V8's abort), and V8's last `# Fatal` line says
 *   out of memory. A script that prints the banner and aborts gets SIGABRT.
 * - unsettled: exit code 1 and Deno's never-settled report was the last
 *   thing on stderr. A script that prints that line and exits with 1 is told
 *   the same; that changes only the wording of an `error` ending, and it is
 *   what the script claimed.
 */
export class ExitReport {
  readonly #show: (line: string) => void;
  #kind: "crash" | "unsettled" | undefined;
  #held: string[] = [];
  #lastFatal = "";

  /** @param show where held lines go when they turn out not to be the cause. */
  constructor(show: (line: string) => void) {
    this.#show = show;
  }

  /** True when `line` is part of a report and is held back. */
  hold(line: string): boolean {
    if (CRASH_START.test(line) && this.#kind !== "crash") this.#start("crash");
    if (this.#kind === "crash") return this.#keep(line);
    if (UNSETTLED_LEAD.test(line)) {
      this.#start("unsettled");
      return this.#keep(line);
    }
    if (this.#kind === "unsettled" && (line === "" || CONTINUATION.test(line))) return this.#keep(line);
    this.release();
    return false;
  }

  /** The cause of the exit, when the held report explains it; that report is then dropped. */
  diagnose(status: Deno.CommandStatus): ExitCause | undefined {
    const cause = this.#kind === "crash" && status.signal === "SIGTRAP" && OUT_OF_MEMORY.test(this.#lastFatal)
      ? "out_of_memory"
      : this.#kind === "unsettled" && status.signal === null && status.code === 1
      ? "unsettled"
      : undefined;
    if (cause) this.#held = [];
    return cause;
  }

  /** Shows what is still held. */
  release(): void {
    for (const line of this.#held.splice(0)) if (line !== "") this.#show(line);
    this.#kind = undefined;
  }

  #start(kind: "crash" | "unsettled"): void {
    this.release();
    this.#kind = kind;
  }

  #keep(line: string): boolean {
    const fatal = FATAL.exec(line);
    if (fatal) this.#lastFatal = fatal[1];
    if (this.#held.length < MAX_HELD_LINES) this.#held.push(line);
    return true;
  }
}
