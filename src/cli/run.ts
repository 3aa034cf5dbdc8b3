/**
 * `codemode run`: runs one script file (or stdin) in the sandbox.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ExecutionResult } from "../../executor/types.ts";
import { UsageError } from "./load_tools.ts";
import { buildCodemode, CODEMODE_FLAGS, limitsFromFlags, noToolsNote, toolOrigins } from "./build.ts";

/** Help text of `codemode run`. */
export const RUN_HELP: string = `Usage: codemode run <script.ts | -> [options]

Runs a TypeScript script body in a zero-permission sandbox. Use - to read it from stdin.

Options:
  -c, --config <file>  A codemode.yaml (tools, limits, policies). Default: ./codemode.yaml
                     when it exists and no --tools is given.
  --tools <path>     A tool module, or a directory of them, as in codemode.yaml's tools:
                     every exported tool is taken (repeatable). Tool modules are
                     trusted: they run in the host, not the sandbox.
  --json             Print exactly one JSON ExecutionResult on stdout.
  --timeout <ms>     Wall-clock limit (default 30000).
  --memory <MB>      Sandbox heap limit (default 128).
  -h, --help         Show this help.

Exit code: 0 completed, 1 the script failed or hit a limit, 2 usage or config error,
130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP): interrupted, the sandbox was stopped.`;

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
  };
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

/**
 * Runs `codemode run` with its arguments.
 *
 * @returns the exit code.
 * @throws {UsageError} on bad flags, a missing script or a bad tool module.
 */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...CODEMODE_FLAGS,
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return io.out(RUN_HELP + "\n"), 0;
  if (positionals.length !== 1) {
    throw new UsageError("run takes exactly one script path (or - for stdin)");
  }
  const code = await readScript(positionals[0], io);
  const limits = limitsFromFlags(values);
  const flags = { config: values.config, tools: values.tools, limits };
  const cm = await buildCodemode(flags, io.cwd);
  try {
    const interrupt = io.interrupt?.();
    const result = await cm.execute(code, { signal: interrupt?.signal }).finally(() => interrupt?.dispose());
    if (values.json) io.out(JSON.stringify(result) + "\n");
    else {
      printHuman(result, io);
      if (cm.registry.size === 0 && mentionsMissingTool(result)) {
        io.err(`codemode run: ${noToolsNote(await toolOrigins(flags, io.cwd), io.cwd)}\n`);
      }
    }
    const signal = interrupt?.signal.aborted ? String(interrupt.signal.reason) : undefined;
    if (signal) {
      io.err(`codemode run: interrupted by ${signal}; the sandbox was stopped\n`);
      return SIGNAL_EXIT_CODES[signal] ?? 130;
    }
    return result.ok ? 0 : 1;
  } finally {
    await cm.close();
  }
}

async function readScript(path: string, io: CliIo): Promise<string> {
  if (path === "-") return await io.readStdin();
  try {
    return await Deno.readTextFile(
      path.startsWith("/") ? path : `${io.cwd}/${path}`,
    );
  } catch (e) {
    throw new UsageError(`Cannot read script ${path}: ${(e as Error).message}`);
  }
}

// The sandbox says `tools.x is not a tool.`; whether the script let it
// through or logged it, a person running the CLI is told why.
function mentionsMissingTool(r: ExecutionResult): boolean {
  const missing = /\btools\.[\w.$]+ is not a tool\b/;
  return missing.test(r.error?.message ?? "") || r.logs.some((log) => missing.test(log.text));
}

function printHuman(r: ExecutionResult, io: CliIo): void {
  for (const log of r.logs) io.err(`[${log.level}] ${log.text}\n`);
  for (const c of r.toolCalls) {
    io.err(
      `[tool] ${c.tool} ${c.ok ? "ok" : "failed"} ${c.durationMs} ms${c.error ? `: ${c.error}` : ""}\n`,
    );
  }
  if (r.ok) {
    if (r.result !== undefined) {
      io.out(JSON.stringify(r.result, null, 2) + "\n");
    }
    return;
  }
  const where = r.error?.line && !r.error.message.includes("script.ts:")
    ? ` (script.ts:${r.error.line}:${r.error.column})`
    : "";
  io.err(`${r.stopReason}: ${r.error?.name}: ${r.error?.message}${where}\n`);
}
