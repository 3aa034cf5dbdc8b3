/**
 * `codemode run`: runs one script file (or stdin) in the sandbox.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ExecutionResult } from "../rpc/result.ts";
import type { ExecutionEventHandler } from "../events.ts";
import { UsageError } from "./load_tools.ts";
import {
  buildCodemode,
  CODEMODE_FLAGS,
  limitsFromFlags,
  noToolsNote,
  type ObservabilityConfig,
  osSandboxFlag,
  toolOrigins,
} from "./build.ts";
import { wantsObservability } from "../config/schema.ts";
import type { Observer } from "../observe.ts";
import { type CliIo, SIGNAL_EXIT_CODES } from "./io.ts";
import { inert, LiveView } from "./_live_view.ts";
import { DEFAULT_CONTINUATION_FILE, PAUSED_EXIT_CODE, savePaused } from "./paused.ts";

export { type CliIo, processIo, SIGNAL_EXIT_CODES } from "./io.ts";

/** Help text of `codemode run`. */
export const RUN_HELP: string = `Usage: codemode run <script.ts | -> [options]

Runs a TypeScript script body in a zero-permission sandbox. Use - to read it from stdin.

Options:
  -c, --config <file>  A codemode.yaml (tools, limits, policies, logging). Default: ./codemode.yaml
                     when it exists and no --tools is given. Its logging writes JSON lines to stderr.
  --tools <path>     A tool module, or a directory of them, as in codemode.yaml's tools:
                     every exported tool is taken (repeatable). Tool modules are
                     trusted: they run in the host, not the sandbox.
  --json             Print exactly one JSON ExecutionResult on stdout (nothing live).
  --no-status        No live status line. Without --json, log lines and tool calls go to stderr
                     as they happen; on a terminal a status line (calls running, time) is
                     redrawn below them, unless this flag, NO_COLOR, CODEMODE_NO_STATUS or
                     TERM=dumb is set. Control characters from the script are shown escaped.
  --continuation <file>  Where the continuation goes when the script pauses for approval (a
                     call needs it and nobody was asked): written 0600, replacing the file.
                     Default: ./${DEFAULT_CONTINUATION_FILE}. Resume with: codemode resume <file>
  --timeout <ms>     Wall-clock limit (default 30000).
  --memory <MB>      Sandbox heap limit (default 128).
  --typecheck        Type-check the script against the tools' declarations first: on an
                     error it does not run, and the diagnostics name line, tool and field.
  --os-sandbox <mode>  The OS wall (Linux, bubblewrap) around the sandbox: auto (use it where
                     the host offers it; the default, or codemode.yaml's sandbox.os), required
                     (refuse to run without it), off. See: codemode doctor.
  -h, --help         Show this help.

Exit code: 0 completed, 1 the script failed or hit a limit, 2 usage or config error,
3 paused for approval (see codemode resume --help), 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP): interrupted, the sandbox was stopped.`;

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
      "no-status": { type: "boolean" },
      continuation: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return io.out(RUN_HELP + "\n"), 0;
  if (positionals.length !== 1) {
    throw new UsageError("run takes exactly one script path (or - for stdin)");
  }
  const code = await readScript(positionals[0], io);
  const limits = limitsFromFlags(values);
  const flags = {
    config: values.config,
    tools: values.tools,
    limits,
    typecheck: values.typecheck,
    osSandbox: osSandboxFlag(values["os-sandbox"]),
  };
  const cm = await buildCodemode(flags, io.cwd, io.err, (config) => runObserver(config, io));
  try {
    const interrupt = io.interrupt?.();
    const result = await withLiveView(
      io,
      values,
      (onEvent) => cm.execute(code, { signal: interrupt?.signal, ...(onEvent ? { onEvent } : {}) }),
    ).finally(() => interrupt?.dispose());
    const exit = await report(result, { ...values, keyed: cm.resumesAcrossRestarts }, io, "run");
    if (!values.json && cm.registry.size === 0 && mentionsMissingTool(result)) {
      io.err(`codemode run: ${noToolsNote(await toolOrigins(flags, io.cwd), io.cwd)}\n`);
    }
    return interruption(interrupt?.signal, io, "run") ?? exit;
  } finally {
    await cm.close();
  }
}

/**
 * The observer of the config's `logging` (JSON lines on stderr); loaded only for a config that has it.
 * Nothing serves metrics in `run`: `metrics.enabled` is told so.
 */
async function runObserver(config: ObservabilityConfig, io: CliIo): Promise<Observer | undefined> {
  if (config.metrics?.enabled) {
    io.err("codemode run: metrics.enabled has no effect here; codemode mcp --http serves them at /metrics\n");
  }
  if (!wantsObservability(config)) return undefined;
  const { observabilityFromConfig } = await import("../config/observability.ts");
  return observabilityFromConfig({ ...config, metrics: { enabled: false } }, { logWrite: io.err });
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

/**
 * Runs an execution with the human mode's live view (log lines and tool calls on stderr as they
 * happen, and a status line on a terminal); with `--json`, nothing live.
 *
 * @param io where the view writes.
 * @param flags `--json` and `--no-status`.
 * @param start starts the execution, given the view's event handler.
 * @returns the result.
 */
export async function withLiveView(
  io: CliIo,
  flags: { json?: boolean; "no-status"?: boolean },
  start: (onEvent: ExecutionEventHandler | undefined) => Promise<ExecutionResult>,
): Promise<ExecutionResult> {
  const columns = flags["no-status"] ? undefined : io.terminalColumns;
  const view = flags.json ? undefined : new LiveView({ write: io.err, ...(columns ? { columns } : {}) });
  try {
    return await start(view?.onEvent);
  } finally {
    view?.finish();
  }
}

/**
 * Prints a result's ending (one JSON line with `--json`; the logs and tool calls were shown as they
 * happened) and saves the continuation of a paused one.
 *
 * @returns the exit code: 0 completed, 1 failed, {@linkcode PAUSED_EXIT_CODE} paused.
 */
export async function report(
  result: ExecutionResult,
  flags: { json?: boolean; continuation?: string; keyed: boolean },
  io: CliIo,
  command: string,
): Promise<number> {
  if (flags.json) io.out(JSON.stringify(result) + "\n");
  else printHuman(result, io);
  if (result.stopReason !== "paused" || !result.paused) return result.ok ? 0 : 1;
  if (!flags.keyed) {
    io.err(
      `codemode ${command}: no approvals.key is configured, so no other process can resume this continuation: ` +
        "set approvals.key in codemode.yaml (e.g. key: ${CODEMODE_APPROVALS_KEY}, 32+ characters) and run again\n",
    );
  }
  const file = flags.continuation ?? DEFAULT_CONTINUATION_FILE;
  try {
    await savePaused(result, file, io, flags.json === true);
  } catch (e) {
    io.err(`codemode ${command}: cannot write the continuation to ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  return PAUSED_EXIT_CODE;
}

/**
 * The exit code of a command the process was asked to stop (the sandbox was stopped), after saying so.
 *
 * @returns 128 + the signal's number, or `undefined` when it was not interrupted.
 */
export function interruption(signal: AbortSignal | undefined, io: CliIo, command: string): number | undefined {
  if (!signal?.aborted) return undefined;
  const name = String(signal.reason);
  io.err(`codemode ${command}: interrupted by ${name}; the sandbox was stopped\n`);
  return SIGNAL_EXIT_CODES[name] ?? 130;
}

function printHuman(r: ExecutionResult, io: CliIo): void {
  if (r.ok) {
    if (r.result !== undefined) {
      io.out(JSON.stringify(r.result, null, 2) + "\n");
    }
    return;
  }
  if (r.stopReason === "paused") return;
  const where = r.error?.line && !r.error.message.includes("script.ts:")
    ? ` (script.ts:${r.error.line}:${r.error.column})`
    : "";
  io.err(inert(`${r.stopReason}: ${r.error?.name}: ${r.error?.message}${where}`) + "\n");
}
