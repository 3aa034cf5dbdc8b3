// Resource limits the kernel enforces: where the host may make cgroups (v1
// with the memory and pids controllers, or v2 with both enabled), each child
// gets a group of its own with a memory limit (`maxRssMb`) and a pids limit,
// and joins it before it runs anything: the wrapper that starts it writes
// itself into the group, then execs the rest (`_kernel_guard.ts`), so every
// process and thread of the child, its OS wall included, is in the group
// from the start, and the limits are exact rather than polled. Under v1 the
// wrapper writes `0` to the group's `tasks`, which moves only itself and
// skips the RCU grace period (5–15 ms) a move by pid costs; v2 has only
// `cgroup.procs`. Elsewhere the host polls the child's peak resident set.
import { sweepStaleGroups } from "./_cgroup_sweep.ts";
import { type MemoryEnforcement, PolledCap, readSmall } from "./_memory_cap.ts";

/** The cgroup version the children's limits use, or `none`. */
export type CgroupVersion = "v1" | "v2" | "none";

/** What the host may do with cgroups. */
export interface CgroupSupport {
  /** `v1`, `v2`, or `none` (limits polled). */
  readonly version: CgroupVersion;
  /** The limits the kernel enforces per child. */
  readonly controllers: readonly ("memory" | "pids")[];
  /** Why the kernel does not enforce them, when it does not. */
  readonly reason?: string;
}

/**
 * Processes and threads one child may have at once: a waiting Deno child
 * runs 5–7 threads (plus bwrap's two processes in the wall), each `Worker`
 * one or two more. A fork storm (possible only with Deno's permissions
 * opened) stops here.
 */
export const CHILD_PIDS_MAX = 64;

type Layout =
  | { version: "v1"; memory: string; pids?: string }
  | { version: "v2"; parent: string };

let layout: Layout | { version: "none"; reason: string } | undefined;
let serial = 0;

/**
 * Which cgroups children get here, found once per process (by making and
 * removing a probe group).
 *
 * @returns the version and controllers, or why there are none.
 */
export function cgroupSupport(): CgroupSupport {
  const found = layout ??= findLayout();
  if (found.version === "none") return { version: "none", controllers: [], reason: found.reason };
  const pids = found.version === "v2" || found.pids !== undefined;
  return { version: found.version, controllers: pids ? ["memory", "pids"] : ["memory"] };
}

/** One child's groups: the files its wrapper writes itself into, and its cap. */
export interface ChildGroups {
  /** Files the wrapper writes `0` into before it execs the child. */
  join: string[];
  /**
   * The child's memory and pids verdicts, read from the groups, once it
   * knows its Deno process ({@linkcode CgroupCap.watch}).
   */
  cap: CgroupCap;
}

/**
 * Makes the groups of one child, with its limits set.
 *
 * @param maxRssMb the child's memory limit, in MiB.
 * @returns the groups, or `undefined` where the host cannot make them.
 */
export function makeChildGroups(maxRssMb: number): ChildGroups | undefined {
  cgroupSupport();
  const found = layout!;
  if (found.version === "none") return undefined;
  // A random part as well: a dead host whose pid this process now has may have left its groups behind.
  const name = `codemode-${Deno.pid}-${serial++}-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = String(maxRssMb * 1_048_576);
  const made: string[] = [];
  try {
    if (found.version === "v2") {
      const dir = make(`${found.parent}/${name}`, made);
      write(`${dir}/memory.max`, bytes);
      tryWrite(`${dir}/memory.swap.max`, "0");
      write(`${dir}/pids.max`, String(CHILD_PIDS_MAX));
      return { join: [`${dir}/cgroup.procs`], cap: new CgroupCap("v2", dir, undefined) };
    }
    const memory = make(`${found.memory}/${name}`, made);
    write(`${memory}/memory.limit_in_bytes`, bytes);
    // With swap, the limit on memory+swap keeps the child from swapping past the cap.
    tryWrite(`${memory}/memory.memsw.limit_in_bytes`, bytes);
    const pids = found.pids === undefined ? undefined : make(`${found.pids}/${name}`, made);
    if (pids) write(`${pids}/pids.max`, String(CHILD_PIDS_MAX));
    return { join: made.map((dir) => `${dir}/tasks`), cap: new CgroupCap("v1", memory, pids) };
  } catch {
    for (const dir of made) removeGroup(dir);
    return undefined;
  }
}

/**
 * A child's cgroups. The kernel holds what the group is charged (anonymous
 * memory, page tables, its tmpfs) under `maxRssMb`; the peak reported is the
 * larger of the group's and the Deno process's own peak resident set
 * (VmHWM), which also counts the binary's shared pages, so `maxRssMb` still
 * means resident memory, as where it is only polled.
 */
export class CgroupCap extends PolledCap {
  override readonly enforcedBy: MemoryEnforcement = "cgroup";
  readonly #version: "v1" | "v2";
  readonly #memory: string;
  readonly #pids: string | undefined;
  #denoPid: () => number | undefined = () => undefined;

  constructor(version: "v1" | "v2", memory: string, pids: string | undefined) {
    super(() => this.#denoPid());
    this.#version = version;
    this.#memory = memory;
    this.#pids = version === "v2" ? memory : pids;
  }

  /** Polls this process's peak resident set too. */
  watch(denoPid: () => number | undefined): void {
    this.#denoPid = denoPid;
  }

  override peakBytes(): number {
    // memory.peak is new in Linux 5.19: before it, the current usage, polled.
    const text = this.#version === "v1"
      ? readSmall(`${this.#memory}/memory.max_usage_in_bytes`)
      : readSmall(`${this.#memory}/memory.peak`) || readSmall(`${this.#memory}/memory.current`);
    const group = Number(text);
    return Math.max(super.peakBytes(), text !== "" && Number.isFinite(group) ? group : 0);
  }

  override killedByKernel(): boolean {
    if (this.#version === "v2") return counter(`${this.#memory}/memory.events`, "oom_kill") > 0;
    const control = readSmall(`${this.#memory}/memory.oom_control`);
    const kills = /^oom_kill (\d+)$/m.exec(control)?.[1];
    return kills !== undefined ? Number(kills) > 0 : Number(readSmall(`${this.#memory}/memory.failcnt`)) > 0;
  }

  override pidsLimitHit(): boolean {
    return this.#pids !== undefined && counter(`${this.#pids}/pids.events`, "max") > 0;
  }

  override async dispose(): Promise<void> {
    // The child is reaped before this runs, but a process inside its wall may
    // still be leaving its groups (the kernel closes its pipes, which is what
    // the host waits for, before it takes it out of its cgroups): a group that
    // still has a task is tried again, for up to a second.
    const groups = [this.#memory, ...(this.#pids && this.#pids !== this.#memory ? [this.#pids] : [])];
    for (let tries = 0; tries < 50; tries++) {
      const left = groups.filter((dir) => !removeGroup(dir));
      if (left.length === 0) return;
      groups.splice(0, groups.length, ...left);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function counter(path: string, key: string): number {
  const value = new RegExp(`^${key} (\\d+)$`, "m").exec(readSmall(path))?.[1];
  return value === undefined ? 0 : Number(value);
}

function make(dir: string, made: string[]): string {
  Deno.mkdirSync(dir);
  made.push(dir);
  return dir;
}

// Making a group and setting its limits are short synchronous calls into the
// kernel's cgroup fs, cheaper than a trip to Deno's I/O threads.
function write(path: string, text: string): void {
  Deno.writeTextFileSync(path, text);
}

function tryWrite(path: string, text: string): void {
  try {
    write(path, text);
  } catch { /* not accounted here (no swap, or no such file) */ }
}

/** Removes an empty group; false while it still has a task. */
function removeGroup(dir: string): boolean {
  try {
    Deno.removeSync(dir);
    return true;
  } catch (e) {
    return e instanceof Deno.errors.NotFound; // gone already; else it still has a task
  }
}

function findLayout(): Layout | { version: "none"; reason: string } {
  if (Deno.build.os !== "linux") return { version: "none", reason: `cgroups need Linux; this is ${Deno.build.os}` };
  const table = readSmall("/proc/self/cgroup");
  const mounts = cgroupMounts(readSmall("/proc/self/mountinfo"));
  const memory = writableV1(table, mounts, "memory");
  if (memory) return { version: "v1", memory, ...optional("pids", writableV1(table, mounts, "pids")) };
  const parent = writableV2(table, mounts);
  if (parent) return { version: "v2", parent };
  return {
    version: "none",
    reason: "the host may not make cgroups with the memory controller (v1 or v2): limits are polled",
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** A cgroup file system mounted here: where, the hierarchy path it shows, its type and options. */
export interface CgroupMount {
  /** Where it is mounted. */
  point: string;
  /** The path of the hierarchy shown there (`/` unless a container shows its own part only). */
  root: string;
  /** `cgroup` (v1) or `cgroup2`. */
  type: "cgroup" | "cgroup2";
  /** The super options (v1: the controllers, e.g. `rw,memory`). */
  options: string[];
}

/**
 * The cgroup mounts of a `/proc/self/mountinfo` text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cgroupMounts } from "./_cgroups.ts";
 * const line = "36 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory";
 * assert.deepEqual(cgroupMounts(line), [{ point: "/sys/fs/cgroup/memory", root: "/", type: "cgroup", options: ["rw", "memory"] }]);
 * ```
 */
export function cgroupMounts(mountinfo: string): CgroupMount[] {
  const found: CgroupMount[] = [];
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    const fields = left?.split(" ") ?? [];
    const [type, , options] = right?.split(" ") ?? [];
    if ((type !== "cgroup" && type !== "cgroup2") || fields.length < 5) continue;
    found.push({ point: unescape(fields[4]), root: unescape(fields[3]), type, options: (options ?? "").split(",") });
  }
  return found;
}

// mountinfo escapes space, tab, newline and backslash as octal.
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * The host's own group of a controller (`0::` for v2), as a path under its mount.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownGroup } from "./_cgroups.ts";
 * assert.equal(ownGroup("4:memory:/a/b\n0::/c\n", "memory"), "/a/b");
 * assert.equal(ownGroup("4:memory:/a/b\n0::/c\n", ""), "/c");
 * ```
 */
export function ownGroup(table: string, controller: string): string | undefined {
  for (const line of table.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    if (controller === "" ? match[1] === "0" && match[2] === "" : match[2].split(",").includes(controller)) {
      return match[3];
    }
  }
  return undefined;
}

// The own group's dir under a mount that shows `root` of the hierarchy.
function dirUnder(mount: CgroupMount, own: string): string | undefined {
  if (mount.root !== "/" && own !== mount.root && !own.startsWith(`${mount.root}/`)) return undefined;
  const relative = mount.root === "/" ? own : own.slice(mount.root.length);
  return `${mount.point}${relative === "/" ? "" : relative}`;
}

// The host's own v1 group of `controller`, or its mount's root, if the host can make groups there:
// the children's groups go under its own, so the host's own limits still bound them.
function writableV1(table: string, mounts: CgroupMount[], controller: string): string | undefined {
  const mount = mounts.find((m) => m.type === "cgroup" && m.options.includes(controller));
  const own = ownGroup(table, controller);
  if (!mount || own === undefined) return undefined;
  const candidates = [dirUnder(mount, own), mount.point].filter((d): d is string => d !== undefined);
  return candidates.find((dir) => probe(dir, [controller === "memory" ? "memory.limit_in_bytes" : "pids.max"]));
}

// A v2 parent where children's groups get both controllers: the host's own
// group (when delegated to it with memory and pids enabled for its children),
// else the hierarchy's root (a root host on a v2 system).
function writableV2(table: string, mounts: CgroupMount[]): string | undefined {
  const mount = mounts.find((m) => m.type === "cgroup2");
  const own = ownGroup(table, "");
  if (!mount || own === undefined) return undefined;
  const candidates = [dirUnder(mount, own), mount.point].filter((d): d is string => d !== undefined);
  for (const dir of new Set(candidates)) {
    const enabled = readSmall(`${dir}/cgroup.subtree_control`).split(/\s+/);
    if (!enabled.includes("memory") || !enabled.includes("pids")) {
      tryWrite(`${dir}/cgroup.subtree_control`, "+memory +pids");
    }
    if (probe(dir, ["memory.max", "pids.max"])) return dir;
  }
  return undefined;
}

function probe(dir: string, files: string[]): boolean {
  const test = `${dir}/codemode-probe-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    Deno.mkdirSync(test);
  } catch {
    return false;
  }
  try {
    for (const file of files) Deno.statSync(`${test}/${file}`);
    sweepStaleGroups(dir);
    return true;
  } catch {
    return false;
  } finally {
    removeGroup(test);
  }
}
