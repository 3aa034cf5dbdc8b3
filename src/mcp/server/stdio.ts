/**
 * Serves Codemode over MCP's stdio transport: JSON-RPC lines on stdin and
 * stdout. Nothing else is ever written to stdout. The SDK v2's `serveStdio`
 * picks the protocol era from the client's first message: an `initialize`
 * pins a 2025-era server, a `server/discover` with the 2026-07-28 envelope a
 * modern one.
 *
 * @module
 */
import process from "node:process";
import type { Transport } from "@modelcontextprotocol/server";
import { serveStdio as sdkServeStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import type { ExecutionResult } from "../../rpc/result.ts";
import {
  buildServer,
  type CodemodeServerLike,
  loadAll,
  logger,
  type McpServerOptions,
  waitingExecutions,
} from "./server.ts";

/** Options of {@linkcode serveStdio}. */
export interface StdioServeOptions extends McpServerOptions {
  /** Largest buffered input (one message) on stdin; past it the connection closes. @default {4194304} */
  maxMessageBytes?: number;
  /**
   * Sends `console.log`, `console.info` and `console.debug` of host code (tool
   * modules) to stderr while serving, so that they cannot corrupt the protocol.
   * @default {true}
   */
  redirectConsole?: boolean;
}

/** A running server. */
export interface ServedMcp {
  /** Closes the connection and kills the executions in flight; resolves when they ended. */
  close(): Promise<void>;
  /** Resolves when the server stopped: the client closed stdin, or `close()`. */
  readonly finished: Promise<void>;
}

/** The default of {@linkcode StdioServeOptions.maxMessageBytes}. */
export const DEFAULT_STDIO_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Serves Codemode on this process's stdin and stdout until the client
 * closes stdin or `close()` is called, to clients of either protocol era.
 * Log events go to `options.log`.
 *
 * @param codemode the instance whose tools scripts call.
 * @param options the server's options, the stdin buffer cap and console redirection.
 * @returns the running server.
 */
export async function serveStdio(codemode: CodemodeServerLike, options: StdioServeOptions = {}): Promise<ServedMcp> {
  const log = logger(options);
  const running = new Set<Promise<ExecutionResult>>();
  // One client per connection: its 2026-07-28 executions wait for its answers here.
  const waiting = waitingExecutions(codemode, options);
  await loadAll(codemode, log);
  const serverOptions: McpServerOptions = {
    ...options,
    onExecution: (p) => {
      running.add(p);
      p.finally(() => running.delete(p));
      options.onExecution?.(p);
    },
  };
  const restoreConsole = options.redirectConsole === false ? () => {} : redirectConsoleToStderr();
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => resolveFinished = resolve);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    // Deferred, so that the transport's onclose re-entering close() finds `closing` set.
    closing ??= Promise.resolve().then(async () => {
      process.stdin.off("end", onEnd);
      // Closing the connection closes its server, which aborts every request's signal and so kills its sandbox.
      await served.close().catch(() => {});
      await waiting.close();
      await Promise.allSettled([...running]);
      restoreConsole();
      options.log?.({ level: "info", event: "stopped", transport: "stdio" });
      resolveFinished();
    });
  const onEnd = () => void close();
  const wire = new StdioServerTransport(process.stdin, process.stdout, {
    maxBufferSize: options.maxMessageBytes ?? DEFAULT_STDIO_MAX_MESSAGE_BYTES,
  });
  const served = sdkServeStdio(() => buildServer(codemode, serverOptions, { live: true, waiting }), {
    transport: observed(wire, () => void close()),
    onerror: (e) => log({ level: "warn", event: "transport_error", message: e.message }),
  });
  process.stdin.on("end", onEnd);
  log({ level: "info", event: "listening", transport: "stdio" });
  return { close, finished };
}

/**
 * The transport as the SDK's `serveStdio` sees it, which owns its callbacks:
 * `closed` also hears of the connection's end (stdin closed, a message over
 * the cap).
 */
function observed(inner: Transport, closed: () => void): Transport {
  const outer: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
  };
  inner.onmessage = (message, extra) => outer.onmessage?.(message, extra);
  inner.onerror = (error) => outer.onerror?.(error);
  inner.onclose = () => {
    outer.onclose?.();
    closed();
  };
  return outer;
}

/**
 * Sends `console.log`, `console.info` and `console.debug` to stderr until the
 * returned function is called, so host code cannot write to a protocol stdout.
 *
 * @returns a function that restores the console.
 */
export function redirectConsoleToStderr(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  return () => Object.assign(console, saved);
}
