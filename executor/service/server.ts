/**
 * The executor service (`codemode serve`): runs hosts' scripts in local
 * sandboxes, one WebSocket connection per execution, with hono routing on
 * `Deno.serve`. It holds no tools: every tool call goes back to the host over
 * the execution's connection.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { LocalExecutor, type OsSandboxMode, type PoolOptions, type PoolStats, type SandboxWalls } from "../local.ts";
import { Semaphore } from "../_semaphore.ts";
import type { DeniedPattern } from "../validator.ts";
import { DEFAULT_LIMITS, type Limits, resolveLimits } from "../../src/limits.ts";
import { REMOTE_EXECUTE_PATH } from "../../src/rpc/remote.ts";
import { hostError } from "../../src/rpc/result.ts";
import { hostAllowed, isLoopbackHost } from "../../src/http/origin.ts";
import { type ApiKey, ApiKeys } from "./keys.ts";
import { notify, type ServiceObserver } from "./observer.ts";
import { observeService, type ServiceObservability, watchService } from "./_observability.ts";
import { ExecutionSession, type SessionContext, type SessionSettings } from "./_session.ts";

/** Options of {@linkcode serveExecutor}. */
export interface ExecutorServiceOptions {
  /** The TCP port; `0` picks a free one (see {@linkcode ExecutorService.port}). @default {8788} */
  port?: number;
  /** The address to bind. A non-loopback one requires `apiKeys`. @default {"127.0.0.1"} */
  hostname?: string;
  /**
   * Keys a host must send as `Authorization: Bearer <key>`; several at once
   * for rotation. A bare key is reported by a digest id (`key-1a2b3c4d`);
   * `{ id, key }` names it. None: no authentication (loopback only).
   */
  apiKeys?: readonly (string | ApiKey)[];
  /** Sandboxes running at once. @default {16} */
  maxConcurrent?: number;
  /** Executions waiting for a sandbox; past it a start gets a `busy` result. @default {64} */
  maxQueued?: number;
  /**
   * The highest limits a host may ask for (unset ones: the defaults); a host
   * asking for more gets the ceiling, listed in the `accepted` message.
   * @default {DEFAULT_LIMITS}
   */
  limits?: Partial<Limits>;
  /** On shutdown, running executions get this long to finish before they are killed, in ms. @default {25000} */
  shutdownTimeoutMs?: number;
  /** How often a running or queued execution's host hears from the service, in ms. @default {5000} */
  heartbeatMs?: number;
  /** A connection must send its start within this long, in ms. @default {10000} */
  startTimeoutMs?: number;
  /** Longest tool result a host may send, in characters. @default {16777216} */
  maxToolResultChars?: number;
  /** Patterns the service's own static validator refuses. @default {DEFAULT_DENIED_PATTERNS} */
  deniedPatterns?: DeniedPattern[];
  /**
   * Sandbox children started ahead for the ceilings' limits (what a host gets
   * for the limits it does not set), each used by one execution only. An
   * execution with other limits starts a fresh child. @default {no pool}
   */
  pool?: PoolOptions;
  /** The Deno binary that runs sandboxes. @default {Deno.execPath()} */
  denoPath?: string;
  /** Where the sandboxes' private dirs are made. @default {the system temp dir} */
  tempDir?: string;
  /**
   * The OS wall around each sandbox (`LocalExecutorOptions.osSandbox`):
   * `required` makes the service refuse to start without it, naming what is
   * missing. `GET /ready` says which walls stand. @default {"auto"}
   */
  osSandbox?: OsSandboxMode;
  /** Hears of executions, refusals, protocol errors and load: where metrics and logs attach. */
  observer?: ServiceObserver;
  /**
   * Logs, metrics and traces of the service (e.g. `new Observability()` from
   * `./observability`): an execution line and a `codemode.execute` span per
   * execution (continuing the host's trace), refusals and protocol errors
   * counted, the running and queued gauges, and `GET /metrics` when its
   * metrics are on (behind the API keys, when the service has any).
   */
  observability?: ServiceObservability;
  /**
   * More `GET` routes, by path, served without authentication beside
   * `/health` and `/ready` (e.g. `{ "/metrics": () => new Response(text) }`).
   */
  routes?: Record<string, (request: Request) => Response | Promise<Response>>;
}

/** A running executor service. */
export interface ExecutorService {
  /** Where it listens, e.g. `http://127.0.0.1:8788/`; executions connect to `/execute` there. */
  readonly url: URL;
  /** The bound port. */
  readonly port: number;
  /** Sandboxes running, executions queued, connections open. */
  load(): { running: number; queued: number; connections: number };
  /** The warm pool's counts (children waiting, ready, hits, misses), when the service has a pool. */
  poolStats(): PoolStats | undefined;
  /** The walls around each sandbox (Deno's permissions, the OS wall, cgroup limits), as `GET /ready` reports them. */
  readonly walls: SandboxWalls;
  /** Whether it is shutting down (refusing new executions). */
  readonly draining: boolean;
  /**
   * Stops accepting executions, lets running ones finish for up to
   * `shutdownTimeoutMs` (queued ones get a `busy` result at once), kills the
   * rest, removes every sandbox dir and closes the listener.
   */
  shutdown(): Promise<void>;
  /** Resolves when the service has stopped. */
  readonly finished: Promise<void>;
}

/** The defaults of {@linkcode ExecutorServiceOptions}. */
export const DEFAULT_SERVICE_SETTINGS: Readonly<{
  port: number;
  hostname: string;
  maxConcurrent: number;
  maxQueued: number;
  shutdownTimeoutMs: number;
  heartbeatMs: number;
  startTimeoutMs: number;
  maxToolResultChars: number;
}> = Object.freeze({
  port: 8788,
  hostname: "127.0.0.1",
  maxConcurrent: 16,
  maxQueued: 64,
  shutdownTimeoutMs: 25_000,
  heartbeatMs: 5_000,
  startTimeoutMs: 10_000,
  maxToolResultChars: 16 * 1024 * 1024,
});

/**
 * Starts the executor service. `GET /health` is liveness (no auth); `GET
 * /ready` says whether a new execution would start now (503 while draining or
 * with every sandbox slot taken); `GET /execute` upgrades to the WebSocket
 * that carries one execution (the wire protocol is `src/rpc/remote.ts`).
 * Requests are checked in order: `Host` (loopback names only, when bound to
 * loopback; 403), `Origin` (none accepted: hosts are not browsers; 403), the
 * bearer key (401), then draining or too many connections (503 with
 * `Retry-After`).
 *
 * @param options where to listen, the keys, the slots and the ceilings.
 * @returns the running service.
 * @throws {Error} when `hostname` is not loopback and there are no API keys, an option is invalid, or
 * `osSandbox` is `required` and the OS wall is unavailable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveExecutor } from "./server.ts";
 * const service = await serveExecutor({ port: 0 });
 * const res = await fetch(new URL("/health", service.url));
 * assert.equal(res.status, 200);
 * await res.body?.cancel();
 * await service.shutdown();
 * ```
 */
export async function serveExecutor(options: ExecutorServiceOptions = {}): Promise<ExecutorService> {
  const d = DEFAULT_SERVICE_SETTINGS;
  const hostname = options.hostname ?? d.hostname;
  const keys = await ApiKeys.from(options.apiKeys ?? []);
  const loopback = isLoopbackHost(hostname);
  if (!loopback && keys.size === 0) {
    throw new Error(`Refusing to serve on non-loopback hostname ${hostname} without API keys`);
  }
  const settings: SessionSettings = {
    ceilings: resolveLimits(DEFAULT_LIMITS, options.limits),
    maxConcurrent: whole("maxConcurrent", options.maxConcurrent ?? d.maxConcurrent, 1),
    maxQueued: whole("maxQueued", options.maxQueued ?? d.maxQueued, 0),
    heartbeatMs: whole("heartbeatMs", options.heartbeatMs ?? d.heartbeatMs, 1),
    startTimeoutMs: whole("startTimeoutMs", options.startTimeoutMs ?? d.startTimeoutMs, 1),
    maxToolResultChars: whole("maxToolResultChars", options.maxToolResultChars ?? d.maxToolResultChars, 1),
    ...(options.deniedPatterns ? { deniedPatterns: options.deniedPatterns } : {}),
  };
  const shutdownTimeoutMs = whole("shutdownTimeoutMs", options.shutdownTimeoutMs ?? d.shutdownTimeoutMs, 0);
  // The service's slots decide who runs and who waits; the executor never queues on its own.
  const executor = new LocalExecutor({
    maxConcurrent: settings.maxConcurrent,
    maxQueued: 0,
    ...(options.pool ? { pool: options.pool } : {}),
    ...(options.denoPath ? { denoPath: options.denoPath } : {}),
    ...(options.tempDir ? { tempDir: options.tempDir } : {}),
    ...(options.osSandbox ? { osSandbox: options.osSandbox } : {}),
  });
  // Known before the service listens: a required wall that is missing stops it here.
  const walls = await executor.walls();
  if (walls.osSandbox === "required" && walls.os === "none") {
    await executor.close();
    throw new Error(`osSandbox is "required", but the OS wall is unavailable: ${walls.reason}`);
  }
  executor.warm(settings.ceilings);
  const slots = new Semaphore(settings.maxConcurrent, settings.maxQueued);
  const sessions = new Set<ExecutionSession>();
  // Room for every running and queued execution, and for connections that have not sent their start yet.
  const maxConnections = settings.maxConcurrent + settings.maxQueued + 64;
  const observability = options.observability;
  const observer = observability ? observeService(observability, options.observer) : options.observer;
  let draining = false;
  const load = () => ({ running: slots.running, queued: slots.queued, connections: sessions.size });
  const unwatch = observability ? watchService(observability, () => load()) : () => {};
  const changed = () => notify(observer, "load", load());

  const app = new Hono();
  app.use("*", async (c, next) => {
    if (loopback && !hostAllowed(c.req.header("host") ?? null, server.addr.port)) {
      return refuse(c, 403, "forbidden", "Forbidden");
    }
    if (c.req.header("origin") !== undefined) return refuse(c, 403, "forbidden", "Forbidden");
    await next();
  });
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", (c) => {
    const now = load();
    const ready = !draining && now.running < settings.maxConcurrent;
    const status = draining ? "draining" : ready ? "ready" : "saturated";
    return c.json({ status, ...now, walls }, ready ? 200 : 503);
  });
  if (observability?.metricsEnabled) {
    app.get("/metrics", async (c) => {
      if (keys.size > 0 && await keys.identify(c.req.header("authorization") ?? null) === undefined) {
        return refuse(c, 401, "unauthorized", "Unauthorized", { "WWW-Authenticate": 'Bearer realm="codemode"' });
      }
      return c.body(await observability.metrics(), 200, { "Content-Type": observability.contentType });
    });
  }
  for (const [path, handler] of Object.entries(options.routes ?? {})) app.get(path, (c) => handler(c.req.raw));
  app.get(REMOTE_EXECUTE_PATH, async (c) => {
    const keyId = keys.size > 0 ? await keys.identify(c.req.header("authorization") ?? null) : undefined;
    if (keys.size > 0 && keyId === undefined) {
      return refuse(c, 401, "unauthorized", "Unauthorized", { "WWW-Authenticate": 'Bearer realm="codemode"' });
    }
    if (draining) return refuse(c, 503, "draining", "The executor service is shutting down", { "Retry-After": "1" });
    if (sessions.size >= maxConnections) {
      return refuse(c, 503, "connections", "Too many connections", { "Retry-After": "1" });
    }
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return c.json({ error: "Expected a WebSocket upgrade" }, 426, { Upgrade: "websocket" });
    }
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 30 });
    } catch {
      return c.json({ error: "Bad WebSocket upgrade request" }, 400);
    }
    const { socket, response } = upgraded;
    const ctx: SessionContext = {
      executor,
      slots,
      settings,
      ...(observer ? { observer } : {}),
      ...(keyId !== undefined ? { keyId } : {}),
      draining: () => draining,
      changed,
    };
    const session = new ExecutionSession(socket, ctx);
    sessions.add(session);
    changed();
    session.ended.then(() => {
      sessions.delete(session);
      changed();
    });
    return response;
  });
  app.notFound((c) => c.json({ error: "Not found" }, 404));

  const refuse = (
    c: Context,
    status: 401 | 403 | 503,
    reason: "unauthorized" | "forbidden" | "draining" | "connections",
    message: string,
    headers: Record<string, string> = {},
  ): Response => {
    notify(observer, "refused", { reason });
    return c.json({ error: message }, status, headers);
  };

  const server = Deno.serve({ port: options.port ?? d.port, hostname, onListen: () => {} }, app.fetch);
  const url = new URL(`http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${server.addr.port}/`);
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      draining = true;
      // Executions that did not start are refused now (safe for their hosts to retry elsewhere).
      const waiting = [...sessions].filter((s) => !s.running);
      for (const s of waiting) s.stop({ stopReason: "busy", error: hostError("BusyError", DRAINING_BUSY) });
      const allEnded = () => Promise.all([...sessions].map((s) => s.ended));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<"deadline">((r) => timer = setTimeout(() => r("deadline"), shutdownTimeoutMs));
      const first = await Promise.race([allEnded(), deadline]);
      clearTimeout(timer);
      if (first === "deadline") {
        const error = hostError("KilledError", killedAtShutdown(shutdownTimeoutMs));
        for (const s of sessions) s.stop({ stopReason: "killed", error });
        await allEnded();
      }
      await executor.close();
      await server.shutdown();
      unwatch();
    })();
  return {
    url,
    port: server.addr.port,
    load,
    poolStats: () => executor.poolStats(),
    walls,
    get draining() {
      return draining;
    },
    shutdown,
    finished: server.finished,
  };
}

const DRAINING_BUSY = "The executor service is shutting down; the execution did not start";

function killedAtShutdown(ms: number): string {
  return `The executor service shut down before the script finished (it waited ${ms} ms: shutdownTimeoutMs)`;
}

function whole(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `Executor service option ${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
