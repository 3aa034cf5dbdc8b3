// The executor's private dir (the prelude's copy and the children's Deno
// dir), and what the endings that skip `close()` must still clean up.
import type { SandboxChild } from "./_child.ts";

const PRELUDE_URL = new URL("./sandbox/prelude.js", import.meta.url);

/**
 * Deno's SQLite caches. Each is made a directory in the private Deno dir, so
 * Deno cannot open it as a database and keeps that cache in memory: its
 * dependency-analysis cache would otherwise keep every script's source (the
 * `data:` specifier) on disk.
 */
export const CACHE_DATABASES: readonly string[] = [
  "dep_analysis_cache_v2",
  "node_analysis_cache_v2",
  "check_cache_v2",
  "fast_check_cache_v2",
  "code_cache_v2",
];

// Every live child and private dir of this process, for the endings that
// skip close(): Deno.exit() and the end of the event loop fire `unload`.
const liveChildren = new Set<SandboxChild>();
export const liveHomes = new Set<string>();
let unloadHooked = false;

export function track(child: SandboxChild, home: string): void {
  liveChildren.add(child);
  void child.exited.then(() => liveChildren.delete(child));
  liveHomes.add(home);
  if (unloadHooked) return;
  unloadHooked = true;
  globalThis.addEventListener("unload", () => {
    for (const child of liveChildren) child.kill();
    for (const dir of liveHomes) {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* already gone */ }
    }
  });
}

/** The executor's private dir: the prelude's copy and the children's Deno dir. */
export interface SandboxHome {
  root: string;
  prelude: string;
  denoDir: string;
}

// The prelude is copied into the private dir, so the paths a script can see
// (its main module, stack frames) name a temp dir, not where the host is
// installed; the copy also serves when this module was loaded from a URL.
// With `walled`, the OS wall binds the prelude from here into each child, and
// a root host's wall runs as another uid: the dir may then be searched (not
// listed) and the prelude read by others; the owner file and the Deno dir
// stay the host's own.
export async function makeHome(tempDir: string | undefined, walled = false): Promise<SandboxHome> {
  const root = await Deno.makeTempDir({ dir: tempDir, prefix: "codemode-" });
  const home = { root, prelude: `${root}/prelude.js`, denoDir: `${root}/deno` };
  try {
    // Who owns the dir, for the next host's sweep should this one be killed (SIGKILL skips every clean-up).
    // The sandbox cannot read it (no read permission, and the wall does not show it); its name tells a script nothing.
    await Deno.writeTextFile(`${root}/${OWNER_FILE}`, `${Deno.pid} ${pidNamespace()}`, { mode: 0o600 });
    sweepStaleHomes(root.slice(0, root.lastIndexOf("/")));
    const source = await (await fetch(PRELUDE_URL)).text();
    await Deno.writeTextFile(home.prelude, source, { mode: 0o644 });
    for (const db of CACHE_DATABASES) await Deno.mkdir(`${home.denoDir}/${db}`, { recursive: true, mode: 0o700 });
    if (walled && Deno.build.os === "linux") {
      await Deno.chmod(home.prelude, 0o644);
      await Deno.chmod(root, 0o711);
    }
    return home;
  } catch (e) {
    await Deno.remove(root, { recursive: true }).catch(() => {});
    throw e;
  }
}

/**
 * The first dir above `path` that a process of another uid may not search
 * (no `x` for others, not owned by `uid`): the OS wall, running as `uid`,
 * could not bind a file below it.
 */
export function unsearchableAbove(path: string, uid: number): string | undefined {
  for (let dir = path.slice(0, path.lastIndexOf("/")); dir.length > 0; dir = dir.slice(0, dir.lastIndexOf("/"))) {
    try {
      const { mode, uid: owner } = Deno.statSync(dir);
      if (mode !== null && (mode & 0o001) === 0 && owner !== uid) return dir;
    } catch {
      return dir;
    }
  }
  return undefined;
}

/** The file in a private dir that names the process owning it. */
const OWNER_FILE = "owner.pid";
const HOME_NAME = /^codemode-[0-9a-f]{6,32}$/;
const sweptDirs = new Set<string>();

// The kernel's name for this process's PID namespace (`pid:[4026531836]`): a
// pid means something only there. Hosts in containers may share a temp dir
// with hosts outside, where an owner's pid is no process at all.
function pidNamespace(): string {
  try {
    return Deno.readLinkSync("/proc/self/ns/pid");
  } catch {
    return "-";
  }
}

/**
 * Removes, once per temp dir and process, the private dirs of hosts that are
 * gone (killed with SIGKILL, so nothing of theirs ran): a dir named as
 * {@linkcode makeHome} names them, holding an owner file whose pid, in this
 * host's own PID namespace, is no live process. Linux only (it asks /proc); a
 * dir without an owner file, of another PID namespace, or whose owner's pid
 * is alive, is left alone.
 */
function sweepStaleHomes(dir: string): void {
  if (Deno.build.os !== "linux" || sweptDirs.has(dir)) return;
  sweptDirs.add(dir);
  const ours = pidNamespace();
  void (async () => {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory || !HOME_NAME.test(entry.name)) continue;
      const text = await Deno.readTextFile(`${dir}/${entry.name}/${OWNER_FILE}`).catch(() => "");
      const [owner, namespace] = text.split(" ");
      if (namespace !== ours || !/^\d+$/.test(owner) || Number(owner) === Deno.pid) continue;
      if (await processExists(owner)) continue;
      await Deno.remove(`${dir}/${entry.name}`, { recursive: true }).catch(() => {});
    }
  })().catch(() => {});
}

async function processExists(pid: string): Promise<boolean> {
  try {
    await Deno.stat(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
