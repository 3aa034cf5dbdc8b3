/**
 * The embedded executor: one fresh, zero-permission Deno child per execution.
 *
 * @module
 */
import { type SandboxProcess, SandboxRun } from "./_sandbox_run.ts";
import { Semaphore } from "./_semaphore.ts";
import type { ExecuteRequest, ExecutionResult, Executor, Limits } from "./types.ts";

/** Options for {@linkcode LocalExecutor}. */
export interface LocalExecutorOptions {
  /** The Deno binary that runs sandboxes. @default {Deno.execPath()} */
  denoPath?: string;
  /**
   * Where each sandbox's working dir and the executor's private Deno cache are
   * made, e.g. a size-limited tmpfs. @default {the system temp dir}
   */
  tempDir?: string;
}

const PRELUDE_URL = new URL("./sandbox/prelude.ts", import.meta.url);

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
 * import { DEFAULT_LIMITS, sandboxArgs } from "./mod.ts";
 * const args = sandboxArgs(DEFAULT_LIMITS, "/x/prelude.ts");
 * assert.ok(args.includes("--no-prompt"));
 * assert.ok(!args.some((a) => a.startsWith("--allow")));
 * ```
 */
export function sandboxArgs(limits: Limits, preludePath: string): string[] {
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
 * The command that starts one sandbox child: {@linkcode sandboxArgs}, an
 * environment holding only `NO_COLOR` and `DENO_DIR`, piped stdio, and its own
 * process group (so the whole group can be killed).
 *
 * @param denoPath the Deno binary.
 * @param limits the limits of the execution (for the heap cap).
 * @param module the module the child runs (the prelude).
 * @param dirs the child's working dir, and the Deno cache dir it may use.
 * @returns the command, not started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS, sandboxCommand } from "./mod.ts";
 * assert.ok(sandboxCommand(Deno.execPath(), DEFAULT_LIMITS, "/x.ts", { cwd: "/tmp", denoDir: "/tmp" }));
 * ```
 */
export function sandboxCommand(
  denoPath: string,
  limits: Limits,
  module: string,
  dirs: { cwd: string; denoDir: string },
): Deno.Command {
  return new Deno.Command(denoPath, {
    args: sandboxArgs(limits, module),
    cwd: dirs.cwd,
    clearEnv: true,
    // The DENO_DIR is private to the executor and removed by close(): the
    // children share the prelude's compiled form (a cold Deno cache costs
    // ~150 ms a start) but never touch the host's own Deno cache.
    env: { NO_COLOR: "1", DENO_DIR: dirs.denoDir },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  });
}

/**
 * Runs each script in a new Deno subprocess with no permissions, an empty
 * environment and a private temp working directory that is removed afterwards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS, LocalExecutor } from "./mod.ts";
 * await using executor = new LocalExecutor();
 * const r = await executor.execute({
 *   executionId: "x", code: "return 1 + 1", tools: [], limits: { ...DEFAULT_LIMITS },
 *   invoke: () => Promise.reject(new Error("no tools")),
 * });
 * assert.equal(r.result, 2);
 * ```
 */
export class LocalExecutor implements Executor {
  readonly #denoPath: string;
  readonly #tempDir?: string;
  readonly #inFlight = new Set<AbortController>();
  #semaphore: Semaphore | undefined;
  #preludePath: Promise<string> | undefined;
  #denoDir: Promise<string> | undefined;
  #closed = false;

  /**
   * Creates an executor; it starts no process until {@linkcode LocalExecutor.execute}.
   * @param options where the Deno binary is.
   */
  constructor(options: LocalExecutorOptions = {}) {
    this.#denoPath = options.denoPath ?? Deno.execPath();
    this.#tempDir = options.tempDir;
  }

  /** Runs one script; see {@linkcode Executor.execute}. */
  async execute(request: ExecuteRequest): Promise<ExecutionResult> {
    const started = performance.now();
    const { limits } = request;
    this.#semaphore ??= new Semaphore(limits.maxConcurrent, limits.maxQueued);
    const kill = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, kill.signal]) : kill.signal;
    if (this.#closed) kill.abort();
    this.#inFlight.add(kill);
    try {
      const release = await this.#semaphore.acquire(signal);
      if (!release) {
        return refused(request, started, signal.aborted ? "killed" : "busy");
      }
      try {
        const proc = await this.#spawn(limits);
        return await new SandboxRun({ ...request, signal }, proc).run();
      } finally {
        release();
      }
    } finally {
      this.#inFlight.delete(kill);
      if (this.#inFlight.size === 0) await this.#dropUserEmits();
    }
  }

  // Deno caches the transpiled form of every TypeScript module a script
  // imports (its own code included, as a data: URL) in DENO_DIR/gen/data.
  // Between executions nothing of a script's stays on disk.
  async #dropUserEmits(): Promise<void> {
    if (!this.#denoDir) return;
    const dir = await this.#denoDir;
    await Deno.remove(`${dir}/gen/data`, { recursive: true }).catch(() => {});
  }

  /** Kills every execution in flight and refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const kill of this.#inFlight) kill.abort();
    while (this.#inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
    if (this.#denoDir) await Deno.remove(await this.#denoDir, { recursive: true }).catch(() => {});
    this.#denoDir = undefined;
  }

  /** Same as {@linkcode LocalExecutor.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #spawn(limits: Limits): Promise<SandboxProcess> {
    const prelude = await (this.#preludePath ??= localPrelude());
    const denoDir = await (this.#denoDir ??= Deno.makeTempDir({ dir: this.#tempDir, prefix: "codemode-denodir-" }));
    const cwd = await Deno.makeTempDir({ dir: this.#tempDir, prefix: "codemode-" });
    try {
      const child = sandboxCommand(this.#denoPath, limits, prelude, { cwd, denoDir }).spawn();
      return { child, cwd };
    } catch (e) {
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
      throw e;
    }
  }
}

// When this module is loaded from a remote URL the child (run with
// --no-remote) cannot load the prelude from there, so it is copied to a file.
async function localPrelude(): Promise<string> {
  if (PRELUDE_URL.protocol === "file:") return PRELUDE_URL.pathname;
  const source = await (await fetch(PRELUDE_URL)).text();
  const path = await Deno.makeTempFile({
    prefix: "codemode-prelude-",
    suffix: ".ts",
  });
  await Deno.writeTextFile(path, source);
  return path;
}

function refused(
  request: ExecuteRequest,
  started: number,
  reason: "busy" | "killed",
): ExecutionResult {
  const message = reason === "busy"
    ? `Too many executions: ${request.limits.maxConcurrent} running and ${request.limits.maxQueued} queued (maxConcurrent, maxQueued)`
    : "The execution was cancelled before it started";
  return {
    executionId: request.executionId,
    ok: false,
    stopReason: reason,
    error: { name: reason === "busy" ? "BusyError" : "KilledError", message },
    logs: [],
    toolCalls: [],
    durationMs: Math.round(performance.now() - started),
  };
}
