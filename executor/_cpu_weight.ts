// Refilling the warm pool must not take CPU from the executions running
// meanwhile. Where the host can make cgroup v1 `cpu` groups (Linux, root, as
// on the machines this is tested on), a child started ahead starts up and
// warms up in a group of low weight (`cpu.shares`; 1024 is every ordinary
// process's), on CPU time nobody else wants, and joins the host's own group
// once it waits for its code: it runs its script like any other process, in
// the same group as a fresh child (a child whose group's weight was raised
// only when it was taken woke 2–4 ms later for its first tool call). The
// child enters the group before it runs (its wrapper writes itself into the
// group's `tasks`, `_kernel_guard.ts`), so every process of it, its OS wall
// included, starts there; leaving moves each of them by pid, which can wait
// for an RCU grace period (5–8 ms here), so it goes to an I/O thread, off any
// execution's path. Elsewhere the pool starts children only while none of
// its executor's executions runs.
import { sweepStaleGroups } from "./_cgroup_sweep.ts";
import { kernelGuards } from "./_kernel_guard.ts";

/** A cpu group of low weight for children starting ahead. */
export interface Background {
  /** The file a starting child's wrapper writes itself into (the group's v1 `tasks`). */
  readonly join: string;
  /** Moves processes (all their threads) back into the host's own group. */
  leave(pids: readonly number[]): Promise<void>;
  /** Removes the group (its processes must have left, or be gone). */
  dispose(): Promise<void>;
}

/**
 * The weight of a child starting ahead, against 1024 for every ordinary
 * process: about 1/32 of a core while it competes with one of them.
 */
export const BACKGROUND_CPU_SHARES = 32;

let ownGroup: string | null | undefined;
let serial = 0;

/** Whether children can start with a low CPU weight on this host. */
export function canLowerCpuWeight(): boolean {
  return (ownGroup ??= (kernelGuards().cgroupJoin ? findOwnGroup() : undefined) ?? null) !== null;
}

/** Makes a low-weight cpu group under the host's own, or returns `undefined` where the host cannot. */
export function backgroundGroup(): Background | undefined {
  if (!canLowerCpuWeight()) return undefined;
  const own = ownGroup!;
  sweepStaleGroups(own);
  // A random part as well: a dead host whose pid this process now has may have left its groups behind.
  const dir = `${own}/codemode-${Deno.pid}-pool-${serial++}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    Deno.mkdirSync(dir);
    Deno.writeTextFileSync(`${dir}/cpu.shares`, String(BACKGROUND_CPU_SHARES));
  } catch {
    try {
      Deno.removeSync(dir);
    } catch { /* never made */ }
    return undefined;
  }
  return {
    join: `${dir}/tasks`,
    async leave(pids) {
      for (const pid of pids) await Deno.writeTextFile(`${own}/cgroup.procs`, String(pid)).catch(() => {});
    },
    dispose: () => Deno.remove(dir).catch(() => {}),
  };
}

// The directory of the host's own v1 cpu group, if it can make groups in it.
function findOwnGroup(): string | undefined {
  if (Deno.build.os !== "linux") return undefined;
  let table: string;
  try {
    table = Deno.readTextFileSync("/proc/self/cgroup");
  } catch {
    return undefined;
  }
  const line = table.split("\n").find((l) => /^\d+:([^:]*,)?cpu(,[^:]*)?:/.test(l));
  if (!line) return undefined;
  const controllers = line.split(":")[1];
  const own = line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1);
  for (const mount of [`/sys/fs/cgroup/${controllers}`, "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"]) {
    const dir = `${mount}${own === "/" ? "" : own}`;
    const probe = `${dir}/codemode-probe-${Deno.pid}`;
    try {
      Deno.mkdirSync(probe);
      Deno.removeSync(probe);
      return dir;
    } catch { /* not this mount, or not ours to use */ }
  }
  return undefined;
}
