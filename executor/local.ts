/**
 * The embedded executor: one fresh, zero-permission Deno child per execution.
 *
 * @module
 */
import { type SandboxProcess, SandboxRun } from "./_sandbox_run.ts";
import { Semaphore } from "./_semaphore.ts";
import { dropKernelGuards, guardCommand, kernelGuards } from "./_kernel_guard.ts";
import { type SandboxChild, spawnChild, type SpawnSpec } from "./_child.ts";
import { liveHomes, makeHome, type SandboxHome, track } from "./_home.ts";
import { missingDeno, sandboxDenoPath } from "./_deno_path.ts";
import { checkPoolOptions, type ChildKind, type PoolOptions, type PoolStats, SandboxPool } from "./_pool.ts";

export { DEFAULT_IDLE_TIMEOUT_MS, MAX_IDLE_TIMEOUT_MS, MAX_POOL_SIZE } from "./_pool.ts";
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
 * The flags every sandbox child runs with: no permission of any kind, every
 * permission explicitly denied as well, no config, lock file, remote or npm
 * modules, and a V8 heap cap.
 *
 * @param limits the limits of the execution (for the heap cap).
 * @param preludePath the prelude module's path.
 * @returns the arguments to `deno`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../src/limits.ts";
 * import { sandboxArgs } from "./local.ts";
 * const args = sandboxArgs(DEFAULT_LIMITS, "/x/prelude.js");
 * assert.ok(args.includes("--no-prompt"));
 * assert.ok(!args.some((a) => a.startsWith("--allow")));
 * ```
 */
export function sandboxArgs(limits: Pick<Limits, "memoryMb">, preludePath: string): string[] {
  return [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--no-remote",
    "--no-npm",
    "--no-code-cache",
    "--deny-read",
    "--deny-write",
    "--deny-net",
    "--deny-env",
    "--deny-run",
    "--deny-ffi",
    "--deny-sys",
    "--deny-import",
    `--v8-flags=--max-old-space-size=${limits.memoryMb}`,
    preludePath,
  ];
}

/**
 * What starts one sandbox child: {@linkcode sandboxArgs} wrapped in the
 * kernel guards available here, `/`-like working dir, and an environment
 * holding only `NO_COLOR`, `DENO_DIR`, `DENO_EMIT_CACHE_MODE` and
 * `DENO_DISABLE_NODE_SHIM` (without it, Deno 2.9's `deno run` adds a
 * `node_compat_bin` dir of its Deno dir to its own `PATH`, sets
 * `DENO_NODE_SHIM_ACTIVE`, and writes a `node` symlink to the host's Deno
 * binary into the Deno dir). On Linux with util-linux, the kernel kills the
 * child when its host dies (`setpriv --pdeathsig KILL`) and past a CPU-time
 * limit derived from `timeoutMs` (`prlimit --cpu`).
 *
 * @param denoPath the Deno binary.
 * @param limits the limits of the execution (for the heap cap and the CPU-time backstop).
 * @param module the module the child runs (the prelude).
 * @param dirs the child's working dir (`/` for sandboxes), and its Deno dir.
 * @returns the program, arguments, working dir and whole environment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../src/limits.ts";
 * import { sandboxSpec } from "./local.ts";
 * const spec = sandboxSpec(Deno.execPath(), DEFAULT_LIMITS, "/x.js", { cwd: "/", denoDir: "/tmp/d" });
 * assert.deepEqual(Object.keys(spec.env).sort(), ["DENO_DIR", "DENO_DISABLE_NODE_SHIM", "DENO_EMIT_CACHE_MODE", "NO_COLOR"]);
 * ```
 */
export function sandboxSpec(
  denoPath: string,
  limits: Pick<Limits, "memoryMb" | "timeoutMs">,
  module: string,
  dirs: { cwd: string; denoDir: string },
): SpawnSpec {
  const { program, args, detached } = guardCommand(denoPath, sandboxArgs(limits, module), limits.timeoutMs);
  return {
    program,
    args,
    detached,
    cwd: dirs.cwd,
    // The DENO_DIR is private to the executor and removed by close(); no
    // transpiled source is cached in it (the prelude is JavaScript, and the
    // script's emit would be its source), and the host's own cache is never touched.
    env: { NO_COLOR: "1", DENO_DIR: dirs.denoDir, DENO_EMIT_CACHE_MODE: "disable", DENO_DISABLE_NODE_SHIM: "1" },
  };
}

/**
 * {@linkcode sandboxSpec} as a `Deno.Command`: piped stdio and its own
 * process group (so the whole group can be killed). The executor starts its
 * children with `node:child_process` (`executor/_child.ts`), which reads
 * their pipes faster; the child is the same.
 *
 * @param denoPath the Deno binary.
 * @param limits the limits of the execution (for the heap cap and the CPU-time backstop).
 * @param module the module the child runs (the prelude).
 * @param dirs the child's working dir (`/` for sandboxes), and its Deno dir.
 * @returns the command, not started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../src/limits.ts";
 * import { sandboxCommand } from "./local.ts";
 * assert.ok(sandboxCommand(Deno.execPath(), DEFAULT_LIMITS, "/x.ts", { cwd: "/tmp", denoDir: "/tmp" }));
 * ```
 */
export function sandboxCommand(
  denoPath: string,
  limits: Pick<Limits, "memoryMb" | "timeoutMs">,
  module: string,
  dirs: { cwd: string; denoDir: string },
): Deno.Command {
  const { program, args, cwd, env, detached } = sandboxSpec(denoPath, limits, module, dirs);
  return new Deno.Command(program, {
    args,
    cwd,
    clearEnv: true,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached,
  });
}

/**
 * Runs each script in a new Deno subprocess with no permissions, an empty
 * environment and `/` as its working directory. The executor keeps one private
 * temp dir (the prelude's copy and a Deno dir that never grows), removed by
 * {@linkcode LocalExecutor.close}. With a `pool`, children are started ahead
 * and each waits for its code; every child still runs one script only.
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
  readonly #denoPath: string;
  // Why no sandbox can start (no Deno binary), reported by the first execution rather than the constructor:
  // a Codemode made only for types() never needs one.
  readonly #denoProblem: Error | undefined;
  readonly #tempDir?: string;
  readonly #inFlight = new Set<AbortController>();
  readonly #semaphore: Semaphore;
  readonly #slots: { maxConcurrent: number; maxQueued: number };
  readonly #pool: SandboxPool | undefined;
  // Children killed whose teardown has not finished: close() waits for them.
  readonly #teardowns = new Set<Promise<void>>();
  #home: Promise<SandboxHome> | undefined;
  #closed = false;
  #running = 0;

  /**
   * Creates an executor; it starts no process until {@linkcode LocalExecutor.execute}
   * or, with a pool, {@linkcode LocalExecutor.warm}.
   * @param options where the Deno binary is, how many executions run at once, the warm pool.
   * @throws {RangeError} when `maxConcurrent`, `maxQueued` or a `pool` field is out of range.
   */
  constructor(options: LocalExecutorOptions = {}) {
    const denoPath = sandboxDenoPath({ denoPath: options.denoPath });
    this.#denoPath = denoPath instanceof Error ? "deno" : denoPath;
    this.#denoProblem = denoPath instanceof Error ? denoPath : undefined;
    this.#tempDir = options.tempDir;
    this.#slots = {
      maxConcurrent: slotCount("maxConcurrent", options.maxConcurrent),
      maxQueued: slotCount("maxQueued", options.maxQueued),
    };
    this.#semaphore = new Semaphore(this.#slots.maxConcurrent, this.#slots.maxQueued);
    const pool = options.pool === undefined ? undefined : checkPoolOptions(options.pool);
    this.#pool = pool && pool.size > 0 ? new SandboxPool(pool, (kind) => this.#startPooled(kind)) : undefined;
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
    const home = this.#home;
    this.#home = undefined;
    if (!home) return;
    const { root } = await home.catch(() => ({ root: undefined }));
    if (!root) return;
    await Deno.remove(root, { recursive: true }).catch(() => {});
    liveHomes.delete(root);
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
    const home = await this.#madeHome();
    const hostPaths = [home.root, this.#denoPath];
    if (pooled) return { ...pooled, hostPaths };
    return { child: this.#spawn(home, limits), hostPaths };
  }

  async #startPooled(kind: ChildKind): Promise<SandboxChild> {
    return this.#spawn(await this.#madeHome(), kind);
  }

  async #madeHome(): Promise<SandboxHome> {
    // A pool's fill that was under way when close() ran must not make a private dir no one removes.
    if (this.#closed) throw new Error("The executor is closed");
    const making = this.#home ??= this.#checkedDeno().then(() => makeHome(this.#tempDir));
    return await making.catch((e) => {
      if (this.#home === making) this.#home = undefined;
      throw e;
    });
  }

  // Once per private dir, before the first child: a wrong path is one clear error, not a child exiting with 127.
  #checkedDeno(): Promise<void> {
    const problem = this.#denoProblem ?? missingDeno(this.#denoPath);
    return problem ? Promise.reject(problem) : Promise.resolve();
  }

  #spawn(home: SandboxHome, limits: Pick<Limits, "memoryMb" | "timeoutMs">): SandboxChild {
    const start = () =>
      spawnChild(sandboxSpec(this.#denoPath, limits, home.prelude, { cwd: "/", denoDir: home.denoDir }));
    let child: SandboxChild;
    try {
      child = start();
    } catch (e) {
      // A host that may run Deno but not util-linux's wrappers runs its children without them.
      const guarded = kernelGuards();
      if (!(e instanceof Deno.errors.NotCapable) || !(guarded.cpuTimeLimit || guarded.parentDeathSignal)) throw e;
      dropKernelGuards();
      child = start();
    }
    track(child, home.root);
    return child;
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
