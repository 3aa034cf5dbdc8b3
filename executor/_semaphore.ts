// A counting semaphore with a bounded queue: a full queue refuses at once, so
// a burst of executions gets a clear "busy" instead of unbounded waiting.
export class Semaphore {
  #free: number;
  readonly #slots: number;
  readonly #maxQueued: number;
  readonly #queue: Array<() => void> = [];

  constructor(slots: number, maxQueued: number) {
    this.#free = slots;
    this.#slots = slots;
    this.#maxQueued = maxQueued;
  }

  /** Slots held now. */
  get held(): number {
    return this.#slots - this.#free;
  }

  /** Acquirers waiting for a slot now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves to a release function, or `undefined` if refused or aborted. */
  async acquire(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (signal.aborted) return undefined;
    if (this.#free > 0) {
      this.#free--;
      return this.#releaser();
    }
    if (this.#queue.length >= this.#maxQueued) return undefined;
    const { promise, resolve } = Promise.withResolvers<boolean>();
    const grant = () => resolve(true);
    this.#queue.push(grant);
    const onAbort = () => {
      const i = this.#queue.indexOf(grant);
      if (i >= 0) this.#queue.splice(i, 1);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const granted = await promise;
    signal.removeEventListener("abort", onAbort);
    return granted ? this.#releaser() : undefined;
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#queue.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
