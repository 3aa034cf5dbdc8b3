// A host that was killed, or that ended through `unload` (which cannot wait
// for its children to be reaped), leaves the empty cgroups of its last
// children behind. The next host that makes cgroups in the same place
// removes those of hosts that are gone: only empty groups can be removed
// (rmdir), so a group with a process in it is never touched.

/** Removes `dir/codemode-<pid>-…` groups whose host process is gone; once per dir and process, in the background. */
export function sweepStaleGroups(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  void (async () => {
    for await (const e of Deno.readDir(dir)) {
      const pid = /^codemode-(\d+)-/.exec(e.name)?.[1];
      if (!pid || Number(pid) === Deno.pid || alive(pid)) continue;
      await Deno.remove(`${dir}/${e.name}`).catch(() => {});
    }
  })().catch(() => {});
}

const swept = new Set<string>();

function alive(pid: string): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
