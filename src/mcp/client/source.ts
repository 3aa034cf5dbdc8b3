/**
 * `McpToolSource`: the tools of one upstream MCP server (stdio or streamable
 * HTTP) as a Codemode {@linkcode ToolSource}, with connect timeouts,
 * reconnection after a crash, `tools/list_changed`, bounded results, OAuth
 * (`oauth_*.ts`) and the server's `$read` (`resources.ts`). Built on the SDK
 * v2 client, which speaks 2026-07-28 to a server that offers it
 * (`server/discover`) and the 2025 revisions (`initialize`) to the others.
 *
 * @module
 */
import type { Client, Tool as McpTool } from "@modelcontextprotocol/client";
import type { McpServerConfig, McpStartup } from "./server_config.ts";
import type { AnyTool, ToolContext } from "../../tools/define.ts";
import { toolPath } from "../../tools/names.ts";
import type { ToolSource } from "../../tools/source.ts";
import { secretsOf } from "./redact.ts";
import { Secrets } from "./secrets.ts";
import { type McpCallResult, resultValue, UpstreamToolError } from "./result.ts";
import { readTool, ResourceReader } from "./resources.ts";
import { type McpListedTool, toCodemodeTools } from "./tools.ts";
import { makeClient, makeTransport } from "./transport.ts";
import { type McpToolSourceOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { abortable, sleep, withTimeout } from "./async.ts";
import { listAll } from "./paging.ts";
import { FailureText, isClosedError } from "./failures.ts";
import { oauthFor, type UpstreamOAuth } from "./oauth_provider.ts";
import { AuthorizationNeeded, authorizationNeeded, authorizeWithUser, oauthFailure } from "./oauth_flow.ts";

const MAX_BACKOFF_MS = 5000;
// A connection that lived this long before it was lost was healthy: backoff starts over.
const HEALTHY_MS = 10_000;
// How long a closing stdio child gets to exit on its own before it is killed.
const KILL_GRACE_MS = 1000;

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
  readonly #secrets: Secrets;
  readonly #text: FailureText;
  readonly #oauth?: UpstreamOAuth;
  readonly #closing = new AbortController();
  readonly #resources: ResourceReader;
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
    this.#secrets = new Secrets(secretsOf(config));
    this.#text = new FailureText(name, this.#secrets, this.#options.callTimeoutMs);
    this.#resources = new ResourceReader({
      server: name,
      options: this.#options,
      request: (what, signal, send) => this.#request(what, signal, send),
      warn: (message) => this.#warn(message),
    });
    this.#oauth = oauthFor(name, config, {
      store: this.#options.oauth.store,
      onSecret: (value) => this.#secrets.learn(value),
      warn: (message) => this.#warn(message),
    });
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
    const listed = this.#secrets.listing(await this.#listTools(conn), (m) => this.#warn(m));
    this.#definitions = new Map(listed.map((entry) => [entry?.name, entry]));
    const tools = toCodemodeTools(listed, {
      namespace: this.namespace,
      call: (mcpName, input, context) => this.#redacting(() => this.#call(mcpName, input, context)),
      warn: (message) => this.#warn(message),
      redact: (text) => this.#secrets.redact(text),
      maxSchemaBytes: this.#options.maxSchemaBytes,
      maxDescriptionChars: this.#options.maxDescriptionChars,
      ...(this.#options.toolTimeoutMs !== undefined ? { timeoutMs: this.#options.toolTimeoutMs } : {}),
    });
    if (conn.client.getServerCapabilities()?.resources) {
      tools.push(readTool(this.namespace, (uri, context) => this.#redacting(() => this.#resources.read(uri, context))));
    }
    return tools;
  }

  /**
   * Every error of a load or a call leaves through here, redacted. Values are
   * redacted where they come in: the raw call result and the raw tool listing.
   */
  async #redacting<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw this.#secrets.error(e);
    }
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
    this.#closing.abort();
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
    this.#assertOpen();
    const current = this.#connection;
    if (current && !current.lost) return current;
    this.#connecting ??= this.#open().finally(() => (this.#connecting = undefined));
    return await abortable(this.#connecting, signal);
  }

  async #open(): Promise<Connection> {
    await sleep(this.#backoffMs());
    this.#assertOpen();
    try {
      return await this.#attempt();
    } catch (e) {
      if (!(e instanceof AuthorizationNeeded)) throw e;
      await authorizeWithUser({
        server: this.serverName,
        oauth: this.#oauth!,
        needed: e,
        options: this.#options.oauth,
        exchangeTimeoutMs: this.#options.connectTimeoutMs,
        closed: this.#closing.signal,
      }).catch((failure) => {
        this.#assertOpen();
        const why = oauthFailure(failure) ?? this.#text.describe(failure);
        throw new Error(this.#secrets.redact(`could not connect to upstream MCP server "${this.serverName}": ${why}`));
      });
      this.#assertOpen();
      return await this.#attempt().catch((again) => {
        if (!(again instanceof AuthorizationNeeded)) throw again;
        throw new Error(
          `could not connect to upstream MCP server "${this.serverName}": it still asks for a user's authorization ` +
            `after the user authorized Codemode`,
        );
      });
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`the MCP client for server "${this.serverName}" is closed`);
  }

  /**
   * One connection attempt.
   * @throws {AuthorizationNeeded} when the server waits for a user to authorize Codemode.
   */
  async #attempt(): Promise<Connection> {
    let built: ReturnType<typeof makeTransport>;
    try {
      built = makeTransport(this.#config, this.#options, this.#oauth);
    } catch (e) {
      // A bad URL's error quotes the URL, query secrets included.
      throw new Error(`could not connect to upstream MCP server "${this.serverName}": ${this.#text.describe(e)}`);
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
      // Not awaited: a child that ignores the close gets a grace period, the caller need not wait for it.
      void this.#dispose(conn);
      const needed = authorizationNeeded(e, this.#oauth, built.finishAuth);
      if (needed) throw needed;
      this.#failures++;
      this.#lastFailureAt = Date.now();
      const why = e instanceof Error && e.message === tooSlow
        ? tooSlow
        : isClosedError(e)
        ? "it closed the connection before answering initialize (did the command exit?)"
        : oauthFailure(e) ?? this.#text.describe(e);
      throw new Error(this.#secrets.redact(`could not connect to upstream MCP server "${this.serverName}": ${why}`));
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

  async #listTools(conn: Connection): Promise<McpListedTool[]> {
    return await listAll(conn.client, {
      method: "tools/list",
      maxItems: this.#options.maxTools,
      timeoutMs: this.#options.listTimeoutMs,
      warn: (message) => this.#warn(message),
      fail: (e) =>
        new Error(this.#secrets.redact(
          `upstream MCP server "${this.serverName}" failed to list its tools: ${this.#text.lost(conn, e)}`,
        )),
    }) as McpListedTool[];
  }

  /** Sends one request; a failure is an error naming the server and the request. The answer is redacted. */
  async #request(what: string, signal: AbortSignal, send: (client: Client) => Promise<unknown>): Promise<unknown> {
    const conn = await this.#connected(signal);
    let answer: unknown;
    try {
      answer = await send(conn.client);
    } catch (e) {
      const failure = this.#text.request(conn, what, e, signal);
      if (failure.broken) void this.#dispose(conn);
      throw new Error(failure.message);
    }
    return this.#secrets.redactValue(answer);
  }

  async #call(mcpName: string, input: Record<string, unknown>, context: ToolContext): Promise<unknown> {
    const { signal } = context;
    // The listing as the server sent it (redacted); the SDK reads its schemas only, and accepts every output.
    const definition = this.#definitions.get(mcpName) as McpTool | undefined;
    const result = await this.#request(
      `the call to "${mcpName}"`,
      signal,
      (client) =>
        client.callTool({ name: mcpName, arguments: input }, {
          signal,
          timeout: this.#options.callTimeoutMs,
          ...(definition ? { toolDefinition: definition } : {}),
        }),
    );
    this.#resources.remember(result);
    try {
      // Redacted before it is shaped: the error text of `isError` is cut to length after this.
      return resultValue(result as McpCallResult, this.#options.maxResultBytes);
    } catch (e) {
      const message = this.#secrets.redact(this.#text.describe(e));
      if (e instanceof UpstreamToolError) throw new UpstreamToolError(message);
      throw new RangeError(`upstream MCP server "${this.serverName}", tool "${mcpName}": ${message}`);
    }
  }

  #warn(message: string): void {
    try {
      this.#options.onWarning(this.#secrets.redact(`[codemode] MCP server "${this.serverName}": ${message}`));
    } catch {
      // A failing warning sink must not break loading.
    }
  }
}
