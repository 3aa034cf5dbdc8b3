// One attempt of a remote execution: one WebSocket to the executor service,
// the start, the tool calls served on the host, and the result; or, when the
// service cannot be reached, is lost or stops answering, a clear result with
// stopReason `unavailable`. It never throws and never waits without a deadline.
import type { ExecuteRequest } from "../src/executor.ts";
import {
  type AcceptedMessage,
  type ClampedLimit,
  type ErrorMessage,
  MAX_TOOL_ERROR_CHARS,
  parseMessage,
  parseRemoteResult,
  REMOTE_PROTOCOL_VERSION,
  ServiceMessage,
  serviceMessageCap,
} from "../src/rpc/remote.ts";
import { type ErrorName, type ExecutionResult, hostError, type StopReason } from "../src/rpc/result.ts";

/** How one attempt ended: a result, and whether trying again is safe (the script never started). */
export interface Attempt {
  result: ExecutionResult;
  retry: boolean;
}

/** The deadlines and hooks of one attempt. */
export interface RunSettings {
  url: URL;
  apiKey?: string;
  connectTimeoutMs: number;
  cancelTimeoutMs: number;
  /** Past `timeoutMs` once the script started, how long the result may still take. */
  resultGraceMs: number;
  onLimitsClamped?: (clamped: ClampedLimit[], executionId: string) => void;
}

/** Heartbeats that may be missed before the service is taken for gone. */
const MISSED_HEARTBEATS = 3;

export class RemoteRun {
  readonly #req: ExecuteRequest;
  readonly #settings: RunSettings;
  readonly #started = performance.now();
  readonly #tools = new AbortController();
  readonly #done = Promise.withResolvers<Attempt>();
  readonly #calls = new Set<number>();
  #socket: WebSocket | undefined;
  #accepted: AcceptedMessage | undefined;
  #running = false;
  #cancelled = false;
  #lastError = "";
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(req: ExecuteRequest, settings: RunSettings) {
    this.#req = req;
    this.#settings = settings;
  }

  run(): Promise<Attempt> {
    const { signal } = this.#req;
    const onAbort = () => this.#cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#connect();
    if (signal?.aborted) onAbort();
    return this.#done.promise.finally(() => {
      signal?.removeEventListener("abort", onAbort);
      clearTimeout(this.#timer);
      clearTimeout(this.#deadline);
      this.#tools.abort();
      try {
        this.#socket?.close(1000);
      } catch { /* already closed */ }
    });
  }

  #connect(): void {
    const { url, apiKey, connectTimeoutMs } = this.#settings;
    const headers: Record<string, string> = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
    try {
      this.#socket = new WebSocket(url, { headers });
    } catch (e) {
      return this.#unavailable(`cannot connect to ${url.origin}: ${(e as Error).message}`, false);
    }
    const socket = this.#socket;
    this.#silence(
      connectTimeoutMs,
      `The executor service at ${url.origin} did not answer within ${connectTimeoutMs} ms`,
    );
    socket.onopen = () => this.#sendStart();
    socket.onerror = (e) => this.#lastError = (e as ErrorEvent).message ?? "";
    socket.onmessage = (e) => this.#onMessage(e.data);
    socket.onclose = (e) => this.#onClose(e.code);
  }

  #sendStart(): void {
    const { executionId, code, limits, correlationId, traceHeaders } = this.#req;
    this.#send({
      type: "start",
      protocol: REMOTE_PROTOCOL_VERSION,
      executionId,
      code,
      limits: { ...limits },
      ...(correlationId !== undefined ? { correlationId } : {}),
      ...(traceHeaders !== undefined ? { traceHeaders } : {}),
    });
  }

  #onMessage(data: unknown): void {
    if (typeof data !== "string") return this.#protocolError("a binary frame");
    const parsed = parseMessage(data, ServiceMessage, serviceMessageCap(this.#req.limits));
    if (!parsed.ok) {
      if (parsed.code === "version") return this.#unavailable(`The executor service sent ${parsed.reason}`, false);
      return this.#protocolError(parsed.reason);
    }
    const message = parsed.message;
    if (message.type !== "error" && message.type !== "heartbeat" && message.type !== "result") {
      if (message.executionId !== this.#req.executionId) {
        return this.#protocolError(`a ${message.type} for another execution`);
      }
    }
    if (this.#accepted) this.#resetSilence();
    switch (message.type) {
      case "accepted":
        return this.#onAccepted(message);
      case "started":
        return this.#onStarted();
      case "tool_call":
        return void this.#onToolCall(message.id, message.tool, message.input);
      case "heartbeat":
        return;
      case "result":
        return this.#onResult(message.result);
      case "error":
        return this.#onError(message);
    }
  }

  #onAccepted(message: AcceptedMessage): void {
    if (this.#accepted) return this.#protocolError("a second accepted");
    this.#accepted = message;
    this.#resetSilence();
    if (message.clamped.length > 0) {
      try {
        this.#settings.onLimitsClamped?.(message.clamped, this.#req.executionId);
      } catch { /* the hook's failure is its own */ }
    }
  }

  #onStarted(): void {
    if (!this.#accepted || this.#running) return this.#protocolError("an unexpected started");
    this.#running = true;
    const timeoutMs = this.#accepted.limits.timeoutMs ?? this.#req.limits.timeoutMs;
    const ms = timeoutMs + this.#settings.resultGraceMs;
    this.#deadline = setTimeout(
      () => this.#unavailable(`The executor service sent no result within ${ms} ms of the script's start`, false),
      ms,
    );
  }

  async #onToolCall(id: number, tool: string, input: unknown): Promise<void> {
    if (!this.#running || this.#calls.has(id)) return this.#protocolError(`an unexpected tool call ${id}`);
    this.#calls.add(id);
    const executionId = this.#req.executionId;
    let reply: Record<string, unknown>;
    try {
      const value = await this.#req.invoke(tool, input, this.#tools.signal);
      reply = { type: "tool_result", executionId, id, ok: true, ...(value === undefined ? {} : { value }) };
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)).slice(0, MAX_TOOL_ERROR_CHARS);
      reply = { type: "tool_result", executionId, id, ok: false, message };
    }
    if (this.#tools.signal.aborted) return;
    let text: string;
    try {
      text = JSON.stringify(reply);
    } catch (e) {
      text = JSON.stringify({ type: "tool_result", executionId, id, ok: false, message: (e as Error).message });
    }
    const max = this.#accepted!.maxToolResultChars;
    if (text.length > max) {
      const message = `tools.${tool} returned ${text.length} characters, over the executor service's ` +
        `${max}-character limit (maxToolResultChars)`;
      text = JSON.stringify({ type: "tool_result", executionId, id, ok: false, message });
    }
    this.#sendText(text);
  }

  #onResult(value: unknown): void {
    const result = parseRemoteResult(value);
    if (!result) return this.#protocolError("a result that is not an ExecutionResult");
    if (result.executionId !== this.#req.executionId) return this.#protocolError("the result of another execution");
    // A busy service never started the script: another attempt is safe.
    this.#done.resolve({ result, retry: result.stopReason === "busy" && !this.#running && !this.#cancelled });
  }

  #onError(message: ErrorMessage): void {
    const text = `The executor service refused the execution: ${message.message}`;
    if (message.code === "closing") return this.#unavailable(text, true);
    if (message.code === "version" || message.code === "timeout") return this.#unavailable(text, false);
    if (message.code === "too_large" && !this.#accepted) return this.#end("rejected", "ValidationError", text);
    this.#end("error", "ProtocolError", text);
  }

  #onClose(code: number): void {
    if (this.#accepted) {
      const how = this.#running ? "during the execution" : "before the execution started";
      return this.#unavailable(`The connection to the executor service was lost ${how} (close code ${code})`, false);
    }
    const why = this.#lastError.replace(/^NetworkError: /, "") || `close code ${code}`;
    const status = /status code: (\d{3})/.exec(why)?.[1];
    const origin = this.#settings.url.origin;
    if (status === "401") {
      return this.#unavailable(`The executor service at ${origin} refused the API key (401)`, false);
    }
    if (status === "403") {
      return this.#unavailable(`The executor service at ${origin} refused the request (403)`, false);
    }
    // Refused connections, a 503 (draining, too many connections): the script never started.
    const retry = status === undefined || status === "503";
    this.#unavailable(`Cannot reach the executor service at ${origin}: ${why}`, retry);
  }

  #cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    if (!this.#accepted) {
      return this.#end("killed", "KilledError", "The execution was cancelled before it started");
    }
    this.#send({ type: "cancel", executionId: this.#req.executionId });
    const ms = this.#settings.cancelTimeoutMs;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => this.#end("killed", "KilledError", `The execution was cancelled by the host (no result within ${ms} ms)`),
      ms,
    );
  }

  #resetSilence(): void {
    if (this.#cancelled) return;
    const ms = MISSED_HEARTBEATS * this.#accepted!.heartbeatMs + this.#settings.connectTimeoutMs;
    this.#silence(ms, `The executor service sent nothing for ${ms} ms`);
  }

  #silence(ms: number, message: string): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#unavailable(message, false), ms);
  }

  #protocolError(what: string): void {
    this.#end("error", "ProtocolError", `The executor service sent ${what}; the execution was abandoned`);
  }

  #unavailable(message: string, retry: boolean): void {
    this.#end("unavailable", "UnavailableError", message, retry && !this.#cancelled);
  }

  #end(stopReason: StopReason, name: ErrorName, message: string, retry = false): void {
    this.#done.resolve({
      retry,
      result: {
        executionId: this.#req.executionId,
        ok: false,
        stopReason,
        error: hostError(name, message),
        logs: [],
        toolCalls: [],
        durationMs: Math.round(performance.now() - this.#started),
      },
    });
  }

  #send(message: Record<string, unknown>): void {
    this.#sendText(JSON.stringify(message));
  }

  #sendText(text: string): void {
    if (this.#socket?.readyState !== WebSocket.OPEN) return;
    try {
      this.#socket.send(text);
    } catch { /* closing: the close event ends the run */ }
  }
}
