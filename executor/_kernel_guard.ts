// What the kernel enforces on a sandbox child so that it never outlives its
// host, however the host ends: util-linux's `setpriv --pdeathsig KILL` (the
// kernel kills the child when the thread that started it dies: the host's
// main JS thread, since a spawn forks from the thread that calls it) and
// `prlimit --cpu` (a CPU-time limit the kernel enforces even on a child that
// lost its host). Where util-linux is missing (not Linux), the child is
// started directly and only the host's own cleanup applies.
//
// util-linux's `setsid` also gives the child its own session and process
// group (so its whole group can be killed). Asking the spawn for that
// instead (`detached`) makes Deno fork the host, copying its page tables:
// 2.5–4 ms of the host's main thread per child, against 0.5–1 ms for the
// `posix_spawn` it uses otherwise (`tests/bench/`).

/** The kernel mechanisms applied to each sandbox child. */
export interface KernelGuards {
  /** The child gets SIGKILL when its host dies (`setpriv --pdeathsig KILL`). */
  parentDeathSignal: boolean;
  /** The child is killed by the kernel past its CPU-time limit (`prlimit --cpu`). */
  cpuTimeLimit: boolean;
}

const SEARCH_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

let tools: { setpriv?: string; prlimit?: string; setsid?: string } | undefined;

function findTools(): { setpriv?: string; prlimit?: string; setsid?: string } {
  if (tools) return tools;
  tools = {};
  if (Deno.build.os !== "linux") return tools;
  for (const name of ["setpriv", "prlimit", "setsid"] as const) {
    for (const dir of SEARCH_DIRS) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) {
          tools[name] = `${dir}/${name}`;
          break;
        }
      } catch { /* not there, or not ours to read */ }
    }
  }
  return tools;
}

/**
 * Stops using the guards, for a host not allowed to run them (e.g. a host
 * started with `--allow-run=deno` only): its children are started directly.
 */
export function dropKernelGuards(): void {
  tools = {};
}

/**
 * The kernel guards sandbox children get on this machine.
 *
 * @returns which mechanisms apply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelGuards } from "./_kernel_guard.ts";
 * assert.equal(typeof kernelGuards().parentDeathSignal, "boolean");
 * ```
 */
export function kernelGuards(): KernelGuards {
  const { setpriv, prlimit } = findTools();
  return { parentDeathSignal: setpriv !== undefined, cpuTimeLimit: prlimit !== undefined };
}

/**
 * The CPU-time backstop for a child with wall-clock limit `timeoutMs`: twice
 * the timeout plus 2 s, so that the host's own timeout always comes first for
 * a child using up to two cores.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuSecondsFor } from "./_kernel_guard.ts";
 * assert.equal(cpuSecondsFor(30_000), 62);
 * ```
 */
export function cpuSecondsFor(timeoutMs: number): number {
  return Math.ceil((2 * timeoutMs) / 1000) + 2;
}

/**
 * Wraps `program args` in the kernel guards available here.
 *
 * @returns the program and arguments to spawn instead, and whether the spawn
 * must make the child its own process group (`detached`): false when
 * `setsid` does it.
 */
export function guardCommand(
  program: string,
  args: string[],
  timeoutMs: number,
): { program: string; args: string[]; detached: boolean } {
  const { setpriv, prlimit, setsid } = findTools();
  let wrapped = { program, args };
  if (setsid) wrapped = { program: setsid, args: ["--", wrapped.program, ...wrapped.args] };
  if (setpriv) wrapped = { program: setpriv, args: ["--pdeathsig", "KILL", "--", wrapped.program, ...wrapped.args] };
  if (prlimit) {
    const cpu = cpuSecondsFor(timeoutMs);
    // Soft and hard limit alike: the kernel sends SIGKILL, not SIGXCPU (which
    // would dump core); no core file either way.
    wrapped = { program: prlimit, args: [`--cpu=${cpu}:${cpu}`, "--core=0", "--", wrapped.program, ...wrapped.args] };
  }
  return { ...wrapped, detached: setsid === undefined };
}
