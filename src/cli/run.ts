/**
 * `codemode run`: runs one script file (or stdin) in the sandbox.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ExecutionResult } from "../rpc/result.ts";
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
  --timeout <ms>     Wall-clock limit (default 30000).
  --memory <MB>      Sandbox heap limit (default 128).
  --typecheck        Type-check the script against the tools' declarations first: on an
                     error it does not run, and the diagnostics name line, tool and field.
  --os-sandbox <mode>  The OS wall (Linux, bubblewrap) around the sandbox: auto (use it where
                     the host offers it; the default, or codemode.yaml's sandbox.os), required
                     (refuse to run without it), off. See: codemode doctor.
  -h, --help         Show this help.

Exit code: 0 completed, 1 the script failed or hit a limit, 2 usage or config error,
130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP): interrupted, the sandbox was stopped.`;

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
    const columns = values["no-status"] ? undefined : io.terminalColumns;
    const view = values.json ? undefined : new LiveView({ write: io.err, ...(columns ? { columns } : {}) });
    const result = await cm.execute(code, { signal: interrupt?.signal, ...(view ? { onEvent: view.onEvent } : {}) })
      .finally(() => {
        view?.finish();
        interrupt?.dispose();
      });
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

// The logs and tool calls were shown as they happened (`LiveView`); what is left is the ending.
function printHuman(r: ExecutionResult, io: CliIo): void {
  if (r.ok) {
    if (r.result !== undefined) {
      io.out(JSON.stringify(r.result, null, 2) + "\n");
    }
    return;
  }
  const where = r.error?.line && !r.error.message.includes("script.ts:")
    ? ` (script.ts:${r.error.line}:${r.error.column})`
    : "";
  io.err(inert(`${r.stopReason}: ${r.error?.name}: ${r.error?.message}${where}`) + "\n");
}
