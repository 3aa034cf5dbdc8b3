// What the host knows of a child's resources: its peak resident memory and,
// where the kernel enforces the limits (a cgroup of its own, `_cgroups.ts`),
// whether the kernel ended it for memory or refused it a process or thread.
// Without a cgroup the peak is read from the child's VmHWM (the kernel's own
// high-water mark, so a spike between two polls is not missed).

/** How the resident-memory cap of a child is enforced. */
export type MemoryEnforcement = "cgroup" | "polling";

/** One child's resources: its peak memory and, with a cgroup, the kernel's verdicts. */
export interface MemoryCap {
  /** How the cap is enforced for this child. */
  readonly enforcedBy: MemoryEnforcement;
  /** Peak resident memory so far, in bytes (0 when unknown). */
  peakBytes(): number;
  /** Whether the kernel ended the child for going over the cap. */
  killedByKernel(): boolean;
  /** Whether the kernel refused the child a process or thread past its pids limit. */
  pidsLimitHit(): boolean;
  /** Removes what was made for the child (after it has exited). */
  dispose(): Promise<void>;
}

/**
 * A cap the host polls: the peak resident set of the process that runs Deno.
 *
 * @param pid the host pid of the process that runs Deno, once known (a walled child's starts a moment after its bwrap).
 */
export class PolledCap implements MemoryCap {
  readonly enforcedBy: MemoryEnforcement = "polling";
  readonly #pid: () => number | undefined;
  #peak = 0;

  constructor(pid: () => number | undefined) {
    this.#pid = pid;
  }

  peakBytes(): number {
    const pid = this.#pid();
    if (pid !== undefined) this.#peak = Math.max(this.#peak, highWaterMark(pid));
    return this.#peak;
  }

  killedByKernel(): boolean {
    return false;
  }

  pidsLimitHit(): boolean {
    return false;
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

// VmHWM of /proc/<pid>/status, in bytes; 0 when it cannot be read (not
// Linux, or the process is gone).
function highWaterMark(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readSmall(`/proc/${pid}/status`))?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/** A small kernel file's text, or `""` when it cannot be read. */
export function readSmall(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
