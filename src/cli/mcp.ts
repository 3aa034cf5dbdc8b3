/**
 * `codemode mcp`: serves the tools as an MCP server (`execute_code`,
 * `search_tools`, `get_tool_types`) on stdio, or on Streamable HTTP with `--http`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { McpLogger } from "../mcp/server/log.ts";
import type { Observability } from "../observability/mod.ts";
import { observabilityFromConfig } from "../config/observability.ts";
import { redirectConsoleToStderr, serveStdio } from "../mcp/server/stdio.ts";
import { DEFAULT_MAX_SESSIONS, isLoopbackHost, serveHttp } from "../mcp/server/http.ts";
import { DEFAULT_MAX_WAITING } from "../mcp/server/_input_required.ts";
import {
  buildWithWalls,
  CODEMODE_FLAGS,
  integerFlag,
  limitsFromFlags,
  type ObservabilityConfig,
  osSandboxFlag,
} from "./build.ts";
import { describeWalls, MAX_POOL_SIZE } from "../../executor/local.ts";
import { UsageError } from "./load_tools.ts";
import type { CliIo } from "./run.ts";

/** The port `--http` listens on without `--port`. */
export const DEFAULT_MCP_PORT = 8787;

/**
 * Sandbox children `codemode mcp` keeps started ahead unless `--pool` or
 * `executor.pool` says otherwise: a long-lived server, where each idle child
 * (~40 MiB resident, no CPU) takes Deno's start-up off an execute_code call.
 */
export const DEFAULT_MCP_POOL_SIZE = 2;

/** Help text of `codemode mcp`. */
export const MCP_HELP: string = `Usage: codemode mcp [options]

Serves the tools as an MCP server with three tools: execute_code (run a TypeScript script
against the tools in the sandbox), search_tools and get_tool_types; and resume_execution
while a tool may need approval.
Default transport: stdio (stdout carries only the protocol; logs are JSON lines on stderr).
A tool call that needs approval (policy approve, or the tool's own needsApproval) is put to
the client's user through MCP elicitation; for a client without that capability the script
pauses: execute_code returns the calls that wait and a continuation, and resume_execution
continues it with the user's decisions (set approvals.key in codemode.yaml to resume across
restarts).

Options:
  -c, --config <file>      A codemode.yaml (tools, limits, policies, logging, metrics). Default:
                           ./codemode.yaml when it exists and no --tools is given.
  --tools <path>           A tool module, or a directory of them, as in codemode.yaml's tools:
                           every exported tool is taken (repeatable). Tool modules are
                           trusted: they run in the host, not the sandbox.
  --timeout <ms>           Wall-clock limit of each script (default 30000).
  --memory <MB>            Sandbox heap limit (default 128).
  --typecheck              Type-check every script before it runs (execute_code's typecheck
                           argument decides per call); a script that fails does not run.
  --pool <n>               Sandbox children started ahead, each waiting for its script, so a
                           call skips Deno's start-up (default ${DEFAULT_MCP_POOL_SIZE}, or executor.pool.size;
                           0 turns the pool off). Each child still runs one script only.
  --os-sandbox <mode>      The OS wall (Linux, bubblewrap) around each sandbox: auto (use it where
                           the host offers it; the default, or sandbox.os), required (refuse to
                           start without it), off. The startup log says which walls stand.
  --http                   Serve Streamable HTTP instead of stdio, at http://<host>:<port>/mcp.
  --port <n>               HTTP port (default ${DEFAULT_MCP_PORT}; 0 picks a free one).
  --host <addr>            HTTP address to bind (default 127.0.0.1). A non-loopback address
                           requires an API key.
  --api-key <key>          Require "Authorization: Bearer <key>". Default: $CODEMODE_API_KEY,
                           which is better: command-line arguments are visible in ps.
  --allowed-origin <url>   A browser origin allowed besides loopback ones (repeatable).
  --max-sessions <n>       Most open HTTP sessions (default ${DEFAULT_MAX_SESSIONS}).
  --approval-timeout <ms>  Longest wait for the user's answer to one approval question
                           (default: the script timeout).
  --max-waiting <n>        Most 2026-07-28 executions waiting for their client's answer at
                           once (default ${DEFAULT_MAX_WAITING}); past it, approval is refused.
  --no-pause               Refuse calls that need approval from a client that cannot answer
                           elicitation, instead of pausing the script (and serve no
                           resume_execution): for agents with no person behind their client.
  -h, --help               Show this help.

Logs: JSON lines on stderr at codemode.yaml's logging.level (default info): a sandbox_walls
line at startup (Deno permissions, OS wall, cgroup limits), an audit line per tool call. With --http, an X-Request-Id header (1-128 of A-Z a-z 0-9 . _ : ; = + / @ -)
is the correlation id of the request's executions, and metrics.enabled serves Prometheus
metrics at GET /metrics (same API key).

Stops on SIGINT or SIGTERM, or when the stdio client closes stdin.
Exit code: 0 stopped, 2 usage or config error.`;

/** Options of {@linkcode mcpCommand} for embedding and tests. */
export interface McpCommandOptions {
  /** Aborting stops the server, as SIGINT does. */
  signal?: AbortSignal;
}

/**
 * Runs `codemode mcp` with its arguments, until the client goes away (stdio)
 * or a signal stops it.
 *
 * @param args the arguments after `mcp`.
 * @param io where logs go (`err`) and the working directory; `out` is used only for `--help`.
 * @param options a signal that stops the server.
 * @returns the exit code.
 * @throws {UsageError} on bad flags or a bad config or tool module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mcpCommand } from "./mcp.ts";
 * let out = "";
 * const io = { out: (t: string) => void (out += t), err: () => {}, readStdin: async () => "", cwd: "." };
 * assert.equal(await mcpCommand(["--help"], io), 0);
 * assert.match(out, /--http/);
 * await assert.rejects(mcpCommand(["--port", "80"], io), /--port needs --http/);
 * ```
 */
export async function mcpCommand(args: string[], io: CliIo, options: McpCommandOptions = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...CODEMODE_FLAGS,
      http: { type: "boolean" },
      port: { type: "string" },
      host: { type: "string" },
      "api-key": { type: "string" },
      "allowed-origin": { type: "string", multiple: true },
      "max-sessions": { type: "string" },
      "approval-timeout": { type: "string" },
      "max-waiting": { type: "string" },
      "no-pause": { type: "boolean" },
      pool: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return io.out(MCP_HELP + "\n"), 0;
  if (positionals.length > 0) throw new UsageError(`mcp takes no positional arguments, got "${positionals[0]}"`);
  if (!values.http) {
    for (const flag of ["port", "host", "api-key", "allowed-origin", "max-sessions"] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --http`);
    }
  }
  const limits = limitsFromFlags(values);
  const pool = values.pool !== undefined ? integerFlag("--pool", values.pool, 0, MAX_POOL_SIZE) : undefined;
  const port = values.port !== undefined ? integerFlag("--port", values.port, 0, 65_535) : DEFAULT_MCP_PORT;
  const maxSessions = values["max-sessions"] !== undefined
    ? integerFlag("--max-sessions", values["max-sessions"], 1)
    : undefined;
  const approvals = {
    ...(values["approval-timeout"] !== undefined
      ? { approvalTimeoutMs: integerFlag("--approval-timeout", values["approval-timeout"], 1) }
      : {}),
    ...(values["max-waiting"] !== undefined
      ? { maxWaitingExecutions: integerFlag("--max-waiting", values["max-waiting"], 1) }
      : {}),
    ...(values["no-pause"] ? { pause: false } : {}),
  };
  const host = values.host ?? "127.0.0.1";
  const apiKey = values["api-key"] ?? envApiKey();
  if (values.http && !isLoopbackHost(host) && !apiKey) {
    throw new UsageError(`--host ${host} is not loopback: set --api-key or CODEMODE_API_KEY`);
  }
  // In stdio mode stdout is the protocol's: tool modules that print while loading or running go to stderr.
  const restoreConsole = values.http ? () => {} : redirectConsoleToStderr();
  let observability!: Observability;
  const observe = (config: ObservabilityConfig) =>
    observability = observabilityFromConfig(config, { logWrite: io.err, defaultLevel: "info" });
  const flags = {
    config: values.config,
    tools: values.tools,
    limits,
    pool,
    defaultPool: DEFAULT_MCP_POOL_SIZE,
    typecheck: values.typecheck,
    osSandbox: osSandboxFlag(values["os-sandbox"]),
  };
  const { cm, walls } = await buildWithWalls(flags, io.cwd, io.err, observe)
    .catch((e) => {
      restoreConsole();
      throw e;
    });
  if (walls) observability.logger.info("sandbox_walls", { ...walls, summary: describeWalls(walls) });
  const log = serverLog(observability);
  if (observability.metricsEnabled && !values.http) {
    observability.logger.warn("metrics_not_served", { reason: "metrics are served at /metrics with --http only" });
  }
  const stop = stopSignal(options.signal);
  try {
    if (values.http) {
      const http = await serveHttp(cm, {
        port,
        host,
        apiKey,
        allowedOrigins: values["allowed-origin"],
        maxSessions,
        log,
        ...approvals,
        ...(observability.metricsEnabled ? { metrics: observability } : {}),
      }).catch((e: Error) => {
        throw new UsageError(`Cannot serve on ${host}:${port}: ${e.message}`);
      });
      await Promise.race([stop.stopped, http.finished]);
      await http.close();
    } else {
      const served = await serveStdio(cm, { log, ...approvals });
      await Promise.race([stop.stopped, served.finished]);
      await served.close();
    }
    return 0;
  } finally {
    stop.dispose();
    await cm.close();
    restoreConsole();
  }
}

/**
 * The server's events as lines of the observability's log (`msg` is the event). Its `execute`
 * event is left out: the observer's `execution` line says the same, with the correlation id.
 */
function serverLog(observability: Observability): McpLogger {
  return ({ level, event, ...fields }) => {
    if (event !== "execute") observability.logger.log(level, event, fields);
  };
}

function envApiKey(): string | undefined {
  try {
    return Deno.env.get("CODEMODE_API_KEY") || undefined;
  } catch {
    return undefined; // no --allow-env: the key must come from --api-key
  }
}

/** Resolves on SIGINT, SIGTERM or the caller's signal. */
function stopSignal(signal?: AbortSignal): { stopped: Promise<void>; dispose(): void } {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => stop = resolve);
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  return {
    stopped,
    dispose: () => {
      for (const s of signals) Deno.removeSignalListener(s, stop);
      signal?.removeEventListener("abort", stop);
    },
  };
}
