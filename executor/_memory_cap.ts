// The child's resident memory, capped by the kernel where the host can make a
// memory cgroup (Linux, cgroup v1 memory controller, root), and measured from
// its peak resident set (VmHWM: the kernel's own high-water mark, so a spike
// between two polls is not missed) everywhere on Linux.
import { sweepStaleGroups } from "./_cgroup_sweep.ts";

/** How the resident-memory cap of a child is enforced. */
export type MemoryEnforcement = "cgroup" | "polling";

/** One child's memory: its peak and, with a cgroup, the kernel's verdict. */
export interface MemoryCap {
  /** How the cap is enforced for this child. */
  readonly enforcedBy: MemoryEnforcement;
  /** Peak resident memory so far, in bytes (0 when unknown). */
  peakBytes(): number;
  /** Whether the kernel ended the child for going over the cap. */
  killedByKernel(): boolean;
  /** Removes what was made for the child (after it has exited). */
  dispose(): Promise<void>;
}

let cgroupRoot: Promise<string | undefined> | undefined;
let serial = 0;

/**
 * Puts a started child under a `limitBytes` memory cap: a cgroup of its own
 * where possible, VmHWM readings otherwise. Call before the child runs any
 * user code (the prelude waits for its code on stdin).
 */
export async function capMemory(pid: number, limitBytes: number): Promise<MemoryCap> {
  const root = await (cgroupRoot ??= findCgroupRoot());
  if (root) {
    sweepStaleGroups(root);
    // A random part as well: a dead host whose pid this process now has may have left its groups behind.
    const dir = `${root}/codemode-${Deno.pid}-${serial++}-${crypto.randomUUID().slice(0, 8)}`;
    // Making the group and setting its limit are short synchronous calls into
    // the kernel's cgroup fs, cheaper than a trip to Deno's I/O threads.
    // Moving a process into it is not: the kernel may wait for an RCU grace
    // period (5–8 ms here when no other move happened just before), so that
    // write goes to an I/O thread and the host's event loop runs meanwhile.
    try {
      Deno.mkdirSync(dir);
      Deno.writeTextFileSync(`${dir}/memory.limit_in_bytes`, String(limitBytes));
      try {
        // With swap, the limit on memory+swap keeps the child from swapping past the cap.
        Deno.writeTextFileSync(`${dir}/memory.memsw.limit_in_bytes`, String(limitBytes));
      } catch { /* no swap accounting */ }
      await Deno.writeTextFile(`${dir}/cgroup.procs`, String(pid));
      return new CgroupCap(dir, pid);
    } catch {
      await Deno.remove(dir).catch(() => {});
    }
  }
  return new PolledCap(pid);
}

class PolledCap implements MemoryCap {
  readonly enforcedBy: MemoryEnforcement = "polling";
  #peak = 0;
  constructor(readonly pid: number) {}

  peakBytes(): number {
    this.#peak = Math.max(this.#peak, highWaterMark(this.pid));
    return this.#peak;
  }

  killedByKernel(): boolean {
    return false;
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

class CgroupCap extends PolledCap {
  override readonly enforcedBy: MemoryEnforcement = "cgroup";
  readonly #dir: string;

  constructor(dir: string, pid: number) {
    super(pid);
    this.#dir = dir;
  }

  override peakBytes(): number {
    const max = Number(readSmall(`${this.#dir}/memory.max_usage_in_bytes`));
    return Math.max(super.peakBytes(), Number.isFinite(max) ? max : 0);
  }

  override killedByKernel(): boolean {
    const kills = /^oom_kill (\d+)$/m.exec(readSmall(`${this.#dir}/memory.oom_control`))?.[1];
    return kills !== undefined ? Number(kills) > 0 : Number(readSmall(`${this.#dir}/memory.failcnt`)) > 0;
  }

  override async dispose(): Promise<void> {
    // The child is reaped before this runs; a cgroup with no task can go.
    await Deno.remove(this.#dir).catch(() => {});
  }
}

// VmHWM of /proc/<pid>/status, in bytes; 0 when it cannot be read (not
// Linux, or the process is gone).
function highWaterMark(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readSmall(`/proc/${pid}/status`))?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

function readSmall(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

// The host's own v1 memory cgroup, if it can make groups under it: the
// children's groups go there, so the host's own limits still bound them.
async function findCgroupRoot(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return undefined;
  const line = readSmall("/proc/self/cgroup").split("\n").find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  if (!line) return undefined;
  const own = line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1);
  for (const root of [`/sys/fs/cgroup/memory${own === "/" ? "" : own}`, "/sys/fs/cgroup/memory"]) {
    const probe = `${root}/codemode-probe-${Deno.pid}`;
    try {
      await Deno.mkdir(probe);
      await Deno.remove(probe);
      return root;
    } catch { /* not ours to use */ }
  }
  return undefined;
}
