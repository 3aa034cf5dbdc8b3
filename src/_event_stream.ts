// Delivers one execution's events to its `onEvent`, in order and bounded: a
// handler that returns a promise holds the next events in a capped queue
// (past the cap they are dropped and counted where they would have been); one
// that throws gets nothing more. Nothing here ever throws to the caller, so
// that emitting cannot break an execution.
import { type ExecutionEvent, type ExecutionEventHandler, MAX_QUEUED_EVENTS } from "./events.ts";

/** An event without what the stream adds to every one. */
export type EventBody = ExecutionEvent extends infer E
  ? E extends ExecutionEvent ? Omit<E, "executionId" | "atMs"> : never
  : never;

export class EventStream {
  readonly #handler: ExecutionEventHandler;
  readonly #executionId: string;
  readonly #started: number;
  readonly #queue: ExecutionEvent[] = [];
  #queued = 0; // events in the queue that are not `dropped` markers
  #busy = false;
  #failure: string | undefined;
  #logs = 0;

  constructor(handler: ExecutionEventHandler, executionId: string, started: number = performance.now()) {
    this.#handler = handler;
    this.#executionId = executionId;
    this.#started = started;
  }

  /** Why delivery stopped (the handler threw), once it has. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** How many `log` events were emitted (delivered or not). */
  get logs(): number {
    return this.#logs;
  }

  /** Milliseconds since the execution started. */
  elapsed(): number {
    return Math.round(performance.now() - this.#started);
  }

  emit(body: EventBody): void {
    if (body.type === "log") this.#logs++;
    if (this.#failure !== undefined) return;
    const event = { ...body, executionId: this.#executionId, atMs: this.elapsed() } as ExecutionEvent;
    if (!this.#busy) return this.#deliver(event);
    // The end is never dropped: it says the stream is over.
    if (this.#queued >= MAX_QUEUED_EVENTS && event.type !== "end") return this.#drop();
    this.#queue.push(event);
    this.#queued++;
  }

  #drop(): void {
    const last = this.#queue.at(-1);
    if (last?.type === "dropped") last.count++;
    else this.#queue.push({ type: "dropped", count: 1, executionId: this.#executionId, atMs: this.elapsed() });
  }

  #deliver(event: ExecutionEvent): void {
    let returned: unknown;
    try {
      returned = this.#handler(event);
    } catch (e) {
      return this.#fail(e);
    }
    if (!isThenable(returned)) return;
    this.#busy = true;
    try {
      returned.then(() => this.#next(), (e) => this.#fail(e));
    } catch (e) {
      this.#fail(e);
    }
  }

  #next(): void {
    this.#busy = false;
    while (!this.#busy && this.#failure === undefined) {
      const event = this.#queue.shift();
      if (!event) return;
      if (event.type !== "dropped") this.#queued--;
      this.#deliver(event);
    }
  }

  #fail(error: unknown): void {
    this.#busy = false;
    this.#queue.length = 0;
    this.#queued = 0;
    const name = error instanceof Error ? error.name.slice(0, 64) : typeof error;
    this.#failure = `[codemode] onEvent threw (${name}); no more events of this execution were delivered to it`;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
