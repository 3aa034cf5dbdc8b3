/**
 * What an `execute_code` call tells its client while the script runs: a
 * `notifications/progress` (when the call carries a `progressToken`) whose
 * message is the latest state ("tools.weather.get done (3 calls, 1.2 s)"),
 * and the script's log lines as `notifications/message` (when the client
 * enabled MCP logging, at or above its level). Both are coalesced: at most one
 * of each per interval, the progress always the latest state, the log lines
 * since the last one in one message (within a character budget; what is over
 * it is counted, not sent). The last state is sent before the response, and
 * nothing after it.
 *
 * @module
 */
import { LOG_LEVEL_META_KEY, type McpServer, type ServerContext } from "@modelcontextprotocol/server";
import type { ExecutionEvent } from "../../events.ts";
import type { LogLevel } from "../../rpc/result.ts";

/** The MCP logging levels, least severe first. */
const MCP_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;

/** One MCP logging level. */
export type McpLogLevel = typeof MCP_LEVELS[number];

/** The shortest time between two notifications of one kind for one request, in ms (4 per second). */
export const LIVE_INTERVAL_MS = 250;

/** The most characters of log text one `notifications/message` carries; the rest of a batch is counted. */
export const MAX_LOG_BATCH_CHARS = 8192;

/** A script's log level as an MCP logging level. */
const LEVEL_OF: Record<LogLevel, McpLogLevel> = {
  debug: "debug",
  log: "info",
  info: "info",
  stdout: "info",
  warn: "warning",
  stderr: "warning",
  error: "error",
};

/** Where one request's notifications go. */
export interface LiveTarget {
  /** The request's `_meta.progressToken`, if it sent one. */
  progressToken?: string | number;
  /** The client's logging level now; `undefined` while it has not enabled logging. */
  logLevel(): McpLogLevel | undefined;
  /** Sends a notification related to the request. */
  notify(notification: { method: string; params: Record<string, unknown> }): Promise<void>;
}

/**
 * Whether a value is an MCP logging level.
 *
 * @param value anything a client sent.
 * @returns true for `debug` … `emergency`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMcpLogLevel } from "./_live.ts";
 * assert.ok(isMcpLogLevel("warning"));
 * assert.equal(isMcpLogLevel("warn"), false);
 * ```
 */
export function isMcpLogLevel(value: unknown): value is McpLogLevel {
  return typeof value === "string" && (MCP_LEVELS as readonly string[]).includes(value);
}

function severity(level: McpLogLevel): number {
  return MCP_LEVELS.indexOf(level);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Turns one request's execution events into rate-limited MCP notifications. */
export class LiveReport {
  readonly #target: LiveTarget;
  readonly #intervalMs: number;
  readonly #running = new Set<string>();
  #done = 0;
  #events = 0;
  #message: string | undefined; // the progress not sent yet
  #lines: string[] = [];
  #linesChars = 0;
  #linesLevel = 0;
  #unsentLines = 0;
  #lastSent = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sending: Promise<unknown> = Promise.resolve();
  #closed = false;

  /**
   * @param target the request's progress token, logging level and notifier.
   * @param intervalMs the shortest time between two notifications of one kind.
   */
  constructor(target: LiveTarget, intervalMs: number = LIVE_INTERVAL_MS) {
    this.#target = target;
    this.#intervalMs = intervalMs;
  }

  /** Hears one event of the execution (an `onEvent`). */
  readonly onEvent = (event: ExecutionEvent): void => {
    if (this.#closed) return;
    this.#events++;
    if (event.type === "log") return this.#log(event.level, event.text);
    if (this.#target.progressToken === undefined) return;
    const message = this.#describe(event);
    if (message === undefined) return;
    this.#message = message;
    this.#schedule();
  };

  #describe(event: ExecutionEvent): string | undefined {
    const at = seconds(event.atMs);
    switch (event.type) {
      case "start":
        return "started";
      case "tool_start":
        this.#running.add(event.callId);
        return `tools.${event.tool} started (${this.#running.size} running, ${this.#done} done, ${at})`;
      case "tool_end": {
        this.#running.delete(event.callId);
        this.#done++;
        const how = event.ok ? "done" : event.refused ? "refused" : "failed";
        return `tools.${event.tool} ${how} (${this.#done} calls, ${at})`;
      }
      case "end":
        return `${event.ok ? "completed" : `stopped: ${event.stopReason}`} (${event.toolCalls} calls, ${at})`;
      default:
        return undefined;
    }
  }

  #log(level: LogLevel, text: string): void {
    const threshold = this.#target.logLevel();
    const mcpLevel = LEVEL_OF[level];
    if (threshold === undefined || severity(mcpLevel) < severity(threshold)) return;
    const line = level === "log" ? text : `[${level}] ${text}`;
    if (this.#linesChars + line.length > MAX_LOG_BATCH_CHARS) {
      this.#unsentLines++;
    } else {
      this.#lines.push(line);
      this.#linesChars += line.length + 1;
      this.#linesLevel = Math.max(this.#linesLevel, severity(mcpLevel));
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastSent + this.#intervalMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, wait);
  }

  #flush(): void {
    this.#lastSent = performance.now();
    if (this.#message !== undefined && this.#target.progressToken !== undefined) {
      const params = { progressToken: this.#target.progressToken, progress: this.#events, message: this.#message };
      this.#message = undefined;
      this.#send({ method: "notifications/progress", params });
    }
    if (this.#lines.length > 0 || this.#unsentLines > 0) {
      const more = this.#unsentLines > 0 ? [`[codemode] ${this.#unsentLines} more log lines not sent`] : [];
      const level = MCP_LEVELS[Math.max(this.#linesLevel, this.#unsentLines > 0 ? 1 : 0)];
      const data = [...this.#lines, ...more].join("\n");
      this.#lines = [];
      this.#linesChars = 0;
      this.#linesLevel = 0;
      this.#unsentLines = 0;
      this.#send({ method: "notifications/message", params: { level, logger: "codemode", data } });
    }
  }

  #send(notification: { method: string; params: Record<string, unknown> }): void {
    let sent: Promise<unknown>;
    try {
      sent = this.#target.notify(notification).catch(() => {});
    } catch {
      return; // a closed transport: the notification is lost, the call goes on
    }
    this.#sending = Promise.all([this.#sending, sent]);
  }

  /**
   * Sends nothing more. With `flush` (before a response), first sends what is pending and waits
   * until what was sent has gone out, so that the response follows it; without (the request was
   * cancelled, no one reads its stream), drops what is pending and waits for nothing.
   *
   * @param flush whether to send the last state.
   */
  async close(flush = true): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!flush) return;
    this.#flush();
    await this.#sending;
  }
}

/**
 * Keeps the level a 2025-era client set with `logging/setLevel` on this
 * connection's server (the SDK's own handler would send every level to a
 * client that never asked for logs).
 *
 * @param server a server declaring the `logging` capability, not yet connected.
 * @returns the level the client set, `undefined` until it sets one.
 */
export function trackLogLevel(server: McpServer): () => McpLogLevel | undefined {
  let level: McpLogLevel | undefined;
  server.server.setRequestHandler("logging/setLevel", (request) => {
    if (isMcpLogLevel(request.params.level)) level = request.params.level;
    return {};
  });
  return () => level;
}

/**
 * The live report of one `execute_code` request, when its client asked for
 * one: a `progressToken` in `_meta`, or logging enabled (a 2025-era client's
 * `logging/setLevel`, a 2026-07-28 request's log level in its `_meta`).
 *
 * @param ctx the request's context.
 * @param legacyLevel the connection's level, for a 2025-era client; unset for 2026-07-28.
 * @returns the report, or `undefined` when the client asked for neither.
 */
export function liveReport(ctx: ServerContext, legacyLevel?: () => McpLogLevel | undefined): LiveReport | undefined {
  const token = ctx.mcpReq._meta?.progressToken;
  const progressToken = typeof token === "string" || typeof token === "number" ? token : undefined;
  const envelopeLevel = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[LOG_LEVEL_META_KEY];
  const logLevel = legacyLevel ?? (() => isMcpLogLevel(envelopeLevel) ? envelopeLevel : undefined);
  if (progressToken === undefined && logLevel() === undefined) return undefined;
  return new LiveReport({
    ...(progressToken !== undefined ? { progressToken } : {}),
    logLevel,
    notify: (n) => ctx.mcpReq.notify(n as Parameters<ServerContext["mcpReq"]["notify"]>[0]),
  });
}
