/**
 * `McpToolSource`: the tools of one upstream MCP server (stdio or streamable
 * HTTP) as a Codemode {@linkcode ToolSource}, with connect timeouts,
 * reconnection after a crash, `tools/list_changed` and bounded results. Built
 * on the SDK v2 client, which speaks 2026-07-28 to a server that offers it
 * (`server/discover`) and the 2025 revisions (`initialize`) to the others.
 *
 * @module
 */
import { type Client, ProtocolError, SdkError, SdkErrorCode, type Tool as McpTool } from "@modelcontextprotocol/client";
import { z } from "zod";
import type { McpServerConfig, McpStartup } from "./server_config.ts";
import type { AnyTool, ToolContext } from "../../tools/define.ts";
import { toolPath } from "../../tools/names.ts";
import type { ToolSource } from "../../tools/source.ts";
import { Redactor, secretsOf } from "./redact.ts";
import { type McpCallResult, resultValue, UpstreamToolError } from "./result.ts";
import { type McpListedTool, toCodemodeTools } from "./tools.ts";
import { makeClient, makeTransport } from "./transport.ts";
import { type McpToolSourceOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { abortable, sleep, withTimeout } from "./async.ts";

const MAX_BACKOFF_MS = 5000;
// A connection that lived this long before it was lost was healthy: backoff starts over.
const HEALTHY_MS = 10_000;
// How long a closing stdio child gets to exit on its own before it is killed.
const KILL_GRACE_MS = 1000;
const MAX_PAGES = 100;
// Permissive on purpose: one malformed tool must not make the whole list fail.
const ToolListPage = z.object({ tools: z.array(z.unknown()), nextCursor: z.string().optional() });

interface Connection {
  client: Client;
  pid: () => number | null;
  openedAt: number;
  lost: boolean;
  /** Why it was lost, when that is known better than "closed". */
  reason?: string;
  disposing?: Promise<void>;
}

/**
 * The tools of one upstream MCP server, as a Codemode tool source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { McpToolSource } from "./source.ts";
 * const source = new McpToolSource("files", { command: "mcp-files", args: [], env: {}, startup: "lazy" });
 * assert.equal(source.namespace, "files");
 * await source.close(); // nothing was started: connecting waits for the first load()
 * ```
 */
export class McpToolSource implements ToolSource {
  /** The namespace of the tools: the server's name as a safe identifier (`my-server` → `my_server`). */
  readonly namespace: string;
  /** The server's name as configured; error messages use it. */
  readonly serverName: string;
  /** When the server is connected: on first use, or when Codemode starts. */
  readonly startup: McpStartup;
  readonly #config: McpServerConfig;
  readonly #options: ResolvedOptions;
  readonly #redactor: Redactor;
  #connection?: Connection;
  #connecting?: Promise<Connection>;
  #failures = 0;
  #lastFailureAt = 0;
  #everConnected = false;
  #closed = false;
  #changed?: () => void;
  /** The last listing by name: a call names its tool's definition, so the SDK need not list the tools again. */
  #definitions = new Map<unknown, McpListedTool>();
  readonly #disposals = new Set<Promise<void>>();

  /**
   * Creates the source; nothing is started until {@linkcode McpToolSource.load} or a call.
   *
   * @param name the server's name in `mcpServers`.
   * @param config how to reach it.
   * @param options timeouts and limits.
   * @throws {TypeError} when the name cannot be a namespace.
   */
  constructor(name: string, config: McpServerConfig, options: McpToolSourceOptions = {}) {
    const path = toolPath(name);
    if (path.length !== 1) throw new TypeError(`MCP server name "${name}" must not contain "."`);
    this.namespace = path[0];
    this.serverName = name;
    this.startup = config.startup;
    this.#config = config;
    this.#options = resolveOptions(options);
    this.#redactor = new Redactor(secretsOf(config));
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.#connection !== undefined && !this.#connection.lost;
  }

  /** The protocol revision agreed with the server while connected (`2026-07-28`, `2025-11-25`, …), else `undefined`. */
  get protocolVersion(): string | undefined {
    return this.connected ? this.#connection!.client.getNegotiatedProtocolVersion() : undefined;
  }

  /** The stdio child's pid while connected, else `null`. */
  get pid(): number | null {
    return this.connected ? this.#connection!.pid() : null;
  }

  /**
   * Connects if needed and lists the server's tools (following pagination),
   * as Codemode tools named `<namespace>.<tool>`.
   *
   * @returns the tools; unusable ones are skipped with a warning.
   * @throws {Error} naming the server when it cannot be reached or listed.
   */
  load(): Promise<AnyTool[]> {
    return this.#redacting(() => this.#load());
  }

  async #load(): Promise<AnyTool[]> {
    const conn = await this.#connected();
    const listed = this.#redactListing(await this.#listAll(conn));
    this.#definitions = new Map(listed.map((entry) => [entry?.name, entry]));
    return toCodemodeTools(listed, {
      namespace: this.namespace,
      call: (mcpName, input, context) => this.#redacting(() => this.#call(mcpName, input, context)),
      warn: (message) => this.#warn(message),
      redact: (text) => this.#redactor.redact(text),
      maxSchemaBytes: this.#options.maxSchemaBytes,
      maxDescriptionChars: this.#options.maxDescriptionChars,
      ...(this.#options.toolTimeoutMs !== undefined ? { timeoutMs: this.#options.toolTimeoutMs } : {}),
    });
  }

  /**
   * Every error of a load or a call leaves through here, redacted. Values are
   * redacted where they come in: the raw call result and the raw tool listing.
   */
  async #redacting<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw this.#redactError(e);
    }
  }

  /** The error with its message redacted, of the same kind where that matters to the caller. */
  #redactError(e: unknown): unknown {
    const message = e instanceof Error ? e.message : String(e);
    const clean = this.#redactor.redact(message);
    if (e instanceof Error && clean === message) return e;
    if (e instanceof UpstreamToolError) return new UpstreamToolError(clean);
    if (e instanceof RangeError) return new RangeError(clean);
    return new Error(clean);
  }

  /**
   * The listed tools with secrets redacted from descriptions and schemas. A
   * tool whose very name holds a secret is left out: renamed, it could not be called.
   */
  #redactListing(listed: McpListedTool[]): McpListedTool[] {
    return listed.flatMap((entry) => {
      if (typeof entry !== "object" || entry === null || typeof entry.name !== "string") return [entry];
      if (this.#redactor.redact(entry.name) !== entry.name) {
        this.#warn("skipped a tool whose name holds one of the server's configured secrets");
        return [];
      }
      return [{ ...(this.#redactor.redactValue(entry) as McpListedTool), name: entry.name }];
    });
  }

  /**
   * Registers the callback run when the server's tool list changed
   * (`notifications/tools/list_changed`, or a reconnection).
   *
   * @param callback Codemode's reload.
   */
  onChange(callback: () => void): void {
    this.#changed = callback;
  }

  /** Closes the connection and ends the stdio child; the source cannot be used again. */
  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#connecting?.catch(() => undefined);
    const conn = this.#connection;
    this.#connection = undefined;
    if (conn) void this.#dispose(conn);
    const late = await pending;
    if (late) void this.#dispose(late);
    // Every connection ever disposed of, including failed connects still ending their child.
    while (this.#disposals.size > 0) await Promise.all([...this.#disposals]);
  }

  /** Same as {@linkcode McpToolSource.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #connected(signal?: AbortSignal): Promise<Connection> {
    if (this.#closed) throw new Error(`the MCP client for server "${this.serverName}" is closed`);
    const current = this.#connection;
    if (current && !current.lost) return current;
    this.#connecting ??= this.#open().finally(() => (this.#connecting = undefined));
    return await abortable(this.#connecting, signal);
  }

  async #open(): Promise<Connection> {
    await sleep(this.#backoffMs());
    if (this.#closed) throw new Error(`the MCP client for server "${this.serverName}" is closed`);
    let built: ReturnType<typeof makeTransport>;
    try {
      built = makeTransport(this.#config, this.#options);
    } catch (e) {
      // A bad URL's error quotes the URL, query secrets included.
      throw new Error(`could not connect to upstream MCP server "${this.serverName}": ${this.#describe(e)}`);
    }
    const ms = this.#options.connectTimeoutMs;
    // Declared before the client: its list-changed handler needs the connection.
    const conn = { pid: built.pid, openedAt: Date.now(), lost: false } as Connection;
    const client = conn.client = makeClient(this.#config, ms, () => void (!conn.lost && this.#changed?.()));
    client.onclose = () => this.#onLost(conn);
    client.onerror = (error) => this.#onError(conn, error);
    const tooSlow =
      `upstream MCP server "${this.serverName}" did not answer server/discover or initialize within ${ms} ms`;
    try {
      await withTimeout(client.connect(built.transport, { timeout: ms + 1000 }), ms, tooSlow);
    } catch (e) {
      this.#failures++;
      this.#lastFailureAt = Date.now();
      // Not awaited: a child that ignores the close gets a grace period, the caller need not wait for it.
      void this.#dispose(conn);
      const why = e instanceof Error && e.message === tooSlow
        ? tooSlow
        : isClosedError(e)
        ? "it closed the connection before answering initialize (did the command exit?)"
        : this.#describe(e);
      throw new Error(this.#redactor.redact(`could not connect to upstream MCP server "${this.serverName}": ${why}`));
    }
    if (this.#closed) {
      await this.#dispose(conn);
      throw new Error(`the MCP client for server "${this.serverName}" is closed`);
    }
    this.#connection = conn;
    // After a reconnection the server may be a new process with other tools: list them again.
    if (this.#everConnected) queueMicrotask(() => this.#changed?.());
    this.#everConnected = true;
    return conn;
  }

  #backoffMs(): number {
    if (this.#failures === 0) return 0;
    const delay = Math.min(this.#options.reconnectDelayMs * 2 ** (this.#failures - 1), MAX_BACKOFF_MS);
    return Math.max(0, delay - (Date.now() - this.#lastFailureAt));
  }

  #onLost(conn: Connection): void {
    conn.lost = true;
    if (this.#connection !== conn) return;
    this.#connection = undefined;
    const now = Date.now();
    this.#failures = now - conn.openedAt >= HEALTHY_MS ? 1 : this.#failures + 1;
    this.#lastFailureAt = now;
  }

  #onError(conn: Connection, error: Error): void {
    const message = String(error?.message ?? error);
    if (message.includes("ReadBuffer exceeded maximum size")) {
      conn.reason = `upstream MCP server "${this.serverName}" sent a message over the limit of ` +
        `${this.#options.maxMessageBytes} bytes and was disconnected`;
    } else if (/^(SSE stream disconnected|Failed to reconnect SSE stream)/.test(message) && !conn.lost) {
      // Over HTTP a dead server only shows as a broken stream; without this, calls would wait for their timeout.
      conn.reason = `upstream MCP server "${this.serverName}" closed the connection`;
      void this.#dispose(conn);
    }
  }

  /** Closes a connection; a stdio child that does not exit in time is killed. */
  #dispose(conn: Connection): Promise<void> {
    conn.lost = true;
    if (this.#connection === conn) this.#onLost(conn);
    if (conn.disposing) return conn.disposing;
    const disposing = (async () => {
      const pid = conn.pid();
      const closing = conn.client.close().catch(() => undefined);
      const exited = await withTimeout(closing.then(() => true), KILL_GRACE_MS, "").catch(() => false);
      if (!exited && pid !== null) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // It exited in the meantime.
        }
        await closing;
      }
    })();
    conn.disposing = disposing;
    this.#disposals.add(disposing);
    void disposing.finally(() => this.#disposals.delete(disposing));
    return disposing;
  }

  async #listAll(conn: Connection): Promise<McpListedTool[]> {
    const tools: unknown[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 1;; page++) {
      let result: z.infer<typeof ToolListPage>;
      try {
        const params = cursor === undefined ? {} : { cursor };
        result = await conn.client.request({ method: "tools/list", params }, ToolListPage, {
          timeout: this.#options.listTimeoutMs,
        });
      } catch (e) {
        throw new Error(this.#redactor.redact(
          `upstream MCP server "${this.serverName}" failed to list its tools: ${this.#lostReason(conn, e)}`,
        ));
      }
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (tools.length > this.#options.maxTools) {
        this.#warn(
          `lists more than ${this.#options.maxTools} tools; only the first ${this.#options.maxTools} are used`,
        );
        return tools.slice(0, this.#options.maxTools) as McpListedTool[];
      }
      if (cursor === undefined) return tools as McpListedTool[];
      if (seen.has(cursor) || page >= MAX_PAGES) {
        this.#warn(`its tools/list pagination does not end; stopped after ${page} pages`);
        return tools as McpListedTool[];
      }
      seen.add(cursor);
    }
  }

  async #call(mcpName: string, input: Record<string, unknown>, context: ToolContext): Promise<unknown> {
    const conn = await this.#connected(context.signal);
    let result: unknown;
    try {
      // The listing as the server sent it (redacted); the SDK reads its schemas only, and accepts every output.
      const definition = this.#definitions.get(mcpName) as McpTool | undefined;
      result = await conn.client.callTool({ name: mcpName, arguments: input }, {
        signal: context.signal,
        timeout: this.#options.callTimeoutMs,
        ...(definition ? { toolDefinition: definition } : {}),
      });
    } catch (e) {
      throw new Error(this.#redactor.redact(this.#callFailure(conn, mcpName, e, context.signal)));
    }
    try {
      // Redacted before it is shaped: the error text of `isError` is cut to length after this.
      return resultValue(this.#redactor.redactValue(result) as McpCallResult, this.#options.maxResultBytes);
    } catch (e) {
      const message = this.#redactor.redact(this.#describe(e));
      if (e instanceof UpstreamToolError) throw new UpstreamToolError(message);
      throw new RangeError(`upstream MCP server "${this.serverName}", tool "${mcpName}": ${message}`);
    }
  }

  #callFailure(conn: Connection, mcpName: string, e: unknown, signal: AbortSignal): string {
    const what = `the call to "${mcpName}"`;
    if (signal.aborted) return `${what} on upstream MCP server "${this.serverName}" was cancelled`;
    if (conn.lost || isClosedError(e)) return `${this.#lostReason(conn, e)} during ${what}`;
    if (e instanceof SdkError && e.code === SdkErrorCode.RequestTimeout) {
      return `upstream MCP server "${this.serverName}" did not answer ${what} within ${this.#options.callTimeoutMs} ms`;
    }
    if (e instanceof ProtocolError) {
      return `upstream MCP server "${this.serverName}" refused ${what}: ${this.#describe(e)}`;
    }
    // A transport failure: the connection cannot be trusted any more; the next call reconnects.
    void this.#dispose(conn);
    // fetch rejects with a TypeError when the server dies before its response starts.
    const closed = e instanceof TypeError ? "closed the connection" : "failed";
    return `upstream MCP server "${this.serverName}" ${closed} during ${what}: ${this.#describe(e)}`;
  }

  #lostReason(conn: Connection, e: unknown): string {
    if (conn.reason) return conn.reason;
    if (conn.lost || isClosedError(e)) return `upstream MCP server "${this.serverName}" closed the connection`;
    return this.#describe(e);
  }

  #describe(e: unknown): string {
    // Redacted before it is cut, so that the cut cannot leave the start of a secret.
    const message = this.#redactor.redact(e instanceof Error ? e.message : String(e));
    return message.length > 2000 ? message.slice(0, 2000) + "…" : message;
  }

  #warn(message: string): void {
    try {
      this.#options.onWarning(this.#redactor.redact(`[codemode] MCP server "${this.serverName}": ${message}`));
    } catch {
      // A failing warning sink must not break loading.
    }
  }
}

function isClosedError(e: unknown): boolean {
  return e instanceof SdkError && e.code === SdkErrorCode.ConnectionClosed;
}
