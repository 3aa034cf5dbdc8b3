// One WebSocket connection of the executor service, and the one execution it
// carries: reads the start, clamps its limits, re-validates the code, waits
// for a slot, runs it in a local sandbox, forwards its tool calls to the host,
// and sends the result last. Whatever the host sends, the session ends
// cleanly: a result when an execution was accepted, else an `error` message.
import type { LocalExecutor } from "../local.ts";
import type { Semaphore } from "../_semaphore.ts";
import { type DeniedPattern, validateCode } from "../validator.ts";
import type { Limits } from "../../src/limits.ts";
import {
  HostMessage,
  parseMessage,
  REMOTE_PROTOCOL_VERSION,
  type SERVICE_ERROR_CODES,
  StartMessage,
  startMessageCap,
} from "../../src/rpc/remote.ts";
import { type ExecutionError, type ExecutionResult, hostError, type StopReason } from "../../src/rpc/result.ts";
import { type ExecutionEvent, notify, type ServiceObserver } from "./observer.ts";
import { clampLimits } from "./limits.ts";

/** Settings every session of a service shares. */
export interface SessionSettings {
  /** The highest limits a host may ask for; also what it gets for a limit it does not send. */
  ceilings: Limits;
  /** Sandboxes at once, and executions waiting for one. */
  maxConcurrent: number;
  maxQueued: number;
  heartbeatMs: number;
  startTimeoutMs: number;
  maxToolResultChars: number;
  deniedPatterns?: DeniedPattern[];
}

/** What a session needs from its service. */
export interface SessionContext {
  executor: LocalExecutor;
  slots: Semaphore;
  settings: SessionSettings;
  observer?: ServiceObserver;
  keyId?: string;
  draining(): boolean;
  /** Called whenever the counts of running or queued executions change. */
  changed(): void;
}

type ErrorCode = typeof SERVICE_ERROR_CODES[number];
type State = "waiting" | "queued" | "running" | "done";

interface Ending {
  stopReason: StopReason;
  error: ExecutionError;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** WebSocket close codes the service uses. */
const CLOSE = { normal: 1000, protocol: 1002, binary: 1003, policy: 1008, tooBig: 1009 } as const;

export class ExecutionSession {
  readonly #socket: WebSocket;
  readonly #ctx: SessionContext;
  readonly #kill = new AbortController();
  readonly #pending = new Map<number, Pending>();
  readonly #done = Promise.withResolvers<void>();
  readonly #startTimer: ReturnType<typeof setTimeout>;
  #state: State = "waiting";
  #event: ExecutionEvent | undefined;
  #override: Ending | undefined;
  #closeCode: number = CLOSE.normal;
  #hostGone = false;
  #nextId = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(socket: WebSocket, ctx: SessionContext) {
    this.#socket = socket;
    this.#ctx = ctx;
    socket.onmessage = (e) => this.#onMessage(e.data);
    socket.onclose = () => this.#onClose();
    socket.onerror = () => {}; // a close follows
    const { startTimeoutMs } = ctx.settings;
    this.#startTimer = setTimeout(
      () => this.#refuse("timeout", `no start message within ${startTimeoutMs} ms`, CLOSE.policy),
      startTimeoutMs,
    );
  }

  /** Resolves once the connection is closed and the execution (if any) has ended. */
  get ended(): Promise<void> {
    return this.#done.promise;
  }

  /** Whether a sandbox runs the execution now. */
  get running(): boolean {
    return this.#state === "running";
  }

  /** Ends the execution now (queued or running) with this stop reason and error. */
  stop(ending: Ending): void {
    if (this.#state === "waiting") return this.#refuse("closing", ending.error.message, CLOSE.normal);
    if (this.#state === "done") return;
    this.#override ??= ending;
    this.#kill.abort();
  }

  #onMessage(data: unknown): void {
    if (this.#state === "done") return;
    if (typeof data !== "string") {
      return this.#protocolError("malformed", "a binary frame (the protocol is JSON text frames)", CLOSE.binary);
    }
    if (this.#state === "waiting") {
      const cap = startMessageCap(this.#ctx.settings.ceilings.maxCodeBytes);
      const parsed = parseMessage(data, StartMessage, cap);
      if (!parsed.ok) return this.#protocolError(parsed.code, parsed.reason, closeCodeOf(parsed.code));
      return void this.#start(parsed.message);
    }
    const parsed = parseMessage(data, HostMessage, this.#ctx.settings.maxToolResultChars + 4096);
    if (!parsed.ok) return this.#protocolError(parsed.code, parsed.reason, closeCodeOf(parsed.code));
    const message = parsed.message;
    const own = this.#event!.executionId;
    if (message.type === "start") return this.#protocolError("unexpected", "a second start", CLOSE.policy);
    if (message.executionId !== own) {
      const what = `a ${message.type} for execution ${JSON.stringify(message.executionId)}, not this connection's`;
      return this.#protocolError("unexpected", what, CLOSE.policy);
    }
    if (message.type === "cancel") return void this.#kill.abort();
    const pending = this.#pending.get(message.id);
    if (!pending) {
      const what = message.id > this.#nextId
        ? `a result for tool call ${message.id}, which was never made`
        : `a second result for tool call ${message.id}`;
      return this.#protocolError("unexpected", what, CLOSE.policy);
    }
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new Error(message.message));
  }

  async #start(start: StartMessage): Promise<void> {
    clearTimeout(this.#startTimer);
    const { settings, observer } = this.#ctx;
    this.#event = {
      executionId: start.executionId,
      ...(this.#ctx.keyId !== undefined ? { keyId: this.#ctx.keyId } : {}),
      ...(start.correlationId !== undefined ? { correlationId: start.correlationId } : {}),
      ...(start.traceHeaders !== undefined ? { traceHeaders: start.traceHeaders } : {}),
    };
    if (this.#ctx.draining()) return this.#refuse("closing", "the executor service is shutting down", CLOSE.normal);
    const clamped = clampLimits(start.limits, settings.ceilings);
    if (!clamped.ok) return this.#protocolError("malformed", clamped.reason, CLOSE.protocol);
    const { limits } = clamped;
    const started = performance.now();
    const refused = validateCode(start.code, {
      maxCodeBytes: limits.maxCodeBytes,
      ...(settings.deniedPatterns ? { deniedPatterns: settings.deniedPatterns } : {}),
    });
    if (refused) {
      notify(observer, "refused", { reason: "rejected", ...this.#who() });
      return this.#finish(this.#refusal("rejected", refused, 0), false);
    }
    const { slots } = this.#ctx;
    if (slots.running >= settings.maxConcurrent && slots.queued >= settings.maxQueued) {
      notify(observer, "refused", { reason: "busy", ...this.#who() });
      return this.#finish(this.#refusal("busy", busyError(settings), started), false);
    }
    this.#send({
      type: "accepted",
      protocol: REMOTE_PROTOCOL_VERSION,
      executionId: start.executionId,
      limits: { ...limits },
      clamped: clamped.clamped,
      heartbeatMs: settings.heartbeatMs,
      maxToolResultChars: settings.maxToolResultChars,
    });
    notify(observer, "executionAccepted", { ...this.#event, clamped: clamped.clamped });
    this.#heartbeat = setInterval(() => this.#send({ type: "heartbeat" }), settings.heartbeatMs);
    await this.#run(start, limits, started);
  }

  async #run(start: StartMessage, limits: Limits, started: number): Promise<void> {
    this.#state = "queued";
    const acquiring = this.#ctx.slots.acquire(this.#kill.signal);
    this.#ctx.changed();
    const release = await acquiring;
    if (!release) {
      const ending = this.#override ?? { stopReason: "killed", error: hostError("KilledError", CANCELLED_EARLY) };
      return this.#finish(this.#refusal(ending.stopReason, ending.error, started), true);
    }
    this.#state = "running";
    this.#ctx.changed();
    this.#send({ type: "started", executionId: start.executionId });
    notify(this.#ctx.observer, "executionStarted", this.#event!);
    let result: ExecutionResult;
    try {
      result = await this.#ctx.executor.execute({
        executionId: start.executionId,
        code: start.code,
        limits,
        invoke: (tool, input, signal) => this.#invoke(tool, input, signal),
        signal: this.#kill.signal,
        ...(start.correlationId !== undefined ? { correlationId: start.correlationId } : {}),
        ...(start.traceHeaders !== undefined ? { traceHeaders: start.traceHeaders } : {}),
      });
    } finally {
      release();
    }
    if (this.#override && result.stopReason === "killed") {
      result = { ...result, stopReason: this.#override.stopReason, error: this.#override.error };
    }
    this.#finish(result, true);
  }

  #invoke(tool: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    const id = ++this.#nextId;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    // The entry stays until the host answers (or the session ends), so a late answer is not a "second" one.
    this.#pending.set(id, { resolve, reject });
    signal.addEventListener("abort", () => reject(new Error("The execution ended")), { once: true });
    this.#send({ type: "tool_call", executionId: this.#event!.executionId, id, tool, input });
    return promise;
  }

  #refusal(stopReason: StopReason, error: ExecutionError, started: number): ExecutionResult {
    return {
      executionId: this.#event!.executionId,
      ok: false,
      stopReason,
      error,
      logs: [],
      toolCalls: [],
      durationMs: started === 0 ? 0 : Math.round(performance.now() - started),
    };
  }

  // The last step of an accepted (or refused) start: the result goes out, then the connection closes.
  #finish(result: ExecutionResult, counted: boolean): void {
    const wasCounted = counted && this.#state !== "waiting";
    this.#state = "done";
    clearInterval(this.#heartbeat);
    for (const pending of this.#pending.values()) pending.reject(new Error("The execution ended"));
    this.#pending.clear();
    if (!this.#hostGone) this.#send({ type: "result", result });
    if (wasCounted) {
      const { stopReason, durationMs } = result;
      notify(this.#ctx.observer, "executionEnded", {
        ...this.#event!,
        stopReason,
        durationMs,
        toolCalls: result.toolCalls.length,
        delivered: !this.#hostGone,
        result,
      });
      this.#ctx.changed();
    }
    this.#close(this.#closeCode);
  }

  #protocolError(code: ErrorCode, reason: string, closeCode: number): void {
    const message = `The host sent ${reason}`;
    notify(this.#ctx.observer, "protocolError", { code, message, ...this.#who() });
    if (this.#state === "waiting") return this.#refuse(code, reason, closeCode, false);
    this.#closeCode = closeCode;
    this.stop({ stopReason: "error", error: hostError("ProtocolError", `${message}; the execution was stopped`) });
  }

  /** Refuses a connection that has no execution: an `error` message, then the close. */
  #refuse(code: ErrorCode, reason: string, closeCode: number, observe = true): void {
    if (this.#state !== "waiting") return;
    clearTimeout(this.#startTimer);
    this.#state = "done";
    if (observe && code !== "closing") notify(this.#ctx.observer, "protocolError", { code, message: reason });
    if (code === "closing") notify(this.#ctx.observer, "refused", { reason: "draining", ...this.#who() });
    const message = code === "closing" || code === "timeout" ? reason : `The host sent ${reason}`;
    this.#send({ type: "error", protocol: REMOTE_PROTOCOL_VERSION, code, message: message.slice(0, 4096) });
    this.#close(closeCode);
  }

  #onClose(): void {
    clearTimeout(this.#startTimer);
    if (this.#state === "waiting") this.#state = "done";
    if (this.#state === "done") return this.#done.resolve();
    // The host went away mid-execution: its sandbox is killed now, and there is no one to tell.
    this.#hostGone = true;
    this.#kill.abort();
  }

  #who(): { keyId?: string; executionId?: string } {
    return {
      ...(this.#ctx.keyId !== undefined ? { keyId: this.#ctx.keyId } : {}),
      ...(this.#event ? { executionId: this.#event.executionId } : {}),
    };
  }

  #send(message: Record<string, unknown>): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    try {
      this.#socket.send(JSON.stringify(message));
    } catch {
      // The socket is closing; its close event ends the session.
    }
  }

  #close(code: number): void {
    if (this.#socket.readyState === WebSocket.CLOSED) return this.#done.resolve();
    try {
      this.#socket.close(code);
    } catch {
      // Already closing.
    }
    if (this.#socket.readyState === WebSocket.CLOSED) this.#done.resolve();
  }
}

const CANCELLED_EARLY = "The execution was cancelled before it started";

function closeCodeOf(code: "too_large" | "malformed" | "version"): number {
  return code === "too_large" ? CLOSE.tooBig : CLOSE.protocol;
}

function busyError(settings: SessionSettings): ExecutionError {
  const message = `Too many executions: ${settings.maxConcurrent} running and ${settings.maxQueued} queued` +
    ` (maxConcurrent, maxQueued of the executor service)`;
  return hostError("BusyError", message);
}
