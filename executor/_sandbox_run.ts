// One execution in one sandbox child: feeds it the code, serves its tool
// calls, enforces the limits, and always ends with the child's whole process
// group gone and its temp dir removed.
import { encodeReply, MAX_VALUE_DEPTH, parseChildLine } from "../src/rpc/host_bridge.ts";
import { LineSplitter, LineTooLongError } from "../src/rpc/lines.ts";
import type { ChildFrame, RunParams, WireError } from "../src/rpc/protocol.ts";
import { LogBuffer } from "./_log_buffer.ts";
import type { ExecuteRequest, ExecutionError, ExecutionResult, StopReason, ToolCallRecord } from "./types.ts";

/** Room for the frame around a maximal result, in bytes. */
const FRAME_OVERHEAD = 64 * 1024;
/** How long a child that reported `done` gets to exit on its own. */
const EXIT_GRACE_MS = 200;

/** What V8 prints on a fatal OOM: diagnosed as `memory`, not shown as logs. */
const OOM_START = /^<--- Last few GCs --->|Fatal (JavaScript|process) out of memory/;
/** Signals a V8 fatal error (such as running out of heap) ends the process with. */
const FATAL_SIGNALS = new Set(["SIGTRAP", "SIGABRT", "SIGILL", "SIGSEGV"]);
/** How often the child's resident memory is checked, in ms. */
const RSS_POLL_MS = 25;

interface Ending {
  stopReason: StopReason;
  result?: unknown;
  error?: ExecutionError;
}

/** A started child: the process and the temp dir it runs in. */
export interface SandboxProcess {
  child: Deno.ChildProcess;
  cwd: string;
}

export class SandboxRun {
  readonly #req: ExecuteRequest;
  readonly #proc: SandboxProcess;
  readonly #nonce = crypto.randomUUID().replaceAll("-", "");
  readonly #started = performance.now();
  readonly #logs: LogBuffer;
  readonly #toolCalls: ToolCallRecord[] = [];
  readonly #abort = new AbortController();
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  #ending: Ending | undefined;
  #endSignal = Promise.withResolvers<void>();
  #outputBytes = 0;
  #oom = false;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(req: ExecuteRequest, proc: SandboxProcess) {
    this.#req = req;
    this.#proc = proc;
    this.#logs = new LogBuffer(req.limits.maxLogBytes, this.#started);
    this.#writer = proc.child.stdin.getWriter();
  }

  async run(): Promise<ExecutionResult> {
    const stopWatching = this.#watchLimits();
    try {
      const { limits } = this.#req;
      const runParams: RunParams = {
        nonce: this.#nonce,
        code: this.#req.code,
        tools: this.#req.tools,
        maxResultBytes: limits.maxResultBytes,
        maxLogLineBytes: limits.maxLogBytes,
        maxDepth: MAX_VALUE_DEPTH,
      };
      this.#write(JSON.stringify({ jsonrpc: "2.0", method: "run", params: runParams }) + "\n");
      const pumps = [this.#pumpStdout(), this.#pumpStderr()];
      const status = this.#proc.child.status;
      await Promise.race([this.#endSignal.promise, Promise.all(pumps)]);
      await this.#stop(status);
      await Promise.allSettled(pumps);
      if (!this.#ending) this.#end(this.#diagnoseExit(await status));
      return this.#result();
    } finally {
      stopWatching();
      this.#abort.abort();
      await Deno.remove(this.#proc.cwd, { recursive: true }).catch(() => {});
    }
  }

  // The wall-clock timeout, the cancel signal and the resident-memory cap.
  #watchLimits(): () => void {
    const { limits, signal } = this.#req;
    const timer = setTimeout(() => {
      const message = `The script ran longer than ${limits.timeoutMs} ms (timeoutMs)`;
      this.#end({ stopReason: "timeout", error: limitError("TimeoutError", message) });
    }, limits.timeoutMs);
    const onAbort = () => {
      const error = { name: "KilledError", message: "The execution was cancelled by the host" };
      this.#end({ stopReason: "killed", error });
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const rss = setInterval(() => this.#checkRss(), RSS_POLL_MS);
    return () => {
      clearTimeout(timer);
      clearInterval(rss);
      clearTimeout(this.#wakeTimer);
      signal?.removeEventListener("abort", onAbort);
    };
  }

  // The V8 heap cap misses ArrayBuffers and WebAssembly memory, so the
  // child's resident set is polled too (Linux /proc; elsewhere this is a no-op).
  #checkRss(): void {
    let statm: string;
    try {
      statm = Deno.readTextFileSync(`/proc/${this.#proc.child.pid}/statm`);
    } catch {
      return;
    }
    const residentMb = Number(statm.split(" ")[1]) * 4096 / 1_048_576;
    const { maxRssMb } = this.#req.limits;
    if (!(residentMb > maxRssMb)) return;
    const message = `The sandbox used ${
      Math.round(residentMb)
    } MiB of memory, over the ${maxRssMb} MiB limit (maxRssMb)`;
    this.#end({ stopReason: "memory", error: limitError("MemoryLimitError", message) });
  }

  #end(ending: Ending): void {
    if (this.#ending) return;
    this.#ending = ending;
    this.#endSignal.resolve();
  }

  // Kill the whole process group unless the child exits by itself right away.
  async #stop(status: Promise<Deno.CommandStatus>): Promise<void> {
    const exited = await Promise.race([
      status.then(() => true),
      new Promise<boolean>((r) =>
        setTimeout(
          () => r(false),
          this.#ending?.stopReason === "completed" ? EXIT_GRACE_MS : 0,
        )
      ),
    ]);
    if (!exited) killGroup(this.#proc.child.pid);
    await status;
    await this.#writer.close().catch(() => {});
  }

  // The child blocks on stdin while its tool calls are pending; an empty line
  // wakes it when its next timer is due.
  #wakeAfter(ms: number): void {
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = setTimeout(() => {
      if (!this.#ending) this.#write("\n");
    }, ms);
  }

  #write(line: string): void {
    clearTimeout(this.#wakeTimer);
    this.#writer.write(this.#encoder.encode(line)).catch(() => {});
  }

  #countOutput(bytes: number): boolean {
    this.#outputBytes += bytes;
    if (this.#outputBytes <= this.#req.limits.maxOutputBytes) return true;
    this.#end({
      stopReason: "output_limit",
      error: limitError(
        "OutputLimitError",
        `The sandbox wrote more than ${this.#req.limits.maxOutputBytes} bytes of output (maxOutputBytes)`,
      ),
    });
    return false;
  }

  async #pumpStdout(): Promise<void> {
    const splitter = new LineSplitter(
      this.#req.limits.maxResultBytes + FRAME_OVERHEAD,
    );
    for await (const chunk of this.#proc.child.stdout) {
      if (this.#ending || !this.#countOutput(chunk.length)) continue;
      let lines: string[];
      try {
        lines = splitter.push(chunk);
      } catch (e) {
        if (!(e instanceof LineTooLongError)) throw e;
        this.#end({
          stopReason: "output_limit",
          error: limitError(
            "OutputLimitError",
            `The sandbox wrote ${e.message}`,
          ),
        });
        continue;
      }
      for (const line of lines) this.#onLine(line);
    }
    const rest = splitter.flush();
    if (rest) this.#logs.add("stdout", rest);
  }

  async #pumpStderr(): Promise<void> {
    const splitter = new LineSplitter(64 * 1024);
    for await (const chunk of this.#proc.child.stderr) {
      if (this.#ending || !this.#countOutput(chunk.length)) continue;
      let lines: string[] = [];
      try {
        lines = splitter.push(chunk);
      } catch {
        /* an overlong stderr line is dropped; the output cap still counts it */
      }
      for (const line of lines) {
        this.#onStderr(line);
      }
    }
    const rest = splitter.flush();
    if (rest) this.#onStderr(rest);
  }

  // Once V8 starts its out-of-memory report, the rest is diagnostics that
  // name host paths: it is not shown as logs.
  #onStderr(line: string): void {
    if (this.#oom || OOM_START.test(line)) {
      this.#oom = true;
      return;
    }
    if (line === "") return;
    this.#logs.add("stderr", line);
  }

  #onLine(line: string): void {
    if (this.#ending) return;
    const parsed = parseChildLine(line, this.#nonce);
    if (parsed.kind === "raw") {
      return void this.#logs.add("stdout", parsed.text);
    }
    if (parsed.raw) this.#logs.add("stdout", parsed.raw);
    if (parsed.kind === "invalid") {
      return this.#end({
        stopReason: "error",
        error: {
          name: "ProtocolError",
          message: `The sandbox sent an invalid frame (${parsed.reason})`,
        },
      });
    }
    this.#onFrame(parsed.frame);
  }

  #onFrame(frame: ChildFrame): void {
    if (frame.method === "log") {
      return void this.#logs.add(frame.params.level, frame.params.text);
    }
    if (frame.method === "tools/call") {
      return void this.#onToolCall(
        frame.id,
        frame.params.tool,
        frame.params.input,
      );
    }
    if (frame.method === "wait") return this.#wakeAfter(frame.params.ms);
    const done = frame.params;
    if (!done.ok) {
      return this.#end({ stopReason: "error", error: wireError(done.error) });
    }
    if (done.truncatedBytes === undefined) {
      return this.#end({ stopReason: "completed", result: done.result });
    }
    this.#end({
      stopReason: "output_limit",
      result: {
        $truncated: true,
        originalBytes: done.truncatedBytes,
        preview: done.result,
      },
      error: limitError(
        "OutputLimitError",
        `The result is ${done.truncatedBytes} bytes, over the ${this.#req.limits.maxResultBytes}-byte limit (maxResultBytes); result holds a preview`,
      ),
    });
  }

  async #onToolCall(id: number, tool: string, input: unknown): Promise<void> {
    const { maxToolCalls } = this.#req.limits;
    if (this.#toolCalls.length >= maxToolCalls) {
      return this.#end({
        stopReason: "tool_call_limit",
        error: limitError(
          "ToolCallLimitError",
          `The script made more than ${maxToolCalls} tool calls (maxToolCalls)`,
        ),
      });
    }
    const record: ToolCallRecord = { tool, ok: false, durationMs: 0 };
    this.#toolCalls.push(record);
    const t0 = performance.now();
    let line: string;
    try {
      const value = await this.#req.invoke(tool, input, this.#abort.signal);
      line = encodeReply(id, { ok: true, value });
      record.ok = true;
    } catch (e) {
      record.error = e instanceof Error ? e.message : String(e);
      line = encodeReply(id, { ok: false, tool, message: record.error });
    }
    record.durationMs = round(performance.now() - t0);
    if (!this.#ending) this.#write(line);
  }

  #diagnoseExit(status: Deno.CommandStatus): Ending {
    if (this.#oom && status.signal && FATAL_SIGNALS.has(status.signal)) {
      return {
        stopReason: "memory",
        error: limitError(
          "MemoryLimitError",
          `The script exceeded the ${this.#req.limits.memoryMb} MiB heap limit (memoryMb)`,
        ),
      };
    }
    const how = status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
    return {
      stopReason: "error",
      error: {
        name: "SandboxExitError",
        message: `The sandbox process ended (${how}) before the script returned`,
      },
    };
  }

  #result(): ExecutionResult {
    const ending = this.#ending!;
    return {
      executionId: this.#req.executionId,
      ok: ending.stopReason === "completed",
      stopReason: ending.stopReason,
      ...("result" in ending && ending.result !== undefined ? { result: ending.result } : {}),
      ...(ending.error ? { error: ending.error } : {}),
      logs: this.#logs.entries(),
      toolCalls: this.#toolCalls,
      durationMs: round(performance.now() - this.#started),
    };
  }
}

function limitError(name: string, message: string): ExecutionError {
  return { name, message };
}

function wireError(e: WireError): ExecutionError {
  return {
    ...e,
    message: e.message.slice(0, 8192),
    stack: e.stack?.slice(0, 8192),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Kills the child's whole process group (it was spawned detached, as its leader). */
export function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* already gone */ }
  }
}
