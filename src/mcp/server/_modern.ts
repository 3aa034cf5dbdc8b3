/**
 * The 2026-07-28 side of the HTTP endpoint: no sessions. Each request
 * carries its protocol version in `_meta` and is served by the SDK v2's
 * `createMcpHandler` with a fresh server; `subscriptions/listen` streams
 * hear of catalogue changes. What is added here: a client that goes away
 * before its answer has its request aborted, which kills its execution; and
 * the table where executions wait, across requests, for the answers to their
 * approval questions (`./_input_required.ts`).
 *
 * @module
 */
import { createMcpHandler, type McpHttpHandler } from "@modelcontextprotocol/server";
import type { ExecutionResult } from "../../rpc/result.ts";
import { onClientGone } from "../../http/disconnect.ts";
import { buildServer, type CodemodeServerLike, type McpServerOptions, waitingExecutions } from "./server.ts";
import type { WaitingExecutions } from "./_input_required.ts";
import { requestIds } from "./_sessions.ts";
import { namespacesSummary } from "./_text.ts";
import type { McpLogger } from "./log.ts";

/** What the modern endpoint needs. */
export interface ModernContext {
  codemode: CodemodeServerLike;
  options: McpServerOptions;
  log: McpLogger;
  /** Most `subscriptions/listen` streams open at once. */
  maxSubscriptions: number;
  /** Resolves once the tool sources were loaded the first time. */
  ready: Promise<void>;
}

/** Serves 2026-07-28 requests whose body has been read and parsed. */
export class ModernEndpoint {
  readonly #ctx: ModernContext;
  readonly #handler: McpHttpHandler;
  readonly #running = new Set<Promise<ExecutionResult>>();
  readonly #waiting: WaitingExecutions;
  readonly #stopWatching: () => void;

  /** @param ctx the endpoint's settings. */
  constructor(ctx: ModernContext) {
    this.#ctx = ctx;
    const options: McpServerOptions = {
      ...ctx.options,
      onExecution: (p) => {
        this.#running.add(p);
        p.finally(() => this.#running.delete(p));
        ctx.options.onExecution?.(p);
      },
    };
    // Each request gets a fresh server: the executions waiting for an answer outlive them, here.
    const waiting = this.#waiting = waitingExecutions(ctx.codemode, options);
    this.#handler = createMcpHandler(async () => {
      await ctx.ready;
      return buildServer(ctx.codemode, options, { live: false, waiting });
    }, {
      legacy: "reject", // 2025-era requests never get here: they have sessions (see _sessions.ts)
      // Always a stream: a client that leaves before the answer then cancels a response we hold, so we see it go.
      responseMode: "sse",
      maxSubscriptions: ctx.maxSubscriptions,
      onerror: (e) => ctx.log({ level: "warn", event: "mcp_error", message: e.message }),
    });
    let shown = namespacesSummary(ctx.codemode.catalog());
    this.#stopWatching = ctx.codemode.onCatalogChange?.(() => {
      const now = namespacesSummary(ctx.codemode.catalog());
      if (now === shown) return;
      shown = now;
      this.#handler.notify.toolsChanged();
      this.#handler.notify.resourcesChanged();
    }) ?? (() => {});
  }

  /**
   * Serves one request. The SDK gets a copy whose signal aborts when the
   * client goes away before the response is complete.
   */
  async handle(req: Request, body?: { text: string; json: unknown }): Promise<Response> {
    const gone = new AbortController();
    const headers = new Headers(req.headers);
    headers.delete("content-length");
    const copy = new Request(req.url, { method: req.method, headers, body: body?.text, signal: gone.signal });
    const res = await this.#handler.fetch(copy, { parsedBody: body?.json });
    const ids = requestIds(body?.json);
    if (ids.length === 0) return res;
    return onClientGone(res, () => {
      this.#ctx.log({ level: "info", event: "client_gone", requests: ids.length });
      gone.abort(new DOMException("The client closed the connection", "AbortError"));
    });
  }

  /** How many executions wait for their client's answer. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Aborts the requests in flight, ends the listen streams and the waiting executions, and waits for them. */
  async close(): Promise<void> {
    this.#stopWatching();
    await this.#handler.close();
    await this.#waiting.close();
    await Promise.allSettled([...this.#running]);
  }
}
