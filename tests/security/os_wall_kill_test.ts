// Nothing of a walled child outlives its kill, at whatever moment of its
// start-up it comes (bwrap's init arms its own parent-death signal only at
// the end of its set-up), and the kernel guards still hold inside the wall:
// the CPU-time limit ends a child whose host never stops it.
// Stopped by: killing a walled child from the top down (bwrap, its init, Deno), and the CPU-time limit set before the wall
import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../../mod.ts";
import { Spawner } from "../../executor/_spawner.ts";
import { kernelGuards } from "../../executor/_kernel_guard.ts";
import { childrenOf } from "../../executor/_wall_processes.ts";
import { cgroupSupport, makeChildGroups } from "../../executor/_cgroups.ts";
import { existsSync, sandboxProcesses, waitFor } from "./_canaries.ts";
import { WALL, wallTest } from "./_opened.ts";

/** Live Deno processes (and bwrap's) started from `home`'s prelude. */
async function leftFrom(home: string): Promise<number[]> {
  const deno = (await sandboxProcesses()).filter((p) => p.cmdline.includes(` ${home}/prelude.js`)).map((p) => p.pid);
  const bwrap: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const cmdline = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (/^\d+ \(bwrap\) [^Z]/.test(stat) && cmdline.includes(`${home}/prelude.js`)) bwrap.push(Number(e.name));
    } catch { /* gone */ }
  }
  return [...deno, ...bwrap];
}

/** Whether `ended` resolves within `ms`. */
async function endsWithin(ended: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => timer = setTimeout(() => r(false), ms));
  try {
    return await Promise.race([ended.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

// Waits, without yielding, until the spawned bwrap has a child (its init; for at most 2 s), then `ms` more.
function initStartedFor(pid: number, ms: number): void {
  const deadline = performance.now() + 2000;
  while (childrenOf(pid).length === 0 && performance.now() < deadline) { /* its clone comes within ms */ }
  const after = performance.now() + ms;
  while (performance.now() < after) { /* the init's set-up */ }
}

Deno.test({
  name: wallTest("a walled child killed at any moment of its start-up leaves no process behind"),
  ignore: WALL.os === "none",
}, async () => {
  const spawner = new Spawner(Deno.execPath(), undefined, "required");
  const home = (await spawner.home()).root;
  try {
    // Killed at once, then from 0 to 6 ms after bwrap started its init (which sets itself up meanwhile, its
    // parent-death signal not armed yet: killing the bwrap alone there left the init running, 2 times in 8
    // here), and once ready.
    const moments = ["at once", 0, 0.5, 1, 1.5, 2, 3, 4, 6, "ready"] as const;
    for (const when of moments) {
      const { child, memory } = await spawner.spawn({ ...DEFAULT_LIMITS, memoryMb: 77 });
      child.listen(() => {}, () => {});
      if (typeof when === "number") initStartedFor(child.pid, when);
      if (when === "ready") assert.equal(await child.ready, true);
      child.kill();
      // The host hears the child end once its pipes close: an init left running would hold them open.
      assert.equal(await endsWithin(child.exited, 10_000), true, `the whole wall ended (killed ${when})`);
      await memory.dispose();
    }
    // A child whose init outlived the kill would wait for its code forever: none may be left.
    await waitFor(async () => (await leftFrom(home)).length === 0, "every walled child to be gone", 10_000);
  } finally {
    await spawner.close();
  }
});

Deno.test({
  name: wallTest("inside the wall, the kernel still ends a child whose host never stops it at its CPU-time limit"),
  ignore: WALL.os === "none" || !kernelGuards().cpuTimeLimit,
}, async () => {
  const spawner = new Spawner(Deno.execPath(), undefined, "required");
  try {
    const { child, memory } = await spawner.spawn({ ...DEFAULT_LIMITS, timeoutMs: 500 });
    child.listen(() => {}, () => {});
    const run = { code: "while (true) {}", maxResultBytes: 1024, maxLogLineBytes: 1024, maxDepth: 128 };
    child.write(`${"0".repeat(32)}\n${JSON.stringify({ method: "run", params: run })}\n`);
    // No host timeout, no kill: only the kernel ends it (3 s of CPU), and the wall passes its death on.
    const exit = await child.exited;
    assert.equal(exit.signal, "SIGKILL", JSON.stringify(exit));
    await memory.dispose();
  } finally {
    await spawner.close();
  }
});

Deno.test({
  name: "a process left in the cgroup of a host that is gone is killed by the next host, and the group removed",
  ignore: cgroupSupport().version !== "v1",
}, async () => {
  const gone = new Deno.Command("true").spawn();
  await gone.status;
  // A stale child group of that host, holding a process, as a host killed mid-spawn may leave one.
  const probe = makeChildGroups(64)!;
  const memoryDir = probe.join[0].slice(0, probe.join[0].lastIndexOf("/"));
  await probe.cap.dispose();
  const stale = `${memoryDir.slice(0, memoryDir.lastIndexOf("/"))}/codemode-${gone.pid}-0-deadbeef`;
  await Deno.mkdir(stale);
  const stuck = new Deno.Command("/bin/sh", { args: ["-c", `echo 0 > ${stale}/tasks && exec sleep 600`] }).spawn();
  try {
    await waitFor(() => Deno.readTextFileSync(`${stale}/cgroup.procs`).trim() !== "", "the process in the stale group");
    // A new host process makes its first cgroups in the same place.
    const host = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { LocalExecutor, DEFAULT_LIMITS } from "${new URL("../../mod.ts", import.meta.url)}";
        await using e = new LocalExecutor();
        const r = await e.execute({ executionId: "x", code: "return 1", limits: { ...DEFAULT_LIMITS }, invoke: () => Promise.reject(new Error("no")) });
        if (r.result !== 1) Deno.exit(3);`,
      ],
      stdout: "null",
    }).output();
    assert.equal(host.code, 0);
    assert.equal((await stuck.status).signal, "SIGKILL", "the next host killed the process left in the stale group");
    await waitFor(() => !existsSync(stale), "the stale group to be removed");
  } finally {
    try {
      stuck.kill("SIGKILL");
    } catch { /* ended */ }
    await Deno.remove(stale).catch(() => {});
  }
});
