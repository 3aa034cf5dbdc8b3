/**
 * The 2025-era side of the HTTP endpoint: sessions. A client of a 2025
 * revision (`initialize`, `Mcp-Session-Id`) keeps one SDK server and
 * transport per session, so that its `notifications/cancelled` reach the
 * request they name and its GET stream hears `list_changed`. The SDK serves
 * 2025 clients only statelessly (a fresh server per request, where a
 * cancellation finds nothing to cancel), so the session table, its cap and
 * its idle sweep are kept here.
 *
 * @module
 */
import {
  isInitializeRequest,
  isJSONRPCRequest,
  type McpServer,
  type RequestId,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { ExecutionResult } from "../../rpc/result.ts";
import { onClientGone } from "../../http/disconnect.ts";
import { buildServer, type CodemodeServerLike, type McpServerOptions } from "./server.ts";
import type { McpLogger } from "./log.ts";

/** What the sessions need from the endpoint. */
export interface SessionsContext {
  codemode: CodemodeServerLike;
  options: McpServerOptions;
  log: McpLogger;
  maxSessions: number;
  maxBodyBytes: number;
  idleMs: number;
  /** Aborted when the endpoint closes. */
  closing: AbortSignal;
  /** Resolves once the tool sources were loaded the first time. */
  ready: Promise<void>;
  /** The refusal of a request, logged. */
  reject(status: number, reason: string, message: string, headers?: HeadersInit): Response;
}

interface Session {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  running: Set<Promise<ExecutionResult>>;
  lastActive: number;
}

/** The open 2025-era sessions of one endpoint. */
export class LegacySessions {
  readonly #ctx: SessionsContext;
  readonly #sessions = new Map<string, Session>();
  /** Sessions being opened (their `initialize` is in flight), and how many. */
  readonly #pending = new Set<Session>();
  #opening = 0;
  readonly #sweeper: ReturnType<typeof setInterval>;

  /** @param ctx the endpoint's settings and helpers. */
  constructor(ctx: SessionsContext) {
    this.#ctx = ctx;
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(ctx.idleMs, 60_000));
  }

  /** How many sessions are open. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The session of an `Mcp-Session-Id`, if open. */
  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** Whether no new session fits now. */
  get full(): boolean {
    return this.#sessions.size + this.#opening >= this.#ctx.maxSessions;
  }

  /** The 503 of a full endpoint. */
  tooMany(): Response {
    return this.#ctx.reject(503, "sessions", "Too many open sessions", { "Retry-After": "5" });
  }

  /**
   * A POST without a session id whose body is in hand: only a valid
   * `initialize` takes a session slot.
   */
  async initialize(req: Request, json: unknown): Promise<Response> {
    const { reject, closing } = this.#ctx;
    if (!isInitializeRequest(json)) {
      return reject(400, "session", "Bad Request: without an Mcp-Session-Id header, send one initialize request");
    }
    if (closing.aborted) return reject(503, "closing", "Server is shutting down");
    if (this.full) return this.tooMany();
    // The slot is taken before the first await, so a burst cannot overshoot the cap.
    this.#opening++;
    let session: Session | undefined;
    try {
      session = await this.#open();
      this.#pending.add(session);
      return await session.transport.handleRequest(req, { parsedBody: json });
    } finally {
      this.#opening--;
      if (session) {
        this.#pending.delete(session);
        if (session.transport.sessionId === undefined || closing.aborted) void this.#close(session);
      }
    }
  }

  /**
   * A request in an open session (`json` is the body of a POST); a dropped
   * client cancels its JSON-RPC requests, which kills their executions.
   */
  async handle(req: Request, session: Session, json?: unknown): Promise<Response> {
    session.lastActive = Date.now();
    if (req.method !== "POST") return await session.transport.handleRequest(req);
    const res = await session.transport.handleRequest(req, { parsedBody: json });
    const ids = requestIds(json);
    if (ids.length === 0) return res;
    return onClientGone(res, () => {
      this.#ctx.log({
        level: "info",
        event: "client_gone",
        session: session.transport.sessionId,
        requests: ids.length,
      });
      for (const requestId of ids) {
        session.transport.onmessage?.({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId, reason: "The client closed the connection" },
        });
      }
    });
  }

  /** Ends every session (killing its executions) and waits for them. */
  async closeAll(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.allSettled([...this.#sessions.values(), ...this.#pending].map((s) => this.#close(s)));
  }

  async #open(): Promise<Session> {
    const { codemode, options, log, maxBodyBytes } = this.#ctx;
    await this.#ctx.ready;
    const session = { running: new Set<Promise<ExecutionResult>>(), lastActive: Date.now() } as Session;
    session.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      maxRequestBodySize: maxBodyBytes,
      onsessioninitialized: (id) => {
        this.#sessions.set(id, session);
        log({ level: "info", event: "session_open", session: id, sessions: this.#sessions.size });
      },
    });
    session.transport.onclose = () => {
      const id = session.transport.sessionId;
      if (id && this.#sessions.delete(id)) log({ level: "info", event: "session_close", session: id });
    };
    session.server = buildServer(codemode, {
      ...options,
      onExecution: (p) => {
        session.running.add(p);
        p.finally(() => session.running.delete(p));
        options.onExecution?.(p);
      },
    }, { live: true });
    await session.server.connect(session.transport);
    return session;
  }

  /** Closes the transport (aborting every request's signal, which kills its sandbox) and waits for the executions. */
  async #close(session: Session): Promise<void> {
    await session.server.close().catch(() => {});
    await Promise.allSettled([...session.running]);
  }

  #sweep(): void {
    const now = Date.now();
    for (const session of this.#sessions.values()) {
      if (session.running.size === 0 && now - session.lastActive > this.#ctx.idleMs) {
        this.#ctx.log({ level: "info", event: "session_idle", session: session.transport.sessionId });
        void this.#close(session);
      }
    }
  }
}

/**
 * The ids of the JSON-RPC requests (not notifications or responses) in a message or batch.
 *
 * @param body a parsed JSON-RPC body.
 * @returns the request ids.
 */
export function requestIds(body: unknown): RequestId[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter((m) => isJSONRPCRequest(m)).map((m) => m.id);
}
