/**
 * The remote executor: runs each script on an executor service (`codemode
 * serve`) over one WebSocket per execution. Tool calls come back over it and
 * run here, in the host, with their policies and approvals.
 *
 * @module
 */
import type { ExecuteRequest, Executor } from "../src/executor.ts";
import { type ClampedLimit, REMOTE_EXECUTE_PATH } from "../src/rpc/remote.ts";
import { type ExecutionResult, hostError } from "../src/rpc/result.ts";
import { type Attempt, RemoteRun } from "./_remote_run.ts";

/** Options of {@linkcode RemoteExecutor}. */
export interface RemoteExecutorOptions {
  /**
   * The service: `http(s)://host:port` (its WebSocket endpoint `/execute` is
   * used) or the endpoint itself as `ws(s)://host:port/execute`.
   */
  url: string | URL;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** The connection, and the service's answer to the start, must come within this long, in ms. @default {10000} */
  connectTimeoutMs?: number;
  /**
   * Attempts after the first when trying again is safe: the script did not
   * start (connection refused, a 503, a draining or busy service). @default {2}
   */
  retries?: number;
  /** The wait before the first retry, in ms; it doubles each time (at most 2 s). @default {250} */
  retryDelayMs?: number;
  /** After a cancel, how long the service's result is awaited before giving up, in ms. @default {5000} */
  cancelTimeoutMs?: number;
  /**
   * Once the script started, how long past its `timeoutMs` the result may
   * take before the service is taken for gone, in ms. @default {30000}
   */
  resultGraceMs?: number;
  /** Told when the service lowered limits to its ceilings (the result's errors then name the lower values). */
  onLimitsClamped?: (clamped: ClampedLimit[], executionId: string) => void;
}

/**
 * Runs scripts on an executor service. Results, limits, errors and the
 * tool-call trace are those of a `LocalExecutor`; the service may lower the
 * limits to its ceilings. A service that cannot be reached, is lost or stops
 * answering gives a result with stopReason `unavailable` (`UnavailableError`);
 * nothing waits without a deadline. Only what cannot have started the script
 * is tried again: a refused connection, a 503, a busy or draining service.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../src/limits.ts";
 * import { RemoteExecutor } from "./remote.ts";
 * await using executor = new RemoteExecutor({ url: "http://127.0.0.1:9", retries: 0 });
 * const r = await executor.execute({
 *   executionId: "x", code: "return 1", limits: { ...DEFAULT_LIMITS },
 *   invoke: () => Promise.reject(new Error("no tools")),
 * });
 * assert.equal(r.stopReason, "unavailable");
 * ```
 */
export class RemoteExecutor implements Executor {
  readonly #url: URL;
  readonly #options: RemoteExecutorOptions;
  readonly #inFlight = new Set<AbortController>();
  #closed = false;

  /**
   * Creates an executor; it connects only when it executes.
   * @param options the service's URL and key, deadlines and retries.
   * @throws {TypeError} when the URL is not http(s) or ws(s).
   * @throws {RangeError} when a deadline or the retry count is not a whole number.
   */
  constructor(options: RemoteExecutorOptions) {
    this.#url = endpoint(options.url);
    for (const key of ["connectTimeoutMs", "retries", "retryDelayMs", "cancelTimeoutMs", "resultGraceMs"] as const) {
      const value = options[key];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new RangeError(`RemoteExecutor option ${key} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
      }
    }
    this.#options = options;
  }

  /** The service's WebSocket endpoint. */
  get url(): URL {
    return new URL(this.#url);
  }

  /** Runs one script on the service; see {@linkcode Executor.execute}. */
  async execute(request: ExecuteRequest): Promise<ExecutionResult> {
    const kill = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, kill.signal]) : kill.signal;
    if (this.#closed) kill.abort();
    this.#inFlight.add(kill);
    try {
      const retries = this.#options.retries ?? 2;
      let attempt: Attempt;
      for (let n = 0;; n++) {
        attempt = await this.#attempt({ ...request, signal });
        if (!attempt.retry || n >= retries || signal.aborted) break;
        if (!await pause(Math.min(2000, (this.#options.retryDelayMs ?? 250) * 2 ** n), signal)) break;
      }
      return attempt.result;
    } finally {
      this.#inFlight.delete(kill);
    }
  }

  #attempt(request: ExecuteRequest): Promise<Attempt> {
    const o = this.#options;
    if (request.signal?.aborted) {
      return Promise.resolve({ retry: false, result: cancelledBeforeStart(request.executionId) });
    }
    return new RemoteRun(request, {
      url: this.#url,
      ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
      cancelTimeoutMs: o.cancelTimeoutMs ?? 5_000,
      resultGraceMs: o.resultGraceMs ?? 30_000,
      ...(o.onLimitsClamped ? { onLimitsClamped: o.onLimitsClamped } : {}),
    }).run();
  }

  /** Cancels every execution in flight (each still ends with a result) and refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const kill of this.#inFlight) kill.abort();
    while (this.#inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /** Same as {@linkcode RemoteExecutor.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The WebSocket endpoint of a service URL. */
function endpoint(url: string | URL): URL {
  const u = new URL(url);
  const schemes: Record<string, string> = { "http:": "ws:", "https:": "wss:", "ws:": "ws:", "wss:": "wss:" };
  const scheme = schemes[u.protocol];
  if (!scheme) throw new TypeError(`RemoteExecutor url must be http(s) or ws(s), got ${u.protocol}`);
  const ws = new URL(u.href.replace(/^[a-z]+:/, scheme));
  if (ws.pathname === "/" || ws.pathname === "") ws.pathname = REMOTE_EXECUTE_PATH;
  return ws;
}

function cancelledBeforeStart(executionId: string): ExecutionResult {
  return {
    executionId,
    ok: false,
    stopReason: "killed",
    error: hostError("KilledError", "The execution was cancelled before it started"),
    logs: [],
    toolCalls: [],
    durationMs: 0,
  };
}

/** Waits `ms`; false when the signal aborted first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
