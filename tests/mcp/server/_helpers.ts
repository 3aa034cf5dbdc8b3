// Shared helpers of the MCP server tests: real processes, real sockets, the official SDK clients: v1
// (`@modelcontextprotocol/sdk` 1.32, 2025-era `initialize`) and v2 (`@modelcontextprotocol/client`,
// which negotiates 2026-07-28 with `server/discover`).
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernHttpTransport,
} from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, ClientCapabilities } from "@modelcontextprotocol/sdk/types";
import { Codemode, type CodemodeOptions } from "../../../mod.ts";
import { fetchKeepingSignals } from "../../../src/mcp/client/_fetch.ts";
import demoTools from "../../../examples/demo/tools.ts";
import { sandboxProcesses } from "../../security/_canaries.ts";

/** The repository root. */
export const ROOT: string = fromFileUrl(new URL("../../../", import.meta.url));
/** The launcher that runs `mcpCommand` like `cli.ts mcp` will. */
export const SERVE: string = fromFileUrl(new URL("./fixtures/serve_stdio.ts", import.meta.url));
/** The demo tools module (weather.get, currency.convert, db.orders.list). */
export const DEMO_TOOLS = "examples/demo/tools.ts";

/** The structured content of `execute_code`. */
export interface ExecuteContent {
  executionId: string;
  ok: boolean;
  stopReason: string;
  result?: unknown;
  error?: { name: string; message: string; line?: number; column?: number };
  logs: Array<{ level: string; text: string }>;
  toolCalls: Array<{ tool: string; ok: boolean; durationMs: number; error?: string }>;
  durationMs: number;
}

/** A connected SDK client over stdio to a server process, with its stderr. */
export interface StdioConnection {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** The server's pid. */
  pid: number;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A new SDK client; `capabilities` are what it declares (e.g. `{ elicitation: {} }`). */
export function newClient(capabilities: ClientCapabilities = {}): Client {
  return new Client({ name: "codemode-test", version: "1.0.0" }, { capabilities });
}

/**
 * Spawns a server process (`deno run -A <launcher> ...args`) and connects the
 * SDK client to it over stdio (a new one without capabilities, unless given).
 */
export async function connectStdio(
  args: string[],
  launcher: string[] = [SERVE],
  client: Client = newClient(),
): Promise<StdioConnection> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", ...launcher, ...args],
    cwd: ROOT,
    stderr: "pipe",
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => void (stderr += new TextDecoder().decode(chunk)));
  await client.connect(transport);
  const pid = transport.pid;
  assert.ok(pid, "the server process has a pid");
  return {
    client,
    transport,
    stderr: () => stderr,
    pid,
    async [Symbol.asyncDispose]() {
      await client.close();
      await waitFor(() => !processAlive(pid), 5000, "the server process exits when the client closes");
    },
  };
}

/** A Codemode over the demo tools whose sandboxes carry a unique heap flag, so /proc can find exactly them. */
export function demoCodemode(memoryMb: number, options: CodemodeOptions = {}): Codemode {
  return new Codemode({ tools: demoTools, ...options, limits: { memoryMb, ...options.limits } });
}

/** Live sandbox processes started with `--memory <memoryMb>` (and, if given, by `ppid`). */
export async function sandboxes(memoryMb: number, ppid?: number): Promise<number[]> {
  return (await sandboxProcesses())
    .filter((p) => p.cmdline.includes(`--max-old-space-size=${memoryMb} `) && (ppid === undefined || p.ppid === ppid))
    .map((p) => p.pid);
}

/** Waits for this process's one sandbox with the marker `memoryMb` and returns its pid. */
export async function theSandbox(memoryMb: number): Promise<number> {
  let pids: number[] = [];
  await waitFor(async () => (pids = await sandboxes(memoryMb, Deno.pid)).length === 1, 10_000, "the sandbox runs");
  return pids[0];
}

/** Connects the SDK client (a new one without capabilities, unless given) over Streamable HTTP. */
export async function connectHttp(
  url: URL,
  headers: Record<string, string> = {},
  client: Client = newClient(),
): Promise<{
  client: Client;
  transport: StreamableHTTPClientTransport;
}> {
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  await client.connect(transport);
  return { client, transport };
}

/** The newest protocol revision, which SDK v2 clients negotiate with `server/discover`. */
export const MODERN = "2026-07-28";

/** An SDK v2 client that negotiates like a real one: 2026-07-28 when the server offers it, else `initialize`. */
export function modernClient(): ModernClient {
  return new ModernClient({ name: "codemode-test-v2", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
}

/**
 * Connects an SDK v2 client over Streamable HTTP. Its fetch keeps each request's signal alive
 * (`src/mcp/client/_fetch.ts`): on Deno a cancelled 2026-07-28 call otherwise may never close its stream.
 */
export async function connectHttpModern(url: URL, headers: Record<string, string> = {}): Promise<ModernClient> {
  const client = modernClient();
  await client.connect(new ModernHttpTransport(url, { requestInit: { headers }, fetch: fetchKeepingSignals() }));
  return client;
}

/** Spawns a server process like {@linkcode connectStdio} and connects an SDK v2 client to it (a new one, unless given). */
export async function connectStdioModern(
  args: string[],
  launcher: string[] = [SERVE],
  client: ModernClient = modernClient(),
): Promise<{ client: ModernClient; pid: number; [Symbol.asyncDispose](): Promise<void> }> {
  const transport = new ModernStdioTransport({
    command: Deno.execPath(),
    args: ["run", "-A", ...launcher, ...args],
    cwd: ROOT,
    stderr: "ignore",
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
  });
  await client.connect(transport);
  const pid = transport.pid;
  assert.ok(pid, "the server process has a pid");
  return {
    client,
    pid,
    async [Symbol.asyncDispose]() {
      await client.close();
      await waitFor(() => !processAlive(pid), 5000, "the server process exits when the client closes");
    },
  };
}

/** Calls a tool and returns the result as a `CallToolResult`. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  options: { signal?: AbortSignal } = {},
): Promise<CallToolResult> {
  return await client.callTool({ name, arguments: args }, undefined, options) as CallToolResult;
}

/** The text of a tool result's single text block. */
export function text(r: CallToolResult): string {
  assert.equal(r.content.length, 1);
  const [block] = r.content;
  assert.equal(block.type, "text");
  return (block as { text: string }).text;
}

/** Polls until `cond` holds. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!await cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting: ${what}`);
    await sleep(20);
  }
}

/** Whether a process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The headers of a valid MCP POST. */
export const MCP_HEADERS = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

/** A valid `initialize` request body. */
export const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

/**
 * A 2026-07-28 request body and its headers, as an SDK v2 client sends them: the version, client info and
 * `capabilities` in the `_meta` envelope, and the `Mcp-Method` (and `Mcp-Name`) headers.
 */
export function modernRequest(
  id: number | string,
  method: string,
  params: Record<string, unknown> = {},
  options: { name?: string; capabilities?: Record<string, unknown> } = {},
): { body: string; headers: Record<string, string> } {
  const _meta = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": options.capabilities ?? {},
  };
  const body = JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta } });
  const headers: Record<string, string> = {
    ...MCP_HEADERS,
    "Mcp-Protocol-Version": MODERN,
    "Mcp-Method": method,
    ...(options.name ? { "Mcp-Name": options.name } : {}),
  };
  return { body, headers };
}

/** A JSON-RPC response as the tests read it. */
export interface RpcMessage {
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/** The JSON-RPC response in a body, whether it came as JSON or as SSE events (the last `data:` that is a response). */
export function rpcMessage(body: string): RpcMessage {
  const events = body.split("\n").filter((line) => line.startsWith("data: ")).map((line) => JSON.parse(line.slice(6)));
  const response = events.findLast((m) => "result" in m || "error" in m);
  return response ?? JSON.parse(body);
}

/** POSTs with fetch and returns the status and body text. */
export async function post(
  url: URL,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, { method: "POST", body, headers: { ...MCP_HEADERS, ...headers } });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/**
 * Sends one raw HTTP/1.1 request over TCP, so that headers fetch will not
 * let a caller forge (`Host`) can be set; returns the status code.
 */
export async function rawRequest(port: number, head: string[], body = ""): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const bytes = new TextEncoder().encode(body);
    const request = [...head, `Content-Length: ${bytes.length}`, "Connection: close", "", ""].join("\r\n");
    await conn.write(new TextEncoder().encode(request));
    await conn.write(bytes);
    const response = await new Response(conn.readable).text();
    const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
    assert.ok(status, `no status line in ${JSON.stringify(response.slice(0, 200))}`);
    return Number(status);
  } finally {
    try {
      conn.close();
    } catch { /* already closed by reading to the end */ }
  }
}

/**
 * Opens a raw TCP connection and sends a POST's headers with `Content-Length:
 * declared` but only `sent` of the body, then stalls: a slow or stalled client.
 */
export async function stalledPost(port: number, body: string, declared: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = [
    "POST /mcp HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    ...Object.entries(MCP_HEADERS).map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${declared}`,
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(head + body));
  return conn;
}

/**
 * Reads from a raw connection until one whole HTTP response (headers and a
 * `Content-Length` body) has arrived or the server closed it; fails after
 * `ms`. Returns what was read ("" for a bare close).
 */
export async function readResponse(conn: Deno.Conn, ms: number, what: string): Promise<string> {
  const end = Date.now() + ms;
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  while (!wholeResponse(text)) {
    const left = end - Date.now();
    if (left <= 0) assert.fail(`timed out after ${ms} ms waiting: ${what}; read ${JSON.stringify(text)}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      conn.read(buf).catch(() => null), // a reset is a close
      new Promise<"slow">((resolve) => timer = setTimeout(() => resolve("slow"), left)),
    ]);
    clearTimeout(timer);
    if (n === null) return text;
    if (n !== "slow") text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text;
}

function wholeResponse(text: string): boolean {
  const headEnd = text.indexOf("\r\n\r\n");
  if (headEnd < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, headEnd))?.[1];
  return length !== undefined && new TextEncoder().encode(text.slice(headEnd + 4)).length >= Number(length);
}

/** Whether a process has ended: no `/proc/<pid>` entry, or its state in `/proc/<pid>/stat` is zombie or dead. */
export function processEnded(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The state follows the command name, which is in parentheses and may itself hold ") ".
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "Z" || state === "X" || state === "x";
  } catch {
    return true;
  }
}
