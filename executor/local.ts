/**
 * The embedded executor: one fresh, zero-permission Deno child per execution.
 *
 * @module
 */
import { type SandboxProcess, SandboxRun } from "./_sandbox_run.ts";
import { Semaphore } from "./_semaphore.ts";
import { checkOsSandboxMode, type OsSandboxMode } from "./_os_wall.ts";
import { sandboxDenoPath } from "./_deno_path.ts";
import { type SandboxWalls, Spawner, type Started } from "./_spawner.ts";
import type { Background } from "./_cpu_weight.ts";
import { checkPoolOptions, type ChildKind, type PoolOptions, type PoolStats, SandboxPool } from "./_pool.ts";

export { DEFAULT_IDLE_TIMEOUT_MS, MAX_IDLE_TIMEOUT_MS, MAX_POOL_SIZE } from "./_pool.ts";
export { sandboxArgs, sandboxCommand, sandboxSpec } from "./sandbox_spec.ts";
export { OS_SANDBOX_MODES, type OsSandboxMode } from "./_os_wall.ts";
export { describeWalls, type SandboxWalls } from "./_spawner.ts";
export type { ChildKind, PoolOptions, PoolStats };
import type { ExecuteRequest, Executor, ExecutorLoad } from "../src/executor.ts";
import { type ExecutionResult, hostError } from "../src/rpc/result.ts";
import type { Limits } from "../src/limits.ts";

/** Options for {@linkcode LocalExecutor}. */
export interface LocalExecutorOptions {
  /**
   * The Deno binary that runs sandboxes. Without it: `$CODEMODE_DENO_PATH`
   * when set (and the host may read it), else `Deno.execPath()`; in a
   * `deno compile` binary, which cannot run sandboxes itself, the first
   * `deno` on `PATH` (the first execution fails with an error saying so when
   * there is none).
   * @default {Deno.execPath()}
   */
  denoPath?: string;
  /**
   * Where each sandbox's working dir and the executor's private Deno cache are
   * made, e.g. a size-limited tmpfs. @default {the system temp dir}
   */
  tempDir?: string;
  /** Executions running at once; more wait in a queue. @default {16} */
  maxConcurrent?: number;
  /** Executions waiting for a slot; more are refused with stopReason `busy`. @default {256} */
  maxQueued?: number;
  /**
   * A warm pool of sandbox children started ahead, each waiting for its code,
   * so an execution skips Deno's start-up (see the README's benchmarks). Each
   * child still runs one script and is killed: a pooled child is a fresh one
   * started earlier. `{ size: 0 }` or no `pool` turns it off.
   * @default {no pool}
   */
  pool?: PoolOptions;
  /**
   * The OS wall around each child, on Linux with bubblewrap: its own user,
   * PID, network, IPC, UTS, cgroup and mount namespaces, only the Deno binary,
   * its libraries and the prelude visible (read-only), a tmpfs for its Deno
   * dir, and, on a root host, an unprivileged uid. It stands even if Deno's
   * permission checks did not. `auto` uses it where the host offers it (see
   * {@linkcode LocalExecutor.walls}); `required` makes every execution fail,
   * naming what is missing, where it is unavailable; `off` does not use it.
   * Deno's permissions are never opened, whatever this says.
   * @default {"auto"}
   */
  osSandbox?: OsSandboxMode;
}

/** The defaults of {@linkcode LocalExecutorOptions}' `maxConcurrent` and `maxQueued`. */
export const DEFAULT_EXECUTOR_SETTINGS: Readonly<{ maxConcurrent: number; maxQueued: number }> = Object.freeze({
  maxConcurrent: 16,
  maxQueued: 256,
});

function slotCount(name: "maxConcurrent" | "maxQueued", value: number | undefined): number {
  value ??= DEFAULT_EXECUTOR_SETTINGS[name];
  if (!Number.isSafeInteger(value) || value < (name === "maxQueued" ? 0 : 1)) {
    throw new RangeError(
      `LocalExecutor option ${name} must be a whole number${name === "maxQueued" ? "" : " above 0"}, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

/**
 * Runs each script in a new Deno subprocess with no permissions, an empty
 * environment and `/` as its working directory; on Linux with bubblewrap,
 * inside the OS wall too (`osSandbox`, see {@linkcode LocalExecutor.walls}),
 * and in cgroups of its own where the host may make them. The executor keeps
 * one private temp dir (the prelude's copy and a Deno dir that never grows),
 * removed by {@linkcode LocalExecutor.close}. With a `pool`, children are
 * started ahead (inside the wall as well) and each waits for its code; every
 * child still runs one script only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../src/limits.ts";
 * import { LocalExecutor } from "./local.ts";
 * await using executor = new LocalExecutor({ pool: { size: 1 } });
 * const r = await executor.execute({
 *   executionId: "x", code: "return 1 + 1", limits: { ...DEFAULT_LIMITS },
 *   invoke: () => Promise.reject(new Error("no tools")),
 * });
 * assert.equal(r.result, 2);
 * ```
 */
export class LocalExecutor implements Executor {
  readonly #spawner: Spawner;
  readonly #inFlight = new Set<AbortController>();
  readonly #semaphore: Semaphore;
  readonly #slots: { maxConcurrent: number; maxQueued: number };
  readonly #pool: SandboxPool | undefined;
  // Children killed whose teardown has not finished: close() waits for them.
  readonly #teardowns = new Set<Promise<void>>();
  #closed = false;
  #running = 0;
  /** It honours recording, halting and a stoppable clock: executions can pause for approval. */
  readonly pausable = true;

  /**
   * Creates an executor; it starts no process until {@linkcode LocalExecutor.execute}
   * or, with a pool, {@linkcode LocalExecutor.warm}.
   * @param options where the Deno binary is, how many executions run at once, the warm pool, the OS wall.
   * @throws {RangeError} when `maxConcurrent`, `maxQueued`, a `pool` field or `osSandbox` is out of range.
   */
  constructor(options: LocalExecutorOptions = {}) {
    const mode = checkOsSandboxMode(options.osSandbox === undefined ? "auto" : options.osSandbox);
    // No Deno binary is reported by the first execution rather than here: a Codemode made only for types() needs none.
    const denoPath = sandboxDenoPath({ denoPath: options.denoPath });
    this.#spawner = denoPath instanceof Error
      ? new Spawner("deno", options.tempDir, mode, denoPath)
      : new Spawner(denoPath, options.tempDir, mode);
    this.#slots = {
      maxConcurrent: slotCount("maxConcurrent", options.maxConcurrent),
      maxQueued: slotCount("maxQueued", options.maxQueued),
    };
    this.#semaphore = new Semaphore(this.#slots.maxConcurrent, this.#slots.maxQueued);
    const pool = options.pool === undefined ? undefined : checkPoolOptions(options.pool);
    this.#pool = pool && pool.size > 0
      ? new SandboxPool(pool, (kind, background) => this.#startPooled(kind, background))
      : undefined;
  }

  /**
   * Starts filling the pool for executions with these limits (their
   * `memoryMb`, `maxRssMb` and `timeoutMs` fix a child when it starts), so
   * that the first one finds a child waiting; without it, the first execution
   * of a kind starts a fresh child and the pool fills for the next. A no-op
   * without a pool. `Codemode` calls it with its own limits.
   *
   * @param limits the limits executions will run with.
   */
  warm(limits: Pick<Limits, "memoryMb" | "maxRssMb" | "timeoutMs">): void {
    if (!this.#closed) this.#pool?.warm(limits);
  }

  /**
   * Counts of the warm pool: children waiting (and ready), started, taken.
   *
   * @returns the counts, or `undefined` without a pool.
   */
  poolStats(): PoolStats | undefined {
    return this.#pool?.stats();
  }

  /**
   * The walls between a script and the host here: Deno's permissions
   * (always), the OS wall (with `osSandbox: "auto"`, bubblewrap where the
   * host offers it), and the cgroup limits. The first call detects them
   * (once per process: a probe starts one sandbox); it never throws, and
   * `reason` and `cgroupReason` say what is missing.
   *
   * @returns what each child gets.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalExecutor } from "./local.ts";
   * await using executor = new LocalExecutor({ osSandbox: "off" });
   * const walls = await executor.walls();
   * assert.equal(walls.os, "none");
   * assert.equal(walls.reason, "turned off (osSandbox: off)");
   * ```
   */
  walls(): Promise<SandboxWalls> {
    return this.#spawner.walls();
  }

  /** Runs one script; see {@linkcode Executor.execute}. */
  async execute(request: ExecuteRequest): Promise<ExecutionResult> {
    const started = performance.now();
    const { limits } = request;
    const kill = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, kill.signal]) : kill.signal;
    if (this.#closed) kill.abort();
    this.#inFlight.add(kill);
    try {
      // Only executions hold a slot: children waiting in the pool do not count.
      const release = await this.#semaphore.acquire(signal);
      if (!release) {
        return refused(request, started, signal.aborted ? "killed" : "busy", this.#slots);
      }
      this.#pool?.running(++this.#running);
      try {
        const run = new SandboxRun({ ...request, signal }, await this.#process(limits));
        try {
          return await run.run();
        } finally {
          this.#teardown(run.finished);
        }
      } finally {
        release();
        this.#pool?.running(--this.#running);
      }
    } finally {
      this.#inFlight.delete(kill);
    }
  }

  /**
   * How busy the executor is: executions holding a slot (their sandbox
   * starting or running) and executions waiting for one.
   */
  load(): ExecutorLoad {
    return { running: this.#semaphore.running, queued: this.#semaphore.queued };
  }

  /** Kills every execution in flight and every pooled child, and refuses new executions. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const kill of this.#inFlight) kill.abort();
    await this.#pool?.close();
    while (this.#inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
    await Promise.all(this.#teardowns);
    await this.#spawner.close();
  }

  /** Same as {@linkcode LocalExecutor.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #teardown(finished: Promise<void>): void {
    const done = finished.catch(() => {}).finally(() => this.#teardowns.delete(done));
    this.#teardowns.add(done);
  }

  // A pooled child when one of this kind waits, else a fresh one.
  async #process(limits: Limits): Promise<SandboxProcess> {
    const pooled = this.#pool?.take(limits);
    let hostPaths: string[];
    try {
      hostPaths = await this.#spawner.hostPaths();
    } catch (e) {
      pooled?.child.kill();
      throw e;
    }
    if (pooled) return { ...pooled, hostPaths };
    return { ...await this.#spawner.spawn(limits), hostPaths };
  }

  #startPooled(kind: ChildKind, background: Background | undefined): Promise<Started> {
    return this.#spawner.spawn(kind, background);
  }
}

function refused(
  request: ExecuteRequest,
  started: number,
  reason: "busy" | "killed",
  slots: { maxConcurrent: number; maxQueued: number },
): ExecutionResult {
  const message = reason === "busy"
    ? `Too many executions: ${slots.maxConcurrent} running and ${slots.maxQueued} queued (maxConcurrent, maxQueued)`
    : "The execution was cancelled before it started";
  return {
    executionId: request.executionId,
    ok: false,
    stopReason: reason,
    error: hostError(reason === "busy" ? "BusyError" : "KilledError", message),
    logs: [],
    toolCalls: [],
    durationMs: Math.round(performance.now() - started),
  };
}
