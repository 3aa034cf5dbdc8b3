/**
 * `codemode serve`: runs the executor service, which runs hosts' scripts in
 * local sandboxes and sends their tool calls back to the hosts. It loads no
 * tools: only the `service:`, `logging` and `metrics` sections of the config are read.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import type { CodemodeConfig, ServiceConfig } from "../config/schema.ts";
import { isLoopbackHost } from "../http/origin.ts";
import { type ApiKey, parseApiKeyList } from "../../executor/service/keys.ts";
import { DEFAULT_SERVICE_SETTINGS, serveExecutor } from "../../executor/service/server.ts";
import { REMOTE_EXECUTE_PATH } from "../rpc/remote.ts";
import { integerFlag, osSandboxFlag } from "./build.ts";
import { describeWalls, MAX_POOL_SIZE, type OsSandboxMode } from "../../executor/local.ts";
import { UsageError } from "./load_tools.ts";
import type { CliIo } from "./io.ts";

/**
 * Sandbox children `codemode serve` keeps started ahead unless `--pool` or
 * `service.pool` says otherwise, as `codemode mcp` does: each idle child
 * (~40 MiB resident, no CPU) takes Deno's start-up off an execution.
 */
export const DEFAULT_SERVE_POOL_SIZE = 2;

/** Help text of `codemode serve`. */
export const SERVE_HELP: string = `Usage: codemode serve [options]

Runs the executor service: hosts (RemoteExecutor, or executor.type: remote in their
codemode.yaml) send scripts over a WebSocket (/execute); each runs in a local
zero-permission sandbox, and its tool calls go back to the host. The service loads
no tools and needs no outbound network. GET /health (liveness) and GET /ready
(readiness) need no key; GET /metrics (with metrics.enabled) needs one.
JSON log lines go to stderr (logging.level, default info).

Options:
  -c, --config <file>   A codemode.yaml; only its service: section (port, hostname, apiKeys,
                        maxConcurrent, maxQueued, limits, shutdownTimeoutMs, pool), sandbox,
                        logging and metrics are read (no tools are loaded).
                        Default: ./codemode.yaml when it exists.
  --port <n>            Port (default ${DEFAULT_SERVICE_SETTINGS.port}; 0 picks a free one).
  --hostname <addr>     Address to bind (default 127.0.0.1). A non-loopback address
                        requires API keys.
  --pool <n>            Sandbox children started ahead for the ceilings' limits, each used by
                        one execution only (default ${DEFAULT_SERVE_POOL_SIZE}, or service.pool.size; 0: none).
  --os-sandbox <mode>   The OS wall (Linux, bubblewrap) around each sandbox: auto (use it where
                        the host offers it; the default, or sandbox.os), required (refuse to
                        start without it), off. GET /ready and the startup log say which walls stand.
  -h, --help            Show this help.

API keys: service.apiKeys in the config and $CODEMODE_API_KEYS (comma-separated,
each "id:key" or a bare key); every one of them is accepted (rotation).
Stops on SIGINT or SIGTERM: new executions are refused, running ones get
shutdownTimeoutMs (default ${DEFAULT_SERVICE_SETTINGS.shutdownTimeoutMs}) to finish, then are killed.
Exit code: 0 stopped, 2 usage or config error.`;

/** Options of {@linkcode serveCommand} for embedding and tests. */
export interface ServeCommandOptions {
  /** Aborting stops the service, as SIGTERM does. */
  signal?: AbortSignal;
  /** Where `CODEMODE_API_KEYS` comes from. @default {Deno.env} */
  env?: (name: string) => string | undefined;
}

/**
 * Runs `codemode serve` until SIGINT, SIGTERM or the signal.
 *
 * @param args the arguments after `serve`.
 * @param io where the address is printed (`out`) and the working directory.
 * @param options a signal that stops the service, and where environment variables come from.
 * @returns the exit code.
 * @throws {UsageError} on bad flags or config, or a non-loopback hostname without keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveCommand } from "./serve.ts";
 * let out = "";
 * const io = { out: (t: string) => void (out += t), err: () => {}, readStdin: async () => "", cwd: "." };
 * assert.equal(await serveCommand(["--help"], io), 0);
 * assert.match(out, /--hostname/);
 * ```
 */
export async function serveCommand(args: string[], io: CliIo, options: ServeCommandOptions = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      port: { type: "string" },
      hostname: { type: "string" },
      pool: { type: "string" },
      "os-sandbox": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return io.out(SERVE_HELP + "\n"), 0;
  const osFlag = osSandboxFlag(values["os-sandbox"]);
  if (positionals.length > 0) throw new UsageError(`serve takes no positional arguments, got "${positionals[0]}"`);
  const { service: config, observed, osSandbox } = await serviceConfig(values.config, io.cwd);
  const env = options.env ?? envVar;
  const apiKeys: (string | ApiKey)[] = [...config.apiKeys, ...parseApiKeyList(env("CODEMODE_API_KEYS") ?? "")];
  const port = values.port !== undefined ? integerFlag("--port", values.port, 0, 65_535) : config.port;
  const hostname = values.hostname ?? config.hostname ?? DEFAULT_SERVICE_SETTINGS.hostname;
  const poolSize = values.pool !== undefined
    ? integerFlag("--pool", values.pool, 0, MAX_POOL_SIZE)
    : config.pool?.size ?? DEFAULT_SERVE_POOL_SIZE;
  const pool = poolSize > 0 ? { ...config.pool, size: poolSize } : undefined;
  if (!isLoopbackHost(hostname) && apiKeys.length === 0) {
    throw new UsageError(
      `--hostname ${hostname} is not loopback: set service.apiKeys in the config or CODEMODE_API_KEYS`,
    );
  }
  // Logs on stderr at info unless the config says otherwise; metrics at /metrics with metrics.enabled.
  const { observabilityFromConfig } = await import("../config/observability.ts");
  const observability = observabilityFromConfig(observed, { logWrite: io.err, defaultLevel: "info" });
  const service = await serveExecutor({
    ...(port !== undefined ? { port } : {}),
    hostname,
    apiKeys,
    limits: config.limits,
    observability,
    ...(pool ? { pool } : {}),
    osSandbox: osFlag ?? osSandbox ?? "auto",
    ...pick(config, "maxConcurrent", "maxQueued", "shutdownTimeoutMs"),
  }).catch((e: Error) => {
    throw new UsageError(`Cannot serve on ${hostname}:${port ?? DEFAULT_SERVICE_SETTINGS.port}: ${e.message}`);
  });
  observability.logger.info("sandbox_walls", { ...service.walls, summary: describeWalls(service.walls) });
  const ws = new URL(REMOTE_EXECUTE_PATH, service.url.href.replace(/^http/, "ws"));
  const keys = apiKeys.length === 0 ? "no API key (loopback only)" : `${apiKeys.length} API key(s)`;
  io.out(`codemode serve: listening on ${service.url.href.replace(/\/$/, "")} (executions: ${ws.href}; ${keys})\n`);
  const stop = stopSignal(options.signal);
  try {
    await Promise.race([stop.stopped, service.finished]);
    io.err("codemode serve: shutting down\n");
    await service.shutdown();
    return 0;
  } finally {
    stop.dispose();
  }
}

/** The config's `service` section, its `logging` and `metrics` (which serve the service too), and `sandbox.os`. */
async function serviceConfig(
  path: string | undefined,
  cwd: string,
): Promise<
  { service: ServiceConfig; observed: Pick<CodemodeConfig, "logging" | "metrics">; osSandbox?: OsSandboxMode }
> {
  const file = path !== undefined ? resolve(cwd, path) : await existing(resolve(cwd, "codemode.yaml"));
  if (file === undefined) return { service: { apiKeys: [], limits: {} }, observed: {} };
  try {
    const { service, logging, metrics, sandbox } = (await loadConfig(file)).config;
    return {
      service: service ?? { apiKeys: [], limits: {} },
      observed: { ...(logging ? { logging } : {}), ...(metrics ? { metrics } : {}) },
      ...(sandbox ? { osSandbox: sandbox.os } : {}),
    };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function existing(path: string): Promise<string | undefined> {
  try {
    await Deno.stat(path);
    return path;
  } catch {
    return undefined;
  }
}

function pick<K extends keyof ServiceConfig>(config: ServiceConfig, ...keys: K[]): Partial<Pick<ServiceConfig, K>> {
  return Object.fromEntries(keys.filter((k) => config[k] !== undefined).map((k) => [k, config[k]])) as Partial<
    Pick<ServiceConfig, K>
  >;
}

function envVar(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env: keys come from the config only
  }
}

/** Resolves on SIGINT, SIGTERM or the caller's signal. */
function stopSignal(signal?: AbortSignal): { stopped: Promise<void>; dispose(): void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const stop = () => resolve();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  return {
    stopped: promise,
    dispose: () => {
      for (const s of signals) Deno.removeSignalListener(s, stop);
      signal?.removeEventListener("abort", stop);
    },
  };
}
