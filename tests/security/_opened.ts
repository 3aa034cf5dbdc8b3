/**
 * A child with Deno's permissions deliberately opened (`--allow-all`),
 * started inside the OS wall by the very functions the executor uses
 * (`launchSpec`, `makeChildGroups`, `spawnChild`): what it can still reach is
 * what the second wall alone stops. Test-only: no product code path, option
 * or config opens a permission.
 *
 * @module
 */
import { launchSpec } from "../../executor/_launch.ts";
import { makeHome } from "../../executor/_home.ts";
import { type ChildGroups, makeChildGroups } from "../../executor/_cgroups.ts";
import { spawnChild } from "../../executor/_child.ts";
import { detectOsWall, type OsWallStatus } from "../../executor/_os_wall.ts";

/** The wall here, and why it is missing, if it is (the tests that need it are then skipped, saying so). */
export const WALL: OsWallStatus = await detectOsWall(Deno.execPath());

/** A test name that says why the test is skipped where there is no wall. */
export function wallTest(name: string): string {
  return WALL.os === "none" ? `${name} (skipped: no OS wall here: ${WALL.reason})` : name;
}

/** What one opened child did. */
export interface OpenedRun {
  /** Its stdout (the script's report). */
  stdout: string;
  /** Its stderr. */
  stderr: string;
  /** How it ended. */
  exit: { code: number; signal: Deno.Signal | null };
  /** Its private dir on the host (its tmpfs inside the wall); removed once the run is over. */
  home: string;
  /** Its cgroups, if the host made them (disposed once the run is over). */
  groups?: ChildGroups;
}

/**
 * Runs `script` (JavaScript; `__HOME__` in it becomes its private dir's path,
 * a string) with `--allow-all` inside the OS wall, in cgroups of its own with
 * `maxRssMb` where the host can make them, until it exits or `timeoutMs`
 * passes (then its whole wall is killed).
 */
export async function runOpened(
  script: string,
  options: { maxRssMb?: number; timeoutMs?: number } = {},
): Promise<OpenedRun> {
  const wall = WALL.wall!;
  const home = await makeHome(undefined, true);
  const module = `${home.root}/opened.js`;
  await Deno.writeTextFile(module, script.replaceAll("__HOME__", JSON.stringify(home.root)), { mode: 0o644 });
  await Deno.chmod(module, 0o644);
  const groups = makeChildGroups(options.maxRssMb ?? 512);
  const spec = launchSpec(
    Deno.execPath(),
    ["run", "--allow-all", "--no-prompt", "--no-config", "--no-lock", module],
    options.timeoutMs ?? 30_000,
    { cwd: "/", denoDir: home.denoDir },
    { wall: { wall, home: home.root, module }, ...(groups ? { join: groups.join } : {}) },
  );
  const child = spawnChild(spec);
  const text = { stdout: "", stderr: "" };
  const decoder = new TextDecoder();
  child.listen((c) => text.stdout += decoder.decode(c), (c) => text.stderr += decoder.decode(c));
  const timer = setTimeout(() => child.kill(), options.timeoutMs ?? 30_000);
  try {
    const exit = await child.exited;
    return { ...text, exit: { code: exit.code, signal: exit.signal }, home: home.root, ...(groups ? { groups } : {}) };
  } finally {
    clearTimeout(timer);
    child.kill();
  }
}

/** Removes what {@linkcode runOpened} made. */
export async function cleanUp(run: OpenedRun): Promise<void> {
  await run.groups?.cap.dispose();
  await Deno.remove(run.home, { recursive: true }).catch(() => {});
}

/** The last line of a run's stdout, parsed. */
export function report<T>(run: OpenedRun): T {
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`no report: stdout ${run.stdout.slice(0, 500)}; stderr ${run.stderr.slice(0, 2000)}`);
  }
}
