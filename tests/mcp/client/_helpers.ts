// Helpers for the MCP client tests: fixture servers run as real processes.
import type { McpHttpServer, McpStdioServer } from "../../../src/mcp/client/server_config.ts";
import type { McpToolSourceOptions } from "../../../src/mcp/client/mod.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
/** The project's deno.json, so fixtures resolve `zod` and the SDK however they are started. */
export const DENO_CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

/** `deno run` arguments for a fixture script. */
export function denoArgs(script: string, ...args: string[]): string[] {
  return [
    "run",
    "--cached-only",
    "--quiet",
    "-A",
    "--config",
    DENO_CONFIG,
    new URL(script, fixtures).pathname,
    ...args,
  ];
}

/** A stdio server config running a fixture script with Deno. */
export function stdioServer(
  script = "stdio_server.ts",
  env: Record<string, string> = {},
  args: string[] = [],
): McpStdioServer {
  return { command: Deno.execPath(), args: denoArgs(script, ...args), env, startup: "lazy" };
}

/**
 * Options for quiet tests; warnings are collected. The connect timeout only
 * guards against a fixture that never starts, so it is far beyond a busy machine's startup.
 */
export function quiet(warnings: string[] = [], extra: McpToolSourceOptions = {}): McpToolSourceOptions {
  return { stderr: "ignore", onWarning: (m) => void warnings.push(m), connectTimeoutMs: 60_000, ...extra };
}

/** A running HTTP fixture server. */
export interface HttpFixture {
  /** Its MCP endpoint. */
  url: string;
  /** Its port. */
  port: number;
  /** Its pid. */
  pid: number;
  /** Kills it and waits for it to exit. */
  stop(): Promise<void>;
  /** A config for it. */
  config(headers?: Record<string, string>): McpHttpServer;
}

/**
 * Starts an HTTP fixture server (`http_server.ts`, SDK v1, unless another script is given) on
 * 127.0.0.1 (a free port unless one is given) and waits until it listens.
 */
export async function startHttpServer(port = 0, apiKey?: string, script = "http_server.ts"): Promise<HttpFixture> {
  const child = new Deno.Command(Deno.execPath(), {
    args: denoArgs(script, String(port), ...(apiKey === undefined ? [] : [apiKey])),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`http fixture exited before listening: ${text}`);
    text += value;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
  })();
  const listening = JSON.parse(text.split("\n")[0]).port as number;
  const url = `http://127.0.0.1:${listening}/mcp`;
  return {
    url,
    port: listening,
    pid: child.pid,
    stop: async () => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await reader.cancel().catch(() => {});
    },
    config: (headers = {}) => ({ url, headers, startup: "lazy" }),
  };
}

/** Whether a process exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Live processes whose command line contains `marker` (a unique argument given to a fixture). */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).includes(marker)) pids.push(Number(entry.name));
    } catch {
      // It exited while we looked.
    }
  }
  return pids.filter(alive);
}

/**
 * Waits until `check` is true, or fails after `ms`. The deadline only stops a
 * test that would otherwise wait forever: it is far beyond a busy machine's delays.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 30_000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A port on 127.0.0.1 with nothing listening (bound, read, released). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
