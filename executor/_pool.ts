// The warm pool: sandbox children started ahead, each blocked in its prelude
// waiting for its code, so an execution skips Deno's start-up. One script per
// child, then the child is killed as a fresh one would be: nothing of a
// script can reach the next. A child's heap cap (`memoryMb`), CPU-time limit
// (from `timeoutMs`) and memory cgroup (`maxRssMb`) are fixed when it starts,
// so children are pooled per kind: an execution takes only a child started
// with exactly the flags and caps a fresh child would get.
import { cpuSecondsFor } from "./_kernel_guard.ts";
import { type Background, backgroundGroup, canLowerCpuWeight } from "./_cpu_weight.ts";
import type { SandboxChild } from "./_child.ts";
import type { MemoryCap } from "./_memory_cap.ts";
import type { Limits } from "../src/limits.ts";

/** Options of the warm pool (`LocalExecutorOptions.pool`). */
export interface PoolOptions {
  /**
   * Children kept started ahead for each kind of execution (its `memoryMb`,
   * `maxRssMb` and `timeoutMs`, which fix a child's flags when it starts).
   * `0` turns the pool off.
   */
  size: number;
  /**
   * A child idle this long is stopped, and its kind is not refilled until an
   * execution of that kind comes again (it then starts fresh). @default {300000}
   */
  idleTimeoutMs?: number;
}

/** The most children per kind. */
export const MAX_POOL_SIZE = 64;
/** The longest idle timeout, in ms (a day). */
export const MAX_IDLE_TIMEOUT_MS = 86_400_000;
/** The default idle timeout, in ms. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
/** Kinds of child pooled at once; an execution of yet another kind starts a fresh child. */
export const MAX_POOL_KINDS = 4;
/**
 * How long a starting child may take to say it is ready before the next one
 * is started anyway. A child starts under a low CPU weight: on a machine
 * whose cores are busy with other work it gets a few percent of one, and its
 * start (with the OS wall, ~150 ms of CPU) then takes seconds.
 */
const READY_WAIT_MS = 60_000;
/**
 * How long a refill waits for the execution that took a child, unless that
 * execution ends first: starting a process costs the host's main thread a
 * few ms (fork, exec, pipes), which would otherwise delay the very execution
 * that took the child.
 */
const REFILL_DELAY_MS = 50;

/** What fixes a child when it starts: the limits that become its flags and caps. */
export type ChildKind = Pick<Limits, "memoryMb" | "maxRssMb" | "timeoutMs">;

/** A child taken from the pool, with the memory cap it was put under when it started. */
export interface PooledChild {
  child: SandboxChild;
  memory: MemoryCap;
  /** Removes what was made for the child (its memory cap and cpu group), once it is gone. */
  dispose(): Promise<void>;
}

/**
 * Starts a child of a kind: the executor's own way of starting children
 * (flags, OS wall, kernel guards, cgroups), in the low-CPU-weight group when
 * one is given.
 */
export type StartChild = (
  kind: ChildKind,
  background: Background | undefined,
) => Promise<{ child: SandboxChild; memory: MemoryCap }>;

/** Counts, for tests and metrics. */
export interface PoolStats {
  /** Children waiting, of every kind (started or still starting). */
  idle: number;
  /** Of those, the ones whose prelude said it waits for its code. */
  ready: number;
  /** Children started by the pool so far. */
  started: number;
  /** Executions that took a pooled child. */
  hits: number;
  /** Executions that found no child of their kind and started a fresh one. */
  misses: number;
  /** Idle children that died, or were found unusable, and were thrown away. */
  discarded: number;
  /** Whether a child is being started now. */
  filling: boolean;
  /** Whether children start with a low CPU weight (else only while no execution runs). */
  background: boolean;
}

/**
 * Validates pool options.
 *
 * @throws {RangeError} naming the field and the accepted range.
 */
export function checkPoolOptions(options: PoolOptions): Required<PoolOptions> {
  if (typeof options !== "object" || options === null) {
    throw new RangeError(
      `LocalExecutor option pool must be an object like { size: 2 }, got ${JSON.stringify(options)}`,
    );
  }
  const { size, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS } = options;
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_POOL_SIZE) {
    throw new RangeError(
      `LocalExecutor option pool.size must be a whole number from 0 to ${MAX_POOL_SIZE}, got ${JSON.stringify(size)}`,
    );
  }
  if (!Number.isSafeInteger(idleTimeoutMs) || idleTimeoutMs < 1 || idleTimeoutMs > MAX_IDLE_TIMEOUT_MS) {
    throw new RangeError(
      `LocalExecutor option pool.idleTimeoutMs must be a whole number of ms from 1 to ${MAX_IDLE_TIMEOUT_MS}, got ${
        JSON.stringify(idleTimeoutMs)
      }`,
    );
  }
  return { size, idleTimeoutMs };
}

function keyOf(kind: ChildKind): string {
  return `${kind.memoryMb}/${kind.maxRssMb}/${cpuSecondsFor(kind.timeoutMs)}`;
}

interface Entry {
  pooled: PooledChild;
  ready: boolean;
  idleTimer?: ReturnType<typeof setTimeout>;
}

interface Kind {
  kind: ChildKind;
  entries: Entry[];
  /** Refilled: set by an execution or `warm`, cleared when a child idles out. */
  wanted: boolean;
}

/** Children started ahead, per kind; see the module comment. */
export class SandboxPool {
  readonly #size: number;
  readonly #idleTimeoutMs: number;
  readonly #start: StartChild;
  readonly #kinds = new Map<string, Kind>();
  readonly #stats = { started: 0, hits: 0, misses: 0, discarded: 0 };
  #filling: Promise<void> | undefined;
  #fillTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #running = 0;
  #background: Background | undefined | null = null;

  /**
   * @param options size and idle timeout (already checked).
   * @param start how a child is started (spawn with the executor's flags and kernel guards).
   */
  constructor(options: Required<PoolOptions>, start: StartChild) {
    this.#size = options.size;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#start = start;
  }

  /** Starts keeping children of this kind (no-op when the pool is off or has its kinds already). */
  warm(kind: ChildKind): void {
    const entry = this.#kind(kind);
    if (!entry) return;
    entry.wanted = true;
    this.#fillSoon(0);
  }

  /**
   * Takes a ready child of this kind, the oldest first, and has it replaced
   * in the background; `undefined` when none is ready (the execution starts
   * a fresh child, and the pool fills for next time).
   */
  take(kind: ChildKind): PooledChild | undefined {
    const entry = this.#kind(kind);
    if (!entry) return undefined;
    entry.wanted = true;
    const i = entry.entries.findIndex((e) => e.ready && !e.pooled.child.ended);
    const taken = i < 0 ? undefined : entry.entries.splice(i, 1)[0];
    if (taken) {
      this.#stats.hits++;
      clearTimeout(taken.idleTimer);
    } else this.#stats.misses++;
    this.#fillSoon(REFILL_DELAY_MS);
    return taken?.pooled;
  }

  /**
   * Says how many executions of the executor run now: one ending starts the
   * refill. Without a low CPU weight, children are started only while none runs.
   */
  running(count: number): void {
    const ended = count < this.#running;
    this.#running = count;
    if (ended) this.#fillSoon(0);
  }

  /** Counts of waiting children and of what the pool did. */
  stats(): PoolStats {
    let idle = 0;
    let ready = 0;
    for (const kind of this.#kinds.values()) {
      idle += kind.entries.length;
      ready += kind.entries.filter((e) => e.ready).length;
    }
    return { idle, ready, ...this.#stats, filling: this.#filling !== undefined, background: canLowerCpuWeight() };
  }

  /** Stops every waiting child and starts no more; resolves once they are gone. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#fillTimer);
    // Killing the waiting children also ends a fill waiting for one to be ready.
    const first = this.#discardAll();
    await this.#filling;
    await Promise.all([first, this.#discardAll()]);
    await this.#background?.dispose();
  }

  #discardAll(): Promise<unknown> {
    const entries = [...this.#kinds.values()].flatMap((k) => k.entries.splice(0));
    return Promise.all(entries.map((e) => this.#discard(e, false)));
  }

  #kind(kind: ChildKind): Kind | undefined {
    if (this.#size === 0 || this.#closed) return undefined;
    const key = keyOf(kind);
    let entry = this.#kinds.get(key);
    if (!entry) {
      if (this.#kinds.size >= MAX_POOL_KINDS) this.#forgetUnwanted();
      if (this.#kinds.size >= MAX_POOL_KINDS) return undefined;
      const { memoryMb, maxRssMb, timeoutMs } = kind;
      entry = { kind: { memoryMb, maxRssMb, timeoutMs }, entries: [], wanted: false };
      this.#kinds.set(key, entry);
    }
    return entry;
  }

  #forgetUnwanted(): void {
    for (const [key, kind] of this.#kinds) {
      if (!kind.wanted && kind.entries.length === 0) this.#kinds.delete(key);
    }
  }

  // Fills from a timer, never from the caller's turn: starting a process
  // blocks the host's main thread for a few ms.
  #fillSoon(ms: number): void {
    if (this.#closed || (this.#fillTimer !== undefined && ms > 0)) return;
    clearTimeout(this.#fillTimer);
    this.#fillTimer = setTimeout(() => {
      this.#fillTimer = undefined;
      this.#fill();
    }, ms);
    Deno.unrefTimer(this.#fillTimer);
  }

  // One child starts at a time, and the next only once it is ready.
  #fill(): void {
    if (this.#filling || this.#closed) return;
    this.#filling = (async () => {
      let kind: Kind | undefined;
      while (!this.#closed && (canLowerCpuWeight() || this.#running === 0) && (kind = this.#neediest())) {
        if (!await this.#startOne(kind)) break;
      }
    })().finally(() => this.#filling = undefined);
  }

  #neediest(): Kind | undefined {
    let neediest: Kind | undefined;
    for (const kind of this.#kinds.values()) {
      if (!kind.wanted || kind.entries.length >= this.#size) continue;
      if (!neediest || kind.entries.length < neediest.entries.length) neediest = kind;
    }
    return neediest;
  }

  // Returns false when no child could be started: the pool stops filling
  // until the next execution asks (a fresh start then reports the problem).
  async #startOne(kind: Kind): Promise<boolean> {
    // Under a low CPU weight and its cgroups from its first instruction, and long before any script.
    if (this.#background === null) this.#background = backgroundGroup();
    const background = this.#background;
    let child: SandboxChild;
    let memory: MemoryCap;
    try {
      ({ child, memory } = await this.#start(kind.kind, background));
    } catch {
      return false;
    }
    this.#stats.started++;
    child.unref();
    const entry: Entry = { pooled: { child, memory, dispose: () => memory.dispose() }, ready: false };
    if (this.#closed) {
      await this.#discard(entry, false);
      return false;
    }
    kind.entries.push(entry);
    void child.exited.then(() => this.#drop(kind, entry));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), READY_WAIT_MS);
      Deno.unrefTimer(timer);
    });
    // Once it waits for its code, it is asked to warm up, and is ready when it says so again.
    const ready = await Promise.race([child.ready.then((up) => up && this.#warmUp(child)), waited]);
    clearTimeout(timer);
    if (!kind.entries.includes(entry)) return true;
    if (!ready) {
      // It ended, or wrote something before its ready mark, or never said it was ready: not handed out.
      this.#remove(kind, entry);
      await this.#discard(entry, true);
      return true;
    }
    // Ready: back in the host's own cpu group, where a fresh child runs its script (every process of it).
    await background?.leave(child.processes());
    if (!kind.entries.includes(entry)) return true;
    entry.ready = true;
    entry.idleTimer = setTimeout(() => this.#idledOut(kind, entry), this.#idleTimeoutMs);
    Deno.unrefTimer(entry.idleTimer);
    return true;
  }

  #warmUp(child: SandboxChild): Promise<boolean> {
    const warm = child.expectMark();
    child.write("\n");
    return warm;
  }

  #idledOut(kind: Kind, entry: Entry): void {
    if (!this.#remove(kind, entry)) return;
    kind.wanted = false;
    void this.#discard(entry, false);
  }

  // An idle child that died is replaced, never handed out.
  #drop(kind: Kind, entry: Entry): void {
    if (!this.#remove(kind, entry)) return;
    void this.#discard(entry, true);
    this.#fillSoon(0);
  }

  #remove(kind: Kind, entry: Entry): boolean {
    const i = kind.entries.indexOf(entry);
    if (i < 0) return false;
    kind.entries.splice(i, 1);
    clearTimeout(entry.idleTimer);
    return true;
  }

  async #discard(entry: Entry, unusable: boolean): Promise<void> {
    if (unusable) this.#stats.discarded++;
    clearTimeout(entry.idleTimer);
    const { child, dispose } = entry.pooled;
    child.kill();
    // An idle child does not keep the host alive; one being stopped does, until it is gone.
    child.ref();
    await child.exited;
    await dispose();
  }
}
