/**
 * Serves Codemode over MCP's Streamable HTTP transport with `Deno.serve`, to
 * clients of both protocol eras on one endpoint: 2025-era clients
 * (`initialize`, `Mcp-Session-Id`) get a session each (`_sessions.ts`), and
 * 2026-07-28 clients are served per request by the SDK v2's
 * `createMcpHandler` (`_modern.ts`). In front of both: bearer-key auth,
 * DNS-rebinding protection, a body cap and deadline, and clean shutdown.
 *
 * @module
 */
import { isLegacyRequest, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import { bearerDigest, bearerMatches } from "../../http/bearer.ts";
import { readBody } from "../../http/body.ts";
import { hostAllowed, isLoopbackHost, originAllowed } from "../../http/origin.ts";
import { type CodemodeServerLike, loadAll, logger, type McpServerOptions } from "./server.ts";
import { LegacySessions } from "./_sessions.ts";
import { ModernEndpoint } from "./_modern.ts";
import { isCorrelationId } from "../../observe.ts";

/**
 * What serves `GET /metrics` and counts refused requests: an `Observability`
 * (from `./observability`) with metrics on is one.
 */
export interface MetricsSource {
  /** The exposition, in Prometheus' text format. */
  metrics(): Promise<string>;
  /** Its content type. */
  readonly contentType: string;
  /** Counts a refused request by its reason (`auth`, `origin`, `sessions`, …). */
  rejected?(reason: string): void;
}

/** Options of {@linkcode serveHttp}. */
export interface HttpServeOptions extends McpServerOptions {
  /** The TCP port; `0` picks a free one (see {@linkcode HttpMcpServer.port}). */
  port: number;
  /** The address to bind. A non-loopback address requires `apiKey`. @default {"127.0.0.1"} */
  host?: string;
  /** The endpoint's path. @default {"/mcp"} */
  path?: string;
  /** When set, every request must carry `Authorization: Bearer <apiKey>` (else 401). */
  apiKey?: string;
  /** Browser origins allowed besides loopback ones (`http://localhost:*` etc.), exactly as sent, e.g. `https://app.example.com`. */
  allowedOrigins?: string[];
  /** Largest request body, in bytes (else 413). @default {1048576} */
  maxBodyBytes?: number;
  /**
   * A POST's whole body must arrive within this many milliseconds (else 408).
   * A new session's slot is taken only once its `initialize` body is in hand,
   * so slow or stalled bodies never count against `maxSessions`.
   * @default {10000}
   */
  bodyTimeoutMs?: number;
  /** Most 2025-era sessions open at once; more `initialize` requests get 503. @default {64} */
  maxSessions?: number;
  /**
   * Most 2026-07-28 `subscriptions/listen` streams open at once; a further
   * one is refused in-band (`-32603`). @default {64}
   */
  maxSubscriptions?: number;
  /** A session with no request for this long (and no execution running) is closed. @default {1800000} */
  sessionIdleMs?: number;
  /**
   * Serves `GET /metrics` from it, behind the same Host/Origin checks and bearer key as the
   * MCP endpoint, and tells it of every refused request. Without it, `/metrics` is 404.
   */
  metrics?: MetricsSource;
}

/** A running HTTP server. */
export interface HttpMcpServer {
  /** The endpoint, e.g. `http://127.0.0.1:8787/mcp`. */
  readonly url: URL;
  /** The bound port. */
  readonly port: number;
  /** How many 2025-era sessions are open. */
  readonly sessionCount: number;
  /** How many 2026-07-28 executions wait for their client to answer an approval question (`input_required`). */
  readonly waitingCount: number;
  /** Ends every session (killing its executions), then the listener; resolves when all of it ended. */
  close(): Promise<void>;
  /** Resolves when the listener stopped. */
  readonly finished: Promise<void>;
}

/** The default of {@linkcode HttpServeOptions.maxBodyBytes}. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The default of {@linkcode HttpServeOptions.bodyTimeoutMs}. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** The default of {@linkcode HttpServeOptions.maxSessions}. */
export const DEFAULT_MAX_SESSIONS = 64;
/** The default of {@linkcode HttpServeOptions.sessionIdleMs}. */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;

// Re-exported: it was first defined here, and `src/cli/mcp.ts` and `./mcp` users import it from here.
export { isLoopbackHost };

/**
 * Serves Codemode over Streamable HTTP until `close()`, to clients of MCP
 * 2026-07-28 and of the 2025 revisions (2025-11-25, 2025-06-18, 2025-03-26)
 * and 2024-11-05 on one endpoint. A 2026-07-28 request (its version in
 * `_meta`) is served on its own, without a session. A 2025-era `initialize`
 * opens a session (its own SDK transport and server, id in the
 * `Mcp-Session-Id` header); `DELETE` ends it, and ending a session (DELETE,
 * idle teardown, `close()`) kills its executions. A client that goes away
 * before its response is complete (a dropped connection, a cancelled
 * response stream) has that request's executions killed. Requests are
 * checked in this order: path (404), `Host` when bound to loopback and
 * `Origin` when present (403, against DNS rebinding), the bearer key (401),
 * the session (404 unknown), then a POST's body, read with a cap (413) and a
 * deadline (408) and parsed (400); a new session's slot (503 when
 * `maxSessions` are open) is taken only once a complete, valid `initialize`
 * request is in hand. Only then is a request handed to the SDK.
 *
 * @param codemode the instance whose tools scripts call.
 * @param options where to listen, the key, the caps and the server's options.
 * @returns the running server.
 * @throws {Error} when `host` is not loopback and there is no `apiKey`, or an option is invalid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../../../mod.ts";
 * import { serveHttp } from "./mod.ts";
 * await using cm = new Codemode();
 * const http = await serveHttp(cm, { port: 0 });
 * const res = await fetch(http.url, { method: "POST", body: "{}", headers: { Origin: "https://evil.example" } });
 * assert.equal(res.status, 403);
 * await res.body?.cancel();
 * await http.close();
 * ```
 */
export async function serveHttp(codemode: CodemodeServerLike, options: HttpServeOptions): Promise<HttpMcpServer> {
  const host = options.host ?? "127.0.0.1";
  const path = options.path ?? "/mcp";
  const maxBodyBytes = positive("maxBodyBytes", options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const bodyTimeoutMs = positive("bodyTimeoutMs", options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS);
  const maxSessions = positive("maxSessions", options.maxSessions ?? DEFAULT_MAX_SESSIONS);
  const maxSubscriptions = positive("maxSubscriptions", options.maxSubscriptions ?? DEFAULT_MAX_SESSIONS);
  const idleMs = positive("sessionIdleMs", options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS);
  if (options.approvalTimeoutMs !== undefined) positive("approvalTimeoutMs", options.approvalTimeoutMs);
  if (options.maxWaitingExecutions !== undefined) positive("maxWaitingExecutions", options.maxWaitingExecutions);
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.apiKey) {
    throw new Error(`Refusing to serve on non-loopback host ${host} without an API key`);
  }
  const log = logger(options);
  const keyDigest = options.apiKey ? await bearerDigest(options.apiKey) : undefined;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  /** Aborted by `close()`: stops the body reads in flight. */
  const closing = new AbortController();
  // Loaded once, in the background: the listener is up at once, and the first server waits for it.
  const ready = loadAll(codemode, log);

  const metrics = options.metrics;
  const reject = (status: number, reason: string, message: string, headers: HeadersInit = {}): Response => {
    log({ level: "warn", event: "http_rejected", status, reason });
    countRejected(metrics, reason);
    return Response.json({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }, { status, headers });
  };
  const sessions = new LegacySessions({
    codemode,
    options,
    log,
    maxSessions,
    maxBodyBytes,
    idleMs,
    closing: closing.signal,
    ready,
    reject,
  });
  const modern = new ModernEndpoint({ codemode, options, log, maxSubscriptions, ready });

  /** The body of a POST, as text and JSON, or the response that refuses it. */
  const readJson = async (
    req: Request,
  ): Promise<{ ok: true; text: string; json: unknown } | { ok: false; res: Response }> => {
    const body = await readBody(req, { maxBytes: maxBodyBytes, timeoutMs: bodyTimeoutMs, signal: closing.signal });
    if (!body.ok) {
      // After a 408 the rest of the body may still come: tell the client not to reuse the connection.
      const headers: HeadersInit = body.status === 408 ? { Connection: "close" } : {};
      return { ok: false, res: reject(body.status, body.reason, body.message, headers) };
    }
    try {
      return { ok: true, text: body.text, json: JSON.parse(body.text) };
    } catch {
      log({ level: "warn", event: "http_rejected", status: 400, reason: "json" });
      const error = { code: -32700, message: "Parse error: Invalid JSON" };
      return { ok: false, res: Response.json({ jsonrpc: "2.0", error, id: null }, { status: 400 }) };
    }
  };

  /** A request without a session id: a 2026-07-28 request, or a 2025-era `initialize`. */
  const handleSessionless = async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return reject(400, "session", "Bad Request: Mcp-Session-Id header is required");
    // An initialize carries no protocol header: when no session fits, it is refused before its body is read.
    const version = req.headers.get("mcp-protocol-version");
    const maybeLegacy = version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version);
    if (maybeLegacy && sessions.full) return sessions.tooMany();
    const body = await readJson(req);
    if (!body.ok) return body.res;
    if (closing.signal.aborted) return reject(503, "closing", "Server is shutting down");
    if (await isLegacyRequest(req, body.json, { maxRequestBodySize: maxBodyBytes })) {
      return await sessions.initialize(req, body.json);
    }
    return await modern.handle(req, body);
  };

  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const isMetrics = metrics !== undefined && url.pathname === METRICS_PATH;
    if (url.pathname !== path && !isMetrics) return reject(404, "path", "Not found");
    const origin = req.headers.get("origin");
    if (loopback && !hostAllowed(req.headers.get("host"), server.addr.port)) {
      return reject(403, "host", "Forbidden: Host header is not a loopback name");
    }
    if (origin !== null && !originAllowed(origin, allowedOrigins)) {
      return reject(403, "origin", "Forbidden: Origin is not allowed");
    }
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: preflightHeaders() });
    if (keyDigest && !await bearerMatches(req.headers.get("authorization"), keyDigest)) {
      return reject(401, "auth", "Unauthorized", { "WWW-Authenticate": 'Bearer realm="codemode"' });
    }
    if (closing.signal.aborted) return reject(503, "closing", "Server is shutting down");
    if (isMetrics) return await serveMetrics(req, metrics);
    const sessionId = req.headers.get("mcp-session-id");
    if (sessionId === null) return await handleSessionless(req);
    const session = sessions.get(sessionId);
    if (!session) return reject(404, "session", "Session not found");
    if (req.method !== "POST") return await sessions.handle(req, session);
    const body = await readJson(req);
    return body.ok ? await sessions.handle(req, session, body.json) : body.res;
  };

  const server = Deno.serve({
    hostname: host,
    port: options.port,
    onListen: () => {},
    onError: (e) => {
      log({ level: "error", event: "http_error", message: (e as Error).message });
      return Response.json({ jsonrpc: "2.0", error: { code: -32603, message: "Internal server error" }, id: null }, {
        status: 500,
      });
    },
  }, async (req) => {
    const res = await handle(req);
    return withCors(withRequestId(res, req.headers.get("x-request-id")), req.headers.get("origin"), allowedOrigins);
  });

  const port = server.addr.port;
  const shownHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const endpoint = new URL(`http://${shownHost}:${port}${path}`);
  let closed: Promise<void> | undefined;
  log({ level: "info", event: "listening", transport: "http", url: endpoint.href });
  return {
    url: endpoint,
    port,
    get sessionCount() {
      return sessions.size;
    },
    get waitingCount() {
      return modern.waiting;
    },
    finished: server.finished,
    close: () =>
      closed ??= (async () => {
        closing.abort();
        await Promise.allSettled([sessions.closeAll(), modern.close()]);
        await server.shutdown();
        log({ level: "info", event: "stopped", transport: "http" });
      })(),
  };
}

/** Where {@linkcode HttpServeOptions.metrics} is served. */
export const METRICS_PATH = "/metrics";

async function serveMetrics(req: Request, metrics: MetricsSource): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    countRejected(metrics, "method");
    return new Response("Method Not Allowed\n", { status: 405, headers: { Allow: "GET, HEAD" } });
  }
  const text = await metrics.metrics();
  return new Response(req.method === "HEAD" ? null : text, {
    headers: { "Content-Type": metrics.contentType, "Cache-Control": "no-store" },
  });
}

function countRejected(metrics: MetricsSource | undefined, reason: string): void {
  try {
    metrics?.rejected?.(reason);
  } catch {
    // Counting never breaks serving.
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function preflightHeaders(): Headers {
  return new Headers({
    "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers":
      "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID, X-Request-Id",
    "Access-Control-Max-Age": "600",
  });
}

/** Lets an allowed browser origin read the response (and the session id). */
function withCors(res: Response, origin: string | null, allowed: Set<string>): Response {
  if (origin === null || !originAllowed(origin, allowed)) return res;
  return withHeaders(res, (headers) => {
    headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Access-Control-Expose-Headers", "Mcp-Session-Id, Mcp-Protocol-Version, X-Request-Id");
    headers.append("Vary", "Origin");
  });
}

/** Echoes a valid `X-Request-Id` (the correlation id of the request's executions); an invalid one never. */
function withRequestId(res: Response, requestId: string | null): Response {
  if (requestId === null || !isCorrelationId(requestId)) return res;
  return withHeaders(res, (headers) => headers.set("X-Request-Id", requestId));
}

function withHeaders(res: Response, change: (headers: Headers) => void): Response {
  try {
    change(res.headers);
    return res;
  } catch {
    // Immutable headers: copy them.
    const headers = new Headers(res.headers);
    change(headers);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}
