// Starts an executor's sandbox children: in its private dir, inside the OS
// wall where there is one (and where `osSandbox` allows it), in cgroups of
// their own where the host may make them, and reports which walls stand.
import { detectOsWall, type OsSandboxMode, type OsWallStatus, SANDBOX_UID, spawnSafe } from "./_os_wall.ts";
import { cgroupSupport, makeChildGroups } from "./_cgroups.ts";
import { dropKernelGuards, kernelGuards } from "./_kernel_guard.ts";
import { type SandboxChild, spawnChild } from "./_child.ts";
import { liveHomes, makeHome, type SandboxHome, track, unsearchableAbove } from "./_home.ts";
import { type MemoryCap, PolledCap } from "./_memory_cap.ts";
import type { Background } from "./_cpu_weight.ts";
import type { Placement } from "./_launch.ts";
import { sandboxSpec } from "./sandbox_spec.ts";
import { missingDeno } from "./_deno_path.ts";
import type { Limits } from "../src/limits.ts";

/** The walls between a script and the host, as an executor reports them. */
export interface SandboxWalls {
  /** Deno's permission system: every child runs with no permission at all. Always in place. */
  readonly permissions: "none granted";
  /** What the executor was asked to do about the OS wall. */
  readonly osSandbox: OsSandboxMode;
  /** The OS wall in place: `bubblewrap`, or `none` (then `reason` says why). */
  readonly os: "bubblewrap" | "none";
  /** The namespaces each child gets of its own inside the OS wall. */
  readonly namespaces: readonly string[];
  /** The uid children run as inside the wall, when a root host drops to it. */
  readonly unprivilegedUid?: number;
  /** Why there is no OS wall, naming what is missing. */
  readonly reason?: string;
  /** What the OS wall does without here, and why (in a container that forbids it). */
  readonly osNotes?: readonly string[];
  /** The cgroup version of the children's kernel-enforced limits, or `none` (memory polled). */
  readonly cgroup: "v1" | "v2" | "none";
  /** The limits the kernel enforces per child through its cgroup. */
  readonly cgroupLimits: readonly ("memory" | "pids")[];
  /** Why the kernel does not enforce them, when it does not. */
  readonly cgroupReason?: string;
}

/**
 * The walls as one line, for a startup log or `codemode doctor`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeWalls } from "./_spawner.ts";
 * const line = describeWalls({
 *   permissions: "none granted", osSandbox: "auto", os: "none", namespaces: [], reason: "bwrap not found",
 *   cgroup: "none", cgroupLimits: [], cgroupReason: "not Linux",
 * });
 * assert.match(line, /^Deno permissions \(none granted\); OS wall: none \(bwrap not found\)/);
 * ```
 */
export function describeWalls(walls: SandboxWalls): string {
  const os = walls.os === "none"
    ? `OS wall: none (${walls.reason})`
    : `OS wall: ${walls.os} (namespaces: ${walls.namespaces.join(", ")}${
      walls.unprivilegedUid !== undefined ? `; uid ${walls.unprivilegedUid}` : ""
    }${walls.osNotes ? `; without: ${walls.osNotes.join("; ")}` : ""})`;
  const cgroup = walls.cgroup === "none"
    ? `cgroup limits: none (${walls.cgroupReason})`
    : `cgroup limits: ${walls.cgroup} (${walls.cgroupLimits.join(", ")})`;
  return `Deno permissions (none granted); ${os}; ${cgroup}`;
}

/** A started child and its resource cap (a cgroup's, or polled). */
export interface Started {
  child: SandboxChild;
  memory: MemoryCap;
}

/** One executor's way of starting children. */
export class Spawner {
  readonly #denoPath: string;
  readonly #tempDir: string | undefined;
  readonly #mode: OsSandboxMode;
  readonly #denoProblem: Error | undefined;
  #home: Promise<SandboxHome> | undefined;
  #homeProblem: string | undefined;
  #closed = false;

  /** @param denoProblem why no Deno binary can run sandboxes, reported when the first child is asked for. */
  constructor(denoPath: string, tempDir: string | undefined, mode: OsSandboxMode, denoProblem?: Error) {
    this.#denoPath = denoPath;
    this.#denoProblem = denoProblem;
    this.#tempDir = tempDir;
    this.#mode = mode;
  }

  /** The Deno binary (as the wall spells it too), and the private dir once made: paths a script or the model must not see. */
  async hostPaths(): Promise<string[]> {
    return [(await this.home()).root, spawnSafe(this.#denoPath), this.#denoPath];
  }

  /**
   * The walls children get (detecting them the first time). Where a root
   * host's wall runs as another uid, the private dir is made first: a temp
   * dir closed to that uid rules the wall out for this executor.
   */
  async walls(): Promise<SandboxWalls> {
    if ((await this.#detect()).unprivilegedUid !== undefined) await this.home().catch(() => {});
    const status = await this.#detect();
    const cgroups = kernelGuards().cgroupJoin ? cgroupSupport() : {
      version: "none" as const,
      controllers: [],
      reason: "no /bin/sh to join a child to its cgroups before it runs",
    };
    return {
      permissions: "none granted",
      osSandbox: this.#mode,
      os: status.os,
      namespaces: status.namespaces,
      ...(status.unprivilegedUid !== undefined ? { unprivilegedUid: status.unprivilegedUid } : {}),
      ...(status.reason !== undefined ? { reason: status.reason } : {}),
      ...(status.notes !== undefined ? { osNotes: status.notes } : {}),
      cgroup: cgroups.version,
      cgroupLimits: cgroups.controllers,
      ...(cgroups.reason !== undefined ? { cgroupReason: cgroups.reason } : {}),
    };
  }

  /**
   * The wall children start in; with `osSandbox: "required"`, an error naming what is missing when there is none.
   * @throws {Error} when the wall is required and unavailable.
   */
  async #wall(): Promise<OsWallStatus> {
    const status = await this.#detect();
    if (this.#mode === "required" && status.os === "none") {
      throw new Error(`osSandbox is "required", but the OS wall is unavailable: ${status.reason}`);
    }
    return status;
  }

  async #detect(): Promise<OsWallStatus> {
    if (this.#mode === "off") return { os: "none", namespaces: [], reason: "turned off (osSandbox: off)" };
    const status = await detectOsWall(this.#denoPath);
    if (status.os === "none" || this.#homeProblem === undefined) return status;
    return { os: "none", namespaces: [], reason: this.#homeProblem };
  }

  /** The private dir, made once; an error once the executor is closed. */
  async home(): Promise<SandboxHome> {
    // A pool's fill that was under way when close() ran must not make a private dir no one removes.
    if (this.#closed) throw new Error("The executor is closed");
    const making = this.#home ??= this.#checkedDeno().then(() => this.#makeHome());
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

  async #makeHome(): Promise<SandboxHome> {
    const status = await this.#wall();
    const home = await makeHome(this.#tempDir, status.os !== "none");
    // A root host's wall runs as another uid, which must reach the prelude to bind it.
    const blocked = status.unprivilegedUid === undefined ? undefined : unsearchableAbove(home.root, SANDBOX_UID);
    if (blocked) {
      const problem = `${blocked} is not searchable by uid ${SANDBOX_UID}, which the OS wall runs as (use a tempDir ` +
        `others may search, such as /tmp)`;
      this.#homeProblem = problem;
      if (this.#mode === "required") {
        await Deno.remove(home.root, { recursive: true }).catch(() => {});
        throw new Error(`osSandbox is "required", but the OS wall is unavailable: ${problem}`);
      }
    }
    return home;
  }

  /**
   * Starts a child of this kind: its cgroups made first (and, for a pooled
   * child, the low-CPU-weight group), joined by its wrapper before it runs.
   */
  async spawn(kind: Pick<Limits, "memoryMb" | "maxRssMb" | "timeoutMs">, background?: Background): Promise<Started> {
    const home = await this.home();
    const status = await this.#detect();
    const wall: Placement["wall"] = status.wall && { wall: status.wall, home: home.root, module: home.prelude };
    const groups = kernelGuards().cgroupJoin ? makeChildGroups(kind.maxRssMb) : undefined;
    const join = [...(groups?.join ?? []), ...(background ? [background.join] : [])];
    const start = () => {
      const spec = sandboxSpec(this.#denoPath, kind, home.prelude, { cwd: "/", denoDir: home.denoDir }, {
        ...(wall ? { wall } : {}),
        join,
      });
      return { joined: spec.joined, child: spawnChild(spec) };
    };
    let started: { joined: boolean; child: SandboxChild };
    try {
      started = start();
    } catch (e) {
      // A host that may run Deno but not util-linux's wrappers runs its children without them.
      const guarded = kernelGuards();
      const wrapped = guarded.cpuTimeLimit || guarded.parentDeathSignal;
      if (!(e instanceof Deno.errors.NotCapable) || !wrapped) {
        await groups?.cap.dispose();
        throw e;
      }
      dropKernelGuards();
      started = start();
    }
    const { child, joined } = started;
    track(child, home.root);
    if (joined && groups) {
      groups.cap.watch(() => child.denoPid());
      return { child, memory: groups.cap };
    }
    await groups?.cap.dispose();
    return { child, memory: new PolledCap(() => child.denoPid()) };
  }

  /** Starts no more children and removes the private dir (once every child is gone). */
  async close(): Promise<void> {
    this.#closed = true;
    const home = this.#home;
    this.#home = undefined;
    if (!home) return;
    const { root } = await home.catch(() => ({ root: undefined }));
    if (!root) return;
    await Deno.remove(root, { recursive: true }).catch(() => {});
    liveHomes.delete(root);
  }
}
