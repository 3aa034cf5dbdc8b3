// The processes of a walled child, as the host sees them: the bwrap it
// spawned, below it bwrap's init (the pid 1 of the child's PID namespace),
// and below that Deno (pid 2), read from Linux's per-thread `children`
// lists; and how they are all killed.

/**
 * `pid` and every process below it, parents first.
 *
 * @param pid a process of this host.
 * @returns the pids found (`[pid]` alone when its children cannot be read).
 */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length && tree.length < 4096; i++) tree.push(...childrenOf(tree[i]));
  return tree;
}

/**
 * The children of every thread of a process (Linux's `/proc/<pid>/task/<tid>/children`).
 *
 * @returns their pids; none when the process is gone, or not on Linux.
 */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`);
      for (const word of text.split(" ")) if (/^\d+$/.test(word)) found.push(Number(word));
    }
  } catch { /* gone, or not Linux */ }
  return found;
}

/**
 * Kills a walled child. bwrap's init (the pid 1 of the child's PID
 * namespace, whose death ends every process in it) arms its parent-death
 * signal only at the end of its set-up, so killing the spawned bwrap alone
 * during the first milliseconds would leave the init and Deno running
 * without a host. The init, read afresh as the spawned process's child
 * (bwrap starts one only), is killed first, then the spawned process; when it
 * has none yet, the spawned process is stopped first (a stopped process
 * starts no child), and whatever is below it by then is killed.
 */
export function killWall(pid: number, killSpawned: () => void): void {
  try {
    const init = initOf(pid);
    if (init !== undefined) Deno.kill(init, "SIGKILL");
    else {
      Deno.kill(pid, "SIGSTOP");
      awaitStopped(pid);
      for (const below of processTree(pid).slice(1)) {
        try {
          Deno.kill(below, "SIGKILL");
        } catch { /* gone */ }
      }
    }
  } catch { /* gone, or no --allow-run: the spawned process alone */ }
  try {
    killSpawned();
  } catch { /* already gone */ }
}

// The spawned bwrap runs one thread, whose children list is the init or nothing: one read, not a walk of
// every thread's (this is on the path of every walled execution's end).
function initOf(pid: number): number | undefined {
  try {
    const first = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).split(" ")[0];
    return /^\d+$/.test(first) ? Number(first) : undefined;
  } catch {
    return childrenOf(pid)[0];
  }
}

// A stop signal takes effect when the process next leaves the kernel: a
// clone it is making finishes first, so its children are read once it has stopped.
function awaitStopped(pid: number): void {
  for (let tries = 0; tries < 10_000; tries++) {
    let state: string | undefined;
    try {
      state = Deno.readTextFileSync(`/proc/${pid}/stat`).replace(/^.*\) /s, "")[0];
    } catch {
      return; // gone
    }
    if (state === "T" || state === "t" || state === "Z" || state === "X") return;
  }
}
