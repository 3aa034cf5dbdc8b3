// A host that was killed, or that ended through `unload` (which cannot wait
// for its children to be reaped), leaves the cgroups of its last children
// behind. The next host that makes cgroups in the same place removes those
// of hosts that are gone. A group whose host is gone may still hold a
// process: a walled child whose host died in the few ms while bwrap's init
// set itself up (its parent-death signal not armed yet; it then waits
// forever for a bwrap that is gone). Every process in such a group is a
// sandbox's, started in it by its wrapper: they are killed, then the group
// is removed.

/** Removes `dir/codemode-<pid>-…` groups whose host process is gone; once per dir and process, in the background. */
export function sweepStaleGroups(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  void (async () => {
    for await (const e of Deno.readDir(dir)) {
      const pid = /^codemode-(\d+)-/.exec(e.name)?.[1];
      if (!pid || Number(pid) === Deno.pid || alive(pid)) continue;
      await removeStale(`${dir}/${e.name}`);
    }
  })().catch(() => {});
}

const swept = new Set<string>();

async function removeStale(group: string): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    try {
      await Deno.remove(group);
      return;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
    }
    const tasks = await Deno.readTextFile(`${group}/cgroup.procs`).catch(() => "");
    for (const task of tasks.split("\n").filter((t) => /^\d+$/.test(t))) {
      try {
        Deno.kill(Number(task), "SIGKILL");
      } catch { /* gone */ }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: string): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
