// Deno ends a program whose top-level `await` can never settle with exit
// code 1 and a short block on stderr: its own `error: Top-level await promise
// never resolved` line, then the awaiting source line, a caret and `at` frames
// (all indented). The block is held back until the exit is diagnosed.

const LEAD = /^error: Top-level await promise never resolved\b/;
/** Lines of Deno's block after its lead line are indented (source line, caret, frames). */
const CONTINUATION = /^\s/;
const MAX_HELD_LINES = 64;

/** What a script whose top-level promise never settled is told. */
export const UNSETTLED_MESSAGE =
  "The script's top-level promise never settled: it awaited a promise that can never resolve " +
  "(an un-awaited callback, a missing resolve, or an event that never fires)";

/** Watches the child's stderr for Deno's report of a top-level promise that never settled. */
export interface UnsettledWatch {
  /**
   * True when `line` is (part of) Deno's report and is held back. When what
   * was held turns out not to be the report, it is passed to `show` first.
   */
  hold(line: string): boolean;
  /**
   * Whether the child ended because its top-level promise never settled:
   * exit code 1, and Deno's report was the last thing on its stderr. If so,
   * the report is dropped: the error says it in words a model can act on.
   */
  diagnose(status: Deno.CommandStatus): boolean;
  /** Passes what is still held to `show` (the exit was something else). */
  release(): void;
}

/**
 * Tells a never-settling script from other exits by what the host sees.
 *
 * A script can write Deno's line to stderr itself and then `Deno.exit(1)`; it
 * is then told its promise never settled. That is harmless: the diagnosis
 * changes only the wording of an `error` ending (no limit, stop reason or
 * accounting depends on it), and it is what the script itself claimed. An
 * unindented line after the block means the block was not Deno's last word:
 * every held line is then shown, in order.
 *
 * @param show where held lines go when they are not Deno's final report.
 * @returns a watch for one child.
 */
export function unsettledWatch(show: (line: string) => void): UnsettledWatch {
  let held: string[] = [];
  const flush = () => {
    for (const line of held.splice(0)) if (line !== "") show(line);
  };
  return {
    hold(line) {
      if (LEAD.test(line)) {
        flush();
        held = [line];
        return true;
      }
      if (held.length === 0) return false;
      if (line === "" || CONTINUATION.test(line)) {
        if (held.length < MAX_HELD_LINES) held.push(line);
        return true;
      }
      flush();
      return false;
    },
    diagnose(status) {
      if (held.length === 0 || status.signal !== null || status.code !== 1) return false;
      held = [];
      return true;
    },
    release: flush,
  };
}
