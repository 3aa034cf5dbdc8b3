// Shared by the remote tests: an executor service on 127.0.0.1 in this
// process, Codemodes that run through it, a raw protocol client, and waiting
// for a process to be gone (by polling its /proc entry, never by sleeping).
import assert from "node:assert/strict";
import { z } from "zod";
import {
  type AnyTool,
  Codemode,
  type CodemodeOptions,
  defineTool,
  RemoteExecutor,
  type RemoteExecutorOptions,
} from "../../mod.ts";
import { newestSandbox } from "../security/_canaries.ts";
import { type ExecutorService, type ExecutorServiceOptions, serveExecutor } from "../../executor/service/mod.ts";
import { REMOTE_PROTOCOL_VERSION } from "../../src/rpc/remote.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** The API key the test services accept. */
export const KEY = "test-key-0123456789abcdef";

/** A service on a free loopback port with {@linkcode KEY}; shut down on dispose. */
export async function startService(
  options: ExecutorServiceOptions = {},
): Promise<ExecutorService & AsyncDisposable> {
  const service = await serveExecutor({ port: 0, apiKeys: [KEY], ...options });
  return Object.assign(service, { [Symbol.asyncDispose]: () => service.shutdown() });
}

/** A Codemode whose scripts run on the service. */
export function remoteCodemode(
  service: { url: URL },
  options: CodemodeOptions = {},
  remote: Partial<RemoteExecutorOptions> = {},
): Codemode {
  return new Codemode({ ...options, executor: new RemoteExecutor({ url: service.url, apiKey: KEY, ...remote }) });
}

/**
 * A tool a script calls (`await tools.probe.pid({ main: Deno.mainModule })`)
 * to report its sandbox's host pid: its main module names its executor's
 * private dir, whose newest child is the caller when one execution runs on
 * it at a time (inside the OS wall a script's own `Deno.pid` is its PID
 * namespace's).
 */
export function pidProbe(): { tool: AnyTool; pids: number[]; reported: Promise<number> } {
  const pids: number[] = [];
  const first = Promise.withResolvers<number>();
  const tool = defineTool({
    name: "probe.pid",
    input: z.object({ main: z.string() }),
    handler: async ({ main }) => {
      const pid = await hostPidOf(main);
      pids.push(pid);
      first.resolve(pid);
      return pid;
    },
  });
  return { tool, pids, reported: first.promise };
}

/** The host pid of the sandbox whose script reported `main` (its `Deno.mainModule`); see {@linkcode pidProbe}. */
export function hostPidOf(main: string): Promise<number> {
  return newestSandbox(new URL(main).pathname);
}

/** Whether a process exists (and is not a zombie). */
export async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Waits until `condition` holds, polling; fails after `giveUpMs` (a guard against hangs, not a timing claim). */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  giveUpMs = 60_000,
): Promise<void> {
  const start = Date.now();
  while (!await condition()) {
    if (Date.now() - start > giveUpMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw protocol client over one WebSocket: the messages received, in order. */
export class RawClient {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number }>;
  readonly #queue: unknown[] = [];
  #waiter: ((m: unknown) => void) | undefined;

  constructor(url: URL, key: string | undefined = KEY) {
    const ws = new URL("/execute", url.href.replace(/^http/, "ws"));
    this.socket = new WebSocket(ws, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    const opened = Promise.withResolvers<void>();
    const closed = Promise.withResolvers<{ code: number }>();
    this.opened = opened.promise;
    this.closed = closed.promise;
    this.socket.onopen = () => opened.resolve();
    this.socket.onerror = (e) => opened.reject(new Error((e as ErrorEvent).message));
    this.socket.onclose = (e) => {
      closed.resolve({ code: e.code });
      this.#push({ type: "<closed>", code: e.code });
    };
    this.socket.onmessage = (e) => this.#push(JSON.parse(e.data));
    this.opened.catch(() => {});
  }

  #push(m: unknown): void {
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w(m);
    } else this.#queue.push(m);
  }

  /** The next message (or `{ type: "<closed>" }`). */
  next(): Promise<Record<string, unknown>> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift() as Record<string, unknown>);
    return new Promise((resolve) => this.#waiter = resolve as (m: unknown) => void);
  }

  /** The next message that is not a heartbeat. */
  async nextOf(...types: string[]): Promise<Record<string, unknown>> {
    for (;;) {
      const m = await this.next();
      if (types.includes(String(m.type)) || m.type === "<closed>") return m;
    }
  }

  /** Sends a value as JSON text, or a string or bytes as they are. */
  send(message: unknown): void {
    this.socket.send(
      typeof message === "string" || message instanceof Uint8Array ? message : JSON.stringify(message),
    );
  }

  /** Sends a start for `code`. */
  start(executionId: string, code: string, extra: Record<string, unknown> = {}): void {
    this.send({ type: "start", protocol: REMOTE_PROTOCOL_VERSION, executionId, code, limits: {}, ...extra });
  }
}

/**
 * Starts `codemode serve --port 0 --config <config> [extraArgs]` as a subprocess with these
 * environment variables added to this process's, and waits for its address.
 */
export async function startServe(
  config: string,
  env: Record<string, string>,
  extraArgs: string[] = [],
): Promise<{ child: Deno.ChildProcess; stderr: Promise<string>; url: URL }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "serve", "--port", "0", "--config", config, ...extraArgs],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    return { child, stderr, url: await listeningUrl(child.stdout) };
  } catch (e) {
    await stopServe(child, stderr);
    throw e;
  }
}

/** Kills the service if it still runs, and waits for it and its stderr. */
export async function stopServe(child: Deno.ChildProcess, stderr: Promise<string>): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* exited */ }
  await child.status;
  await stderr;
}

/** Reads the service's first line, `codemode serve: listening on <url> …`. */
async function listeningUrl(stdout: ReadableStream<Uint8Array>): Promise<URL> {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`codemode serve ended before listening: ${text}`);
    text += value;
  }
  reader.releaseLock();
  const match = /listening on (http:\/\/\S+)/.exec(text);
  assert.ok(match, text);
  return new URL(match[1]);
}
