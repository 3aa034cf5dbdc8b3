// How any Deno child is started: its Deno arguments, wrapped in the OS wall
// (when there is one) and then in the kernel guards (CPU-time limit, cgroup
// joins, parent-death signal, own session). The executor passes only
// `sandboxArgs` (no permission of any kind); the OS wall's own tests pass
// opened permissions through exactly this, to show that the wall holds alone.
import { guardCommand } from "./_kernel_guard.ts";
import { type OsWall, spawnSafe, wallCommand } from "./_os_wall.ts";
import { CACHE_DATABASES } from "./_home.ts";
import type { SpawnSpec } from "./_child.ts";

/** Where a child runs, beside its Deno arguments. */
export interface Placement {
  /** The OS wall it starts in: the wall, the private dir that becomes its tmpfs, and the module bound into it. */
  wall?: { wall: OsWall; home: string; module: string };
  /** Cgroup files it joins before it runs (`_cgroups.ts`, `_cpu_weight.ts`). */
  join?: readonly string[];
}

/** A {@linkcode SpawnSpec}, and whether the child joins the cgroups it was given (a shell can do it here). */
export interface LaunchSpec extends SpawnSpec {
  /** Whether the wrapper writes the child into `Placement.join` before it runs. */
  joined: boolean;
}

/**
 * The spawn of `deno <denoArgs>`: inside the wall when `placement.wall` is
 * given, in the kernel guards available here, with `dirs.cwd` as working
 * dir and an environment holding only `NO_COLOR`, `DENO_DIR`,
 * `DENO_EMIT_CACHE_MODE` and `DENO_DISABLE_NODE_SHIM` (bwrap adds `PWD=/`).
 *
 * @param denoPath the Deno binary.
 * @param denoArgs its arguments.
 * @param timeoutMs the execution's wall-clock limit (the CPU-time backstop is derived from it).
 * @param dirs the working dir outside any wall, and the Deno dir (inside the wall: on its tmpfs).
 * @param placement the OS wall and the cgroups.
 * @returns what to spawn.
 */
export function launchSpec(
  denoPath: string,
  denoArgs: readonly string[],
  timeoutMs: number,
  dirs: { cwd: string; denoDir: string },
  placement: Placement = {},
): LaunchSpec {
  let command = { program: denoPath, args: [...denoArgs] };
  const { wall } = placement;
  if (wall) {
    const box = { home: wall.home, module: wall.module, dirs: CACHE_DATABASES.map((db) => `${dirs.denoDir}/${db}`) };
    command = wallCommand(wall.wall, box, [spawnSafe(denoPath), ...denoArgs]);
  }
  const guarded = guardCommand(command.program, command.args, timeoutMs, {
    walled: wall !== undefined,
    ...(placement.join ? { join: placement.join } : {}),
  });
  return {
    ...guarded,
    walled: wall !== undefined,
    cwd: dirs.cwd,
    // The DENO_DIR is private to the executor (with the wall: a tmpfs no one
    // else sees); no transpiled source is cached in it (the prelude is
    // JavaScript, and the script's emit would be its source), and the host's
    // own cache is never touched.
    env: { NO_COLOR: "1", DENO_DIR: dirs.denoDir, DENO_EMIT_CACHE_MODE: "disable", DENO_DISABLE_NODE_SHIM: "1" },
  };
}
