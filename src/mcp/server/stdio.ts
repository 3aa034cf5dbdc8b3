/**
 * Serves Codemode over MCP's stdio transport: JSON-RPC lines on stdin and
 * stdout. Nothing else is ever written to stdout.
 *
 * @module
 */
import process from "node:process";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { ExecutionResult } from "../../rpc/result.ts";
import { type CodemodeServerLike, createSdkServer, type McpServerOptions } from "./server.ts";

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
 * closes stdin or `close()` is called. Log events go to `options.log`.
 *
 * @param codemode the instance whose tools scripts call.
 * @param options the server's options, the stdin buffer cap and console redirection.
 * @returns the running server.
 */
export async function serveStdio(codemode: CodemodeServerLike, options: StdioServeOptions = {}): Promise<ServedMcp> {
  const running = new Set<Promise<ExecutionResult>>();
  const server = await createSdkServer(codemode, {
    ...options,
    onExecution: (p) => {
      running.add(p);
      p.finally(() => running.delete(p));
      options.onExecution?.(p);
    },
  });
  const transport = new StdioServerTransport(process.stdin, process.stdout, {
    maxBufferSize: options.maxMessageBytes ?? DEFAULT_STDIO_MAX_MESSAGE_BYTES,
  });
  const restoreConsole = options.redirectConsole === false ? () => {} : redirectConsoleToStderr();
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => resolveFinished = resolve);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    // Deferred, so that the transport's onclose re-entering close() finds `closing` set.
    closing ??= Promise.resolve().then(async () => {
      process.stdin.off("end", onEnd);
      // Closing the transport aborts every in-flight request's signal, which kills its sandbox.
      await server.close().catch(() => {});
      await Promise.allSettled([...running]);
      restoreConsole();
      options.log?.({ level: "info", event: "stopped", transport: "stdio" });
      resolveFinished();
    });
  const onEnd = () => void close();
  transport.onerror = (e) => options.log?.({ level: "warn", event: "transport_error", message: e.message });
  await server.connect(transport);
  server.server.onclose = () => void close();
  process.stdin.on("end", onEnd);
  options.log?.({ level: "info", event: "listening", transport: "stdio" });
  return { close, finished };
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
