// Refilling the warm pool must not take CPU from the executions running
// meanwhile. Where the host can make cgroup v1 `cpu` groups (Linux, root, as
// on the machines this is tested on), a child started ahead gets a group of
// its own with a low weight (`cpu.shares`; 1024 is every ordinary process's),
// raised to the ordinary weight when an execution takes it: it starts up on
// CPU time nobody else wants, and runs its script like any other process.
// Moving a process between groups can wait for an RCU grace period (5–8 ms
// here), so it is done once, when the child starts, on an I/O thread;
// raising the weight is one small write. Elsewhere the pool starts children
// only while none of its executor's executions runs.
import { sweepStaleGroups } from "./_cgroup_sweep.ts";

/** The low weight of one child started ahead. */
export interface CpuWeight {
  /** Gives the child the ordinary weight (it was taken by an execution). */
  raise(): void;
  /** Removes the child's group, once the child is gone. */
  dispose(): Promise<void>;
}

/**
 * The weight of a child starting ahead, against 1024 for every ordinary
 * process: about 1/32 of a core while it competes with one of them.
 */
export const BACKGROUND_CPU_SHARES = 32;
const ORDINARY_CPU_SHARES = 1024;

let ownGroup: string | null | undefined;
let serial = 0;

/** Whether children can get a low CPU weight on this host. */
export function canLowerCpuWeight(): boolean {
  return (ownGroup ??= findOwnGroup() ?? null) !== null;
}

/**
 * Puts a started child in a cpu group of its own with a low weight, or
 * returns `undefined` where the host cannot.
 */
export async function lowerCpuWeight(pid: number): Promise<CpuWeight | undefined> {
  if (!canLowerCpuWeight()) return undefined;
  sweepStaleGroups(ownGroup!);
  const dir = `${ownGroup}/codemode-${Deno.pid}-cpu-${serial++}`;
  try {
    Deno.mkdirSync(dir);
    Deno.writeTextFileSync(`${dir}/cpu.shares`, String(BACKGROUND_CPU_SHARES));
    await Deno.writeTextFile(`${dir}/cgroup.procs`, String(pid));
  } catch {
    await Deno.remove(dir).catch(() => {});
    return undefined;
  }
  return {
    raise: () => {
      try {
        Deno.writeTextFileSync(`${dir}/cpu.shares`, String(ORDINARY_CPU_SHARES));
      } catch { /* the group is gone with its child */ }
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
