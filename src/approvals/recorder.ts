/**
 * The record of one execution that may pause for approval: every tool call
 * (its name, input and outcome) and every value the script read (clock,
 * random), in order. It decides when to pause: once the child is blocked
 * waiting for replies and every call in flight waits for approval. On a
 * resume it replays the record: a call the first run made is answered from
 * it (never run again) after its tool and input are checked, the values read
 * are checked as they come, and a call that waited is run or refused as
 * decided; any difference ends the execution with a `DivergenceError`.
 *
 * @module
 */
import type { ExecutionEnding, ExecutionRecording, ReadEntry } from "../executor.ts";
import { hostError, type PendingApproval } from "../rpc/result.ts";
import type { ContinuationPayload, RecordedCall } from "./continuation.ts";
import type { ApprovalDecision } from "./options.ts";

/** What the host does with one tool call of a recorded execution. */
export type Step =
  | { kind: "live"; index: number }
  | { kind: "replayed"; outcome: NonNullable<RecordedCall["outcome"]> }
  | { kind: "decided"; index: number; decision: ApprovalDecision }
  | { kind: "diverged"; message: string };

/** A resume: the record of the run that paused and the decisions on its pending calls. */
export interface Replay {
  /** The record. */
  payload: ContinuationPayload;
  /** Decisions by approval id, one for each pending call. */
  decisions: Map<string, ApprovalDecision>;
}

/** The longest text of a call or value a divergence message shows. */
const SHOWN_CHARS = 200;

/** Records one execution; see the module doc. */
export class ExecutionRecorder implements ExecutionRecording {
  readonly replay: ReadEntry[];
  readonly maxChars: number;
  readonly #halt = new AbortController();
  readonly #recorded: RecordedCall[];
  readonly #decisions: Map<string, ApprovalDecision>;
  readonly #reads: ReadEntry[] = [];
  readonly #pending = new Map<number, PendingApproval>();
  #calls: RecordedCall[];
  #chars = 0;
  #overflow = false;
  #blocked = false;
  #inFlight = 0;
  #nextIndex = 0;
  #snapshot: ContinuationPayload | undefined;
  readonly #code: string;
  readonly #correlationId: string;

  /**
   * @param code the script.
   * @param correlationId the correlation id every resume keeps.
   * @param maxChars the most characters of tool inputs, results and read values the record may hold.
   * @param replay the record to replay, when resuming.
   */
  constructor(code: string, correlationId: string, maxChars: number, replay?: Replay) {
    this.#code = code;
    this.#correlationId = correlationId;
    this.maxChars = maxChars;
    this.replay = replay?.payload.reads ?? [];
    this.#recorded = replay?.payload.calls ?? [];
    this.#decisions = replay?.decisions ?? new Map();
    this.#calls = this.#recorded.map((c) => ({ ...c }));
  }

  /** Aborts, with the {@linkcode ExecutionEnding} as reason, when the execution must end: paused or diverged. */
  get halt(): AbortSignal {
    return this.#halt.signal;
  }

  /** The record as the continuation holds it, once the execution paused. */
  get paused(): ContinuationPayload | undefined {
    return this.#snapshot;
  }

  onReads(reads: ReadEntry[] | "overflow"): void {
    if (reads === "overflow") {
      this.#overflow = true;
      return;
    }
    for (const read of reads) {
      const at = this.#reads.length;
      const recorded = this.replay[at];
      if (recorded !== undefined && (recorded[0] !== read[0] || recorded[1] !== read[1])) {
        return this.#diverge(
          `at the script's ${ordinal(at + 1)} read of the clock or random generator: the first run read ` +
            `${describeRead(recorded)}, the resumed script ${describeRead(read)}`,
        );
      }
      if (!this.#overflow) this.#reads.push(read);
      this.#count(read[0] === "g" || read[0] === "u" ? read[1].length + 10 : 30);
    }
  }

  onBlocked(): void {
    this.#blocked = true;
    this.#maybePause();
  }

  /**
   * Takes the next tool call the script made (in the order the host received them).
   *
   * @param tool the tool's name as called.
   * @param input the raw input from the child.
   * @returns what to do with it.
   */
  begin(tool: string, input: unknown): Step {
    this.#blocked = false;
    this.#inFlight++;
    const index = this.#nextIndex++;
    const json = input === undefined ? undefined : JSON.stringify(input);
    const recorded = this.#recorded[index];
    if (recorded === undefined) {
      this.#calls.push({ tool, ...(json !== undefined ? { input: json } : {}), at: this.#reads.length });
      this.#count(tool.length + (json?.length ?? 0) + 20);
      return { kind: "live", index };
    }
    const call = `call ${index + 1}`;
    if (recorded.tool !== tool || recorded.input !== json) {
      return this.#diverged(
        `at tool ${call}: the first run called ${describeCall(recorded.tool, recorded.input)}, the resumed ` +
          `script ${describeCall(tool, json)}`,
      );
    }
    if (recorded.at !== this.#reads.length) {
      return this.#diverged(
        `at tool ${call} (tools.${tool}): the first run had read the clock or random generator ${recorded.at} ` +
          `times before it, the resumed script ${this.#reads.length} times`,
      );
    }
    if (recorded.outcome) return { kind: "replayed", outcome: recorded.outcome };
    const decision = this.#decisions.get(recorded.pending ?? "");
    if (!decision) return this.#diverged(`at tool ${call}: the record has no outcome for it`);
    return { kind: "decided", index, decision };
  }

  /**
   * Records how a live or decided call ended.
   *
   * @param index the call's index from {@linkcode ExecutionRecorder.begin}.
   * @param outcome its value, or the message of its error.
   */
  settle(index: number, outcome: { ok: true; value: unknown } | { ok: false; message: string }): void {
    const call = this.#calls[index];
    if (!call) return;
    if (outcome.ok) {
      let json: string;
      try {
        json = JSON.stringify(outcome.value ?? null);
      } catch (e) {
        return this.settle(index, { ok: false, message: e instanceof Error ? e.message : String(e) });
      }
      call.outcome = { ok: true, json };
      this.#count(json.length);
    } else {
      call.outcome = { ok: false, message: outcome.message };
      this.#count(outcome.message.length);
    }
    delete call.pending;
  }

  /** A call the host took (from `begin`) is over, and its reply goes to the child. */
  end(index: number | undefined): void {
    this.#inFlight--;
    this.#blocked = false;
    if (index !== undefined) this.#pending.delete(index);
  }

  /**
   * Why the execution cannot pause, if it cannot: the record grew past its bounds.
   *
   * @returns the reason, naming the setting, or `undefined`.
   */
  whyNotPausable(): string | undefined {
    if (!this.#overflow && this.#chars <= this.maxChars) return undefined;
    return `it recorded more than ${this.maxChars} characters of tool inputs, results and values read, too ` +
      "much to resume (approvals.maxContinuationBytes)";
  }

  /**
   * Leaves a call waiting for a decision: the execution pauses once the child is blocked and every call in
   * flight waits so.
   *
   * @param index the call's index.
   * @param approval what the pending call is shown as.
   * @param signal fires when the execution ends.
   * @returns a promise that settles only by rejecting, when the execution ends.
   */
  defer(index: number, approval: PendingApproval, signal: AbortSignal): Promise<never> {
    const call = this.#calls[index];
    if (call) call.pending = approval.id;
    this.#pending.set(index, approval);
    const waiting = new Promise<never>((_, reject) => {
      const ended = () => reject(new Error("the execution ended while the call waited for approval"));
      if (signal.aborted) ended();
      else signal.addEventListener("abort", ended, { once: true });
    });
    this.#maybePause();
    return waiting;
  }

  /**
   * Tells whether the replay went through: a resumed script that ended before making every call of the first
   * run diverged.
   *
   * @returns the divergence's message, or `undefined`.
   */
  unfinishedReplay(): string | undefined {
    if (this.#nextIndex >= this.#recorded.length) return undefined;
    return divergence(
      `the resumed script ended after ${this.#nextIndex} tool calls; the first run had made ${this.#recorded.length}`,
    );
  }

  #maybePause(): void {
    if (this.#snapshot || !this.#blocked || this.#inFlight === 0 || this.#inFlight !== this.#pending.size) return;
    this.#snapshot = {
      code: this.#code,
      correlationId: this.#correlationId,
      calls: this.#calls.map((c) => ({ ...c })),
      reads: [...this.#reads],
      pending: [...this.#pending.entries()].sort(([a], [b]) => a - b).map(([, p]) => p),
    };
    this.#halt.abort({ stopReason: "paused" } satisfies ExecutionEnding);
  }

  #count(chars: number): void {
    this.#chars += chars;
  }

  #diverged(message: string): Step {
    this.#diverge(message);
    return { kind: "diverged", message: divergence(message) };
  }

  #diverge(message: string): void {
    if (this.#halt.signal.aborted) return;
    this.#halt.abort(
      { stopReason: "error", error: hostError("DivergenceError", divergence(message)) } satisfies ExecutionEnding,
    );
  }
}

function divergence(message: string): string {
  return `The resumed script diverged from the run that paused ${message}. Resuming replays the first run: the ` +
    "script must take the same path, with the same tools; nothing was run past the point where it diverged";
}

function describeCall(tool: string, input: string | undefined): string {
  return `tools.${tool}(${shown(input ?? "")})`;
}

function describeRead([kind, value]: ReadEntry): string {
  const source = {
    d: "the date",
    p: "performance.now()",
    r: "Math.random()",
    u: "crypto.randomUUID()",
    g: "crypto.getRandomValues()",
  }[kind];
  return `${source} (${shown(JSON.stringify(value))})`;
}

function shown(text: string): string {
  return text.length <= SHOWN_CHARS ? text : `${text.slice(0, SHOWN_CHARS)}…`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${suffix}`;
}
