/**
 * Where the `codemode` command reads and writes, and how it hears that it is
 * asked to stop. It imports nothing, so that `cli.ts` can use it without
 * loading a subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { processIo } from "./io.ts";
 * assert.equal(processIo().cwd, Deno.cwd());
 * ```
 *
 * @module
 */

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  /** Writes to stdout. */
  out: (text: string) => void;
  /** Writes to stderr. */
  err: (text: string) => void;
  /** Reads all of stdin. */
  readStdin: () => Promise<string>;
  /** The working directory. */
  cwd: string;
  /**
   * Listens for the process being asked to stop (SIGINT, SIGTERM, SIGHUP)
   * while a script runs: the signal aborts with the signal's name as reason;
   * the script is then stopped and the command exits with 128 + the signal's
   * number. `dispose` restores the default handling.
   */
  interrupt?: () => { signal: AbortSignal; dispose(): void };
  /**
   * Set when stderr is a terminal that a live status line may be drawn on (a
   * TTY, and neither `NO_COLOR`, `CODEMODE_NO_STATUS` nor `TERM=dumb` is set):
   * its width in columns. Unset, nothing but plain lines is written.
   */
  terminalColumns?: () => number;
}

/** Exit codes of the signals the CLI handles: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * The io of a real process: stdout, stderr, stdin and the working directory.
 *
 * @returns the io.
 */
export function processIo(): CliIo {
  const encoder = new TextEncoder();
  return {
    out: (t) => void Deno.stdout.writeSync(encoder.encode(t)),
    err: (t) => void Deno.stderr.writeSync(encoder.encode(t)),
    readStdin: () => new Response(Deno.stdin.readable).text(),
    cwd: Deno.cwd(),
    interrupt: listenForInterrupt,
    ...(statusAllowed() ? { terminalColumns } : {}),
  };
}

function statusAllowed(): boolean {
  try {
    if (!Deno.stderr.isTerminal()) return false;
    const env = (name: string) => Deno.env.get(name) ?? "";
    return env("NO_COLOR") === "" && env("CODEMODE_NO_STATUS") === "" && env("TERM") !== "dumb";
  } catch {
    return false; // no permission to read the environment: plain output
  }
}

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}

// SIGINT, SIGTERM and SIGHUP abort the signal (with the signal's name); a
// second one ends the process at once, with the conventional code, in case
// stopping hangs.
function listenForInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const names = (Deno.build.os === "windows" ? ["SIGINT"] : Object.keys(SIGNAL_EXIT_CODES)) as Deno.Signal[];
  const listeners = names.map((name) => {
    const listener = () => {
      if (controller.signal.aborted) Deno.exit(SIGNAL_EXIT_CODES[name]);
      controller.abort(name);
    };
    Deno.addSignalListener(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => listeners.forEach(([name, listener]) => Deno.removeSignalListener(name, listener)),
  };
}
