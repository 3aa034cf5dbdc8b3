// One execution in one sandbox child: feeds it the code, serves its tool
// calls, enforces the limits, and always ends with the child's whole process
// group gone.
import { encodeReply, MAX_VALUE_DEPTH, parseChildLine } from "../src/rpc/host_bridge.ts";
import { LineSplitter, LineTooLongError } from "../src/rpc/lines.ts";
import type { ChildFrame, ReadEntry, RunParams } from "../src/rpc/protocol.ts";
import { AsyncResource } from "node:async_hooks";
import type { ChildExit, SandboxChild } from "./_child.ts";
import { LogBuffer } from "./_log_buffer.ts";
import type { MemoryCap } from "./_memory_cap.ts";
import { CHILD_PIDS_MAX } from "./_cgroups.ts";
import { boundedError, ToolTrace } from "./_bounds.ts";
import { ExitReport, UNSETTLED_MESSAGE } from "./_exit_report.ts";
import type { ExecuteRequest, ExecutionEnding } from "../src/executor.ts";
import { startDeadline } from "./_deadline.ts";
import { type ExecutionError, type ExecutionResult, hostError, type StopReason } from "../src/rpc/result.ts";

/** Room for the frame around a maximal result, in bytes. */
const FRAME_OVERHEAD = 64 * 1024;
/** How often the child's resident memory is checked, in ms. */
const RSS_POLL_MS = 25;

/** The size of one tool call's frame. */
interface InputSize {
  chars: number;
  values: number;
}

interface Ending {
  stopReason: StopReason;
  result?: unknown;
  error?: ExecutionError;
}

/** A started child, and the host paths that must not reach the script or the model. */
export interface SandboxProcess {
  child: SandboxChild;
  hostPaths: string[];
  /** The child's resource cap (its cgroups, made before it started, or polling). */
  memory: MemoryCap;
  /** Removes what the pool made for the child (its cap among it), once the child is gone; else the cap is disposed. */
  dispose?: () => Promise<void>;
}

export class SandboxRun {
  readonly #req: ExecuteRequest;
  readonly #proc: SandboxProcess;
  readonly #nonce = crypto.randomUUID().replaceAll("-", "");
  readonly #started = performance.now();
  readonly #logs: LogBuffer;
  readonly #trace = new ToolTrace();
  readonly #abort = new AbortController();
  readonly #exitReport = new ExitReport((line) => this.#logs.add("stderr", this.#scrub(line)));
  readonly #stdout: LineSplitter;
  readonly #stderr = new LineSplitter(64 * 1024);
  readonly #finished = Promise.withResolvers<void>();
  readonly #invoke: ExecuteRequest["invoke"];
  readonly #memory: MemoryCap;
  #ending: Ending | undefined;
  #endSignal = Promise.withResolvers<void>();
  /** Whether the child ended its script itself (a `done` frame accepted): it then waits for its stdin to close. */
  #sentDone = false;
  #outputBytes = 0;
  #inFlight = { chars: 0, values: 0 };
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  #unwritten = "";

  constructor(req: ExecuteRequest, proc: SandboxProcess) {
    this.#req = req;
    this.#proc = proc;
    this.#memory = proc.memory;
    // Tool calls run in the async context of the caller of execute (a
    // framework's AsyncLocalStorage: LangGraph finds its run there), however
    // the child's output reaches this host: a pooled child's pipes were
    // opened in the pool's context, not the caller's.
    this.#invoke = AsyncResource.bind(req.invoke);
    this.#logs = new LogBuffer(req.limits.maxLogBytes, this.#started);
    this.#stdout = new LineSplitter(req.limits.maxResultBytes + FRAME_OVERHEAD);
  }

  /**
   * Resolves once the child is gone (reaped) and its memory cap removed. The
   * result does not wait for it: the child's whole process group is sent
   * SIGKILL once the ending is known (after `done`, on the next turn: the
   * child then waits, blocked, for its stdin to close); the kernel takes a
   * few ms more (up to ~15 on a busy 2-core machine) to tear a killed
   * multi-threaded process down.
   */
  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  async run(): Promise<ExecutionResult> {
    const { child } = this.#proc;
    let stopWatching = () => {};
    child.listen((chunk) => this.#onStdout(chunk), (chunk) => this.#onStderr(chunk));
    child.ref();
    try {
      // The child waits for its code, in its cgroups since it started.
      stopWatching = this.#watchLimits();
      this.#write(
        this.#nonce + "\n" + JSON.stringify({ jsonrpc: "2.0", method: "run", params: this.#runParams() }) + "\n",
      );
      const exit = await Promise.race([this.#endSignal.promise.then(() => undefined), child.exited]);
      // A child that sent `done` waits, blocked, for its stdin to close:
      // nothing of its script runs meanwhile, and it is ended after the
      // result is handed over (below). Every other ending kills the whole
      // process group now.
      if (!this.#sentDone) {
        child.kill();
        child.closeStdin();
      }
      this.#flushOutput();
      if (!this.#ending) this.#end(this.#diagnoseExit(exit ?? await child.exited));
      return this.#result();
    } finally {
      stopWatching();
      this.#abort.abort();
      // After `done`, the group (the child, and workers a script started) is
      // killed on the next turn, once the result is handed over: signalling
      // a multi-threaded process costs the host's main thread ~0.5 ms. Its
      // stdin is closed only then, so the child cannot exit (and its pid be
      // reused) before the group is signalled.
      if (this.#sentDone) {
        setTimeout(() => {
          child.kill();
          child.closeStdin();
        }, 0);
      } else child.kill();
      const dispose = this.#proc.dispose ?? (() => this.#memory.dispose());
      this.#finished.resolve(child.exited.then(dispose));
    }
  }

  #runParams(): RunParams {
    const { limits } = this.#req;
    return {
      code: this.#req.code,
      maxResultBytes: limits.maxResultBytes,
      maxLogLineBytes: Math.min(limits.maxLogLineBytes, limits.maxLogBytes),
      maxDepth: MAX_VALUE_DEPTH,
      ...(this.#req.recording
        ? { record: { maxChars: this.#req.recording.maxChars, replay: this.#req.recording.replay } }
        : {}),
    };
  }

  // The wall-clock timeout, the cancel signal and the resident-memory cap.
  #watchLimits(): () => void {
    const { limits, signal, halt } = this.#req;
    const cancelDeadline = startDeadline(limits.timeoutMs, () => {
      const message = `The script ran longer than ${limits.timeoutMs} ms (timeoutMs)`;
      this.#end({ stopReason: "timeout", error: hostError("TimeoutError", message) });
    }, this.#req.clock);
    const onAbort = () => {
      const error = hostError("KilledError", "The execution was cancelled by the host");
      this.#end({ stopReason: "killed", error });
    };
    const onHalt = () => this.#end(halt!.reason as ExecutionEnding);
    signal?.addEventListener("abort", onAbort, { once: true });
    halt?.addEventListener("abort", onHalt, { once: true });
    if (signal?.aborted) onAbort();
    if (halt?.aborted) onHalt();
    const rss = setInterval(() => this.#checkMemory(), RSS_POLL_MS);
    return () => {
      cancelDeadline();
      halt?.removeEventListener("abort", onHalt);
      clearInterval(rss);
      clearTimeout(this.#wakeTimer);
      signal?.removeEventListener("abort", onAbort);
    };
  }

  // The V8 heap cap misses ArrayBuffers and WebAssembly memory, so the
  // child's resident set is checked too: its peak, while it runs and once more
  // before a result is accepted. So is its cgroup's pids limit, which the
  // kernel enforces by refusing a thread: the execution ends then. Returns
  // false when a cap was exceeded.
  #checkMemory(): boolean {
    if (this.#memory.pidsLimitHit()) {
      this.#end(this.#overPids());
      return false;
    }
    const peakMb = this.#memory.peakBytes() / 1_048_576;
    const { maxRssMb } = this.#req.limits;
    if (!(peakMb > maxRssMb)) return true;
    this.#end(this.#overRss(`${Math.round(peakMb)} MiB of memory`));
    return false;
  }

  #overRss(what: string): Ending {
    const { maxRssMb } = this.#req.limits;
    const message = `The sandbox used ${what}, over the ${maxRssMb} MiB limit (maxRssMb)`;
    return { stopReason: "memory", error: hostError("MemoryLimitError", message) };
  }

  #overPids(): Ending {
    const message =
      `The sandbox tried to run more than ${CHILD_PIDS_MAX} processes and threads at once (its cgroup's ` +
      "pids limit)";
    return { stopReason: "error", error: hostError("ProcessLimitError", message) };
  }

  #end(ending: Ending): void {
    if (this.#ending) return;
    this.#ending = ending;
    this.#endSignal.resolve();
  }

  // The child blocks on stdin while its tool calls are pending; an empty line
  // wakes it when its next timer is due.
  #wakeAfter(ms: number): void {
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = setTimeout(() => {
      if (!this.#ending) this.#write("\n");
    }, ms);
  }

  #onWait({ ms, reads }: { ms?: number; reads?: ReadEntry[] | "overflow" }): void {
    if (reads !== undefined) this.#req.recording?.onReads(reads);
    if (ms !== undefined) this.#wakeAfter(ms);
    else this.#req.recording?.onBlocked();
  }

  // Replies written in one turn of the host (the timers of a Promise.all's
  // calls firing together) go out in one write, waking the child once.
  #write(line: string): void {
    if (this.#wakeTimer !== undefined) {
      clearTimeout(this.#wakeTimer);
      this.#wakeTimer = undefined;
    }
    if (this.#unwritten === "") queueMicrotask(() => this.#flush());
    this.#unwritten += line;
  }

  #flush(): void {
    const text = this.#unwritten;
    this.#unwritten = "";
    this.#proc.child.write(text);
  }

  #countOutput(bytes: number): boolean {
    this.#outputBytes += bytes;
    if (this.#outputBytes <= this.#req.limits.maxOutputBytes) return true;
    const message = `The sandbox wrote more than ${this.#req.limits.maxOutputBytes} bytes of output (maxOutputBytes)`;
    this.#end({ stopReason: "output_limit", error: hostError("OutputLimitError", message) });
    return false;
  }

  #onStdout(chunk: Uint8Array): void {
    if (this.#ending || !this.#countOutput(chunk.length)) return;
    let lines: string[];
    try {
      lines = this.#stdout.push(chunk);
    } catch (e) {
      if (!(e instanceof LineTooLongError)) throw e;
      return this.#end({
        stopReason: "output_limit",
        error: hostError("OutputLimitError", `The sandbox wrote ${e.message}`),
      });
    }
    for (const line of lines) this.#onLine(line);
  }

  #onStderr(chunk: Uint8Array): void {
    if (this.#ending || !this.#countOutput(chunk.length)) return;
    let lines: string[] = [];
    try {
      lines = this.#stderr.push(chunk);
    } catch {
      /* an overlong stderr line is dropped; the output cap still counts it */
    }
    for (const line of lines) this.#onStderrLine(line);
  }

  // An unfinished last line of either stream is kept as it is.
  #flushOutput(): void {
    const out = this.#stdout.flush();
    if (out) this.#logs.add("stdout", out);
    const err = this.#stderr.flush();
    if (err) this.#onStderrLine(err);
  }

  // What V8 prints when it aborts, and Deno's report of a top-level promise
  // that never settled, are held back until the exit is diagnosed: dropped
  // when the diagnosis says it in words, shown (without host paths) otherwise.
  #onStderrLine(line: string): void {
    if (this.#exitReport.hold(line) || line === "") return;
    this.#logs.add("stderr", this.#scrub(line));
  }

  #scrub(text: string): string {
    let out = text;
    for (const path of this.#proc.hostPaths) out = out.replaceAll(path, "<sandbox>");
    return out;
  }

  #onLine(line: string): void {
    if (this.#ending) return;
    const parsed = parseChildLine(line, this.#nonce);
    if (parsed.kind === "raw") return void this.#logs.add("stdout", parsed.text);
    if (parsed.raw) this.#logs.add("stdout", parsed.raw);
    if (parsed.kind === "invalid") {
      const error = hostError("ProtocolError", `The sandbox sent an invalid frame (${parsed.reason})`);
      return this.#end({ stopReason: "error", error });
    }
    this.#onFrame(parsed.frame, { chars: line.length, values: parsed.shape.values });
  }

  #onFrame(frame: ChildFrame, size: InputSize): void {
    if (frame.method === "log") return void this.#logs.add(frame.params.level, frame.params.text);
    if (frame.method === "tools/call") {
      if (frame.params.reads !== undefined) this.#req.recording?.onReads(frame.params.reads);
      return void this.#onToolCall(frame.id, frame.params.tool, frame.params.input, size);
    }
    if (frame.method === "wait") return this.#onWait(frame.params);
    if (frame.method === "tools/site") {
      return this.#trace.locate(frame.params.id, frame.params.line, frame.params.column);
    }
    const done = frame.params;
    if (!this.#checkMemory()) return;
    this.#sentDone = true;
    if (!done.ok) return this.#end({ stopReason: "error", error: boundedError(done.error, this.#scrub.bind(this)) });
    if (done.truncatedBytes === undefined) return this.#end({ stopReason: "completed", result: done.result });
    const { maxResultBytes } = this.#req.limits;
    this.#end({
      stopReason: "output_limit",
      result: { $truncated: true, originalBytes: done.truncatedBytes, preview: done.result },
      error: hostError(
        "OutputLimitError",
        `The result is ${done.truncatedBytes} bytes, over the ${maxResultBytes}-byte limit (maxResultBytes); result holds a preview`,
      ),
    });
  }

  async #onToolCall(id: number, tool: string, input: unknown, size: InputSize): Promise<void> {
    const { maxToolCalls } = this.#req.limits;
    if (this.#trace.length >= maxToolCalls) {
      const message = `The script made more than ${maxToolCalls} tool calls (maxToolCalls)`;
      return this.#end({ stopReason: "tool_call_limit", error: hostError("ToolCallLimitError", message) });
    }
    const over = this.#overInputBudget(size);
    if (over) return this.#end({ stopReason: "tool_input_limit", error: hostError("ToolInputLimitError", over) });
    this.#inFlight.chars += size.chars;
    this.#inFlight.values += size.values;
    const record = this.#trace.start(tool, id);
    let line: string;
    try {
      const running = this.#invoke(tool, input, this.#abort.signal);
      // The raw input is not kept while the handler runs: only its validated form is.
      input = undefined;
      line = encodeReply(id, { ok: true, value: await running });
      this.#trace.finish(record);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.#trace.finish(record, message);
      line = encodeReply(id, { ok: false, tool, message: record.error ?? message });
    } finally {
      this.#inFlight.chars -= size.chars;
      this.#inFlight.values -= size.values;
    }
    if (!this.#ending) this.#write(line);
  }

  // Tool inputs are held on the host while their handlers run: what one
  // execution may have in flight is capped, before the input is validated.
  #overInputBudget(size: InputSize): string | undefined {
    const { maxToolInputBytes, maxToolInputValues } = this.#req.limits;
    const chars = this.#inFlight.chars + size.chars;
    const values = this.#inFlight.values + size.values;
    if (chars > maxToolInputBytes) {
      return `The script's tool calls in flight carried ${chars} characters of input, over the ${maxToolInputBytes} limit (maxToolInputBytes)`;
    }
    if (values > maxToolInputValues) {
      return `The script's tool calls in flight carried ${values} JSON values, over the ${maxToolInputValues} limit (maxToolInputValues)`;
    }
  }

  #diagnoseExit(status: ChildExit): Ending {
    if (this.#memory.killedByKernel()) return this.#overRss("more memory than its cgroup allows");
    if (this.#memory.pidsLimitHit()) return this.#overPids();
    const cause = this.#exitReport.diagnose(status);
    if (cause === "out_of_memory") {
      const message = `The script exceeded the ${this.#req.limits.memoryMb} MiB heap limit (memoryMb)`;
      return { stopReason: "memory", error: hostError("MemoryLimitError", message) };
    }
    if (cause === "unsettled") {
      return { stopReason: "error", error: hostError("SandboxExitError", UNSETTLED_MESSAGE) };
    }
    const how = status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
    return {
      stopReason: "error",
      error: hostError("SandboxExitError", `The sandbox process ended (${how}) before the script returned`),
    };
  }

  #result(): ExecutionResult {
    const ending = this.#ending!;
    // A held report that did not explain the ending is shown (a memory ending hides V8's).
    if (ending.stopReason !== "memory") this.#exitReport.release();
    return {
      executionId: this.#req.executionId,
      ok: ending.stopReason === "completed",
      stopReason: ending.stopReason,
      ...("result" in ending && ending.result !== undefined ? { result: ending.result } : {}),
      ...(ending.error ? { error: ending.error } : {}),
      logs: this.#logs.entries(),
      toolCalls: this.#trace.records(),
      durationMs: Math.round((performance.now() - this.#started) * 100) / 100,
    };
  }
}
