// What the kernel enforces on a sandbox child so that it never outlives its
// host, however the host ends: util-linux's `setpriv --pdeathsig KILL` (the
// kernel kills the child when the thread that started it dies: the host's
// main JS thread, since a spawn forks from the thread that calls it) and
// `prlimit --cpu` (a CPU-time limit the kernel enforces even on a child that
// lost its host). Where util-linux is missing (not Linux), the child is
// started directly and only the host's own cleanup applies. Where the child
// joins cgroups of its own (`_cgroups.ts`), `/bin/sh` sets the CPU-time limit
// instead of prlimit (`ulimit -t`) and joins them before it execs the rest:
// one process, as many hops as before.
//
// util-linux's `setsid` also gives the child its own session and process
// group (so its whole group can be killed). Asking the spawn for that
// instead (`detached`) makes Deno fork the host, copying its page tables:
// 2.5–4 ms of the host's main thread per child, against 0.5–1 ms for the
// `posix_spawn` it uses otherwise (`tests/bench/`). Inside the OS wall
// (`_os_wall.ts`) bwrap does both jobs itself.

/** The kernel mechanisms applied to each sandbox child. */
export interface KernelGuards {
  /** The child gets SIGKILL when its host dies (`setpriv --pdeathsig KILL`, or bwrap's `--die-with-parent`). */
  parentDeathSignal: boolean;
  /** The child is killed by the kernel past its CPU-time limit (`prlimit --cpu`, or the shell's `ulimit -t`). */
  cpuTimeLimit: boolean;
  /** A child can join its cgroups before it runs (a POSIX shell at `/bin/sh`). */
  cgroupJoin: boolean;
}

const SEARCH_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

type Tools = { setpriv?: string; prlimit?: string; setsid?: string; sh?: string };
let tools: Tools | undefined;

function findTools(): Tools {
  if (tools) return tools;
  tools = {};
  if (Deno.build.os !== "linux") return tools;
  for (const name of ["setpriv", "prlimit", "setsid", "sh"] as const) {
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
  const { setpriv, prlimit, sh } = findTools();
  return {
    parentDeathSignal: setpriv !== undefined,
    cpuTimeLimit: prlimit !== undefined || sh !== undefined,
    cgroupJoin: sh !== undefined,
  };
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

// Sets the CPU-time limit (soft and hard alike: the kernel sends SIGKILL, not
// SIGXCPU, which would dump core) and no core file, like `prlimit`, writes
// itself into each cgroup file given before `--` (`0`: the writer itself;
// under v1 that skips the grace period a move by pid waits for), and execs
// the rest. A write that fails ends it (exit 125) before anything of the
// child runs: a child never starts outside its limits. The script is a
// constant; paths and the command arrive as arguments, never as shell text.
const JOIN_AND_EXEC = 'ulimit -c 0 && ulimit -t "$1" && shift && ' +
  'while [ "$1" != -- ]; do echo 0 >"$1" || exit 125; shift; done && shift && exec "$@"';

/** What {@linkcode guardCommand} wraps, and how. */
export interface GuardOptions {
  /** Cgroup files the child joins before it runs (`_cgroups.ts`); needs {@linkcode KernelGuards.cgroupJoin}. */
  join?: readonly string[];
  /**
   * The command is an OS wall (`_os_wall.ts`): it gives the child its own
   * session and ties it to its host itself (bwrap's `--new-session` and
   * `--die-with-parent`), so neither `setpriv --pdeathsig` nor `setsid` is
   * added, and killing the wall's own process ends everything inside it.
   */
  walled?: boolean;
}

/**
 * Wraps `program args` in the kernel guards available here.
 *
 * @returns the program and arguments to spawn instead; whether the spawn
 * must make the child its own process group (`detached`: false when `setsid`
 * does it, or the wall does what it is for); and whether the child joins the
 * `join` cgroups (false where no shell can do it: the caller then polls).
 */
export function guardCommand(
  program: string,
  args: string[],
  timeoutMs: number,
  options: GuardOptions = {},
): { program: string; args: string[]; detached: boolean; joined: boolean } {
  const { setpriv, prlimit, setsid, sh } = findTools();
  let wrapped = { program, args };
  if (!options.walled && setsid) wrapped = { program: setsid, args: ["--", wrapped.program, ...wrapped.args] };
  if (!options.walled && setpriv) {
    wrapped = { program: setpriv, args: ["--pdeathsig", "KILL", "--", wrapped.program, ...wrapped.args] };
  }
  const cpu = cpuSecondsFor(timeoutMs);
  const join = options.join ?? [];
  const joined = join.length > 0 && sh !== undefined;
  if (joined) {
    // One process does what prlimit would, and the joins: no extra hop on the child's start.
    const limits = ["-c", JOIN_AND_EXEC, "codemode", String(cpu), ...join, "--"];
    wrapped = { program: sh!, args: [...limits, wrapped.program, ...wrapped.args] };
  } else if (prlimit) {
    wrapped = { program: prlimit, args: [`--cpu=${cpu}:${cpu}`, "--core=0", "--", wrapped.program, ...wrapped.args] };
  }
  return { ...wrapped, detached: !options.walled && setsid === undefined, joined };
}
