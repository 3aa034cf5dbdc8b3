// The second wall on its own: a child whose Deno permissions are opened on
// purpose (--allow-all, built here in the test, never by the product) runs
// inside the OS wall that every sandbox gets, and the canaries still hold.
// Skipped, saying why, where the host has no wall (no bubblewrap, or user
// namespaces forbidden).
// Stopped by: the OS wall alone: user, PID, network, IPC and mount namespaces, a tmpfs, uid 65534, cgroup memory and pids limits
import assert from "node:assert/strict";
import { canaries, exists, waitFor } from "./_canaries.ts";
import { cleanUp, report, runOpened, WALL, wallTest } from "./_opened.ts";
import { cgroupSupport, CHILD_PIDS_MAX } from "../../executor/_cgroups.ts";

const ignore = WALL.os === "none";
const cgroups = cgroupSupport();

/** Each attempt's outcome: `ok` and a value, or the error's name and message. */
type Outcomes = Record<string, { ok: boolean; value?: unknown; error?: string }>;

/** The attack, with all of Deno's permissions: every attempt is recorded, then printed as one JSON line. */
function attack(c: { file: string; dir: string; port: number; tcpPort: number; env: string }): string {
  return `
const out = {};
const attempt = async (name, fn) => {
  try { out[name] = { ok: true, value: await fn() }; } catch (e) { out[name] = { ok: false, error: e.name + ": " + e.message }; }
};
await attempt("permissions", async () => (await Deno.permissions.query({ name: "read" })).state);
await attempt("readSecret", () => Deno.readTextFileSync(${JSON.stringify(c.file)}));
await attempt("listCanaryDir", () => [...Deno.readDirSync(${JSON.stringify(c.dir)})].length);
await attempt("http", async () => (await fetch("http://127.0.0.1:${c.port}/", { signal: AbortSignal.timeout(5000) })).status);
await attempt("tcp", async () => { const conn = await Deno.connect({ hostname: "127.0.0.1", port: ${c.tcpPort} }); conn.close(); return "connected"; });
await attempt("env", () => Deno.env.toObject());
await attempt("canaryEnv", () => Deno.env.get(${JSON.stringify(c.env)}) ?? null);
await attempt("uid", () => Deno.uid());
await attempt("pids", () => [...Deno.readDirSync("/proc")].filter((e) => /^\\d+$/.test(e.name)).map((e) => Number(e.name)));
await attempt("killHost", () => Deno.kill(${Deno.pid}, "SIGKILL"));
await attempt("hostEnviron", () => Deno.readTextFileSync("/proc/${Deno.pid}/environ"));
await attempt("root", () => [...Deno.readDirSync("/")].map((e) => e.name).sort());
await attempt("etcPasswd", () => Deno.readTextFileSync("/etc/passwd"));
await attempt("shell", () => new Deno.Command("/bin/sh", { args: ["-c", "id"] }).outputSync().code);
await attempt("writeRoot", () => Deno.writeTextFileSync("/codemode-pwned", "x"));
await attempt("writeTmp", () => Deno.writeTextFileSync("/tmp/codemode-pwned", "x"));
await attempt("writeCanaryDir", () => Deno.writeTextFileSync(${JSON.stringify(`${c.dir}/pwned`)}, "x"));
await attempt("writeDeno", () => Deno.writeFileSync(Deno.execPath(), new Uint8Array([0])));
await attempt("writeHome", () => { Deno.writeTextFileSync(__HOME__ + "/pwned", "x"); return Deno.readTextFileSync(__HOME__ + "/pwned"); });
await attempt("newUserNamespace", () => {
  const libc = Deno.dlopen("libc.so.6", { unshare: { parameters: ["i32"], result: "i32" } });
  return libc.symbols.unshare(0x10000000); // CLONE_NEWUSER: -1 when refused
});
console.log(JSON.stringify(out));
`;
}

Deno.test(
  { name: wallTest("with Deno's permissions opened, the OS wall alone keeps every canary"), ignore },
  async () => {
    await using c = await canaries();
    await Deno.chmod(c.file, 0o600);
    const before = [...Deno.readDirSync(c.dir)].map((e) => e.name).sort();
    const run = await runOpened(attack(c));
    try {
      const out = report<Outcomes>(run);
      assert.equal(out.permissions.value, "granted", "Deno's own wall is really open in this child");
      // The host's files: not there at all, whatever the permissions say.
      assert.match(out.readSecret.error!, /^NotFound/);
      assert.match(out.listCanaryDir.error!, /^NotFound/);
      assert.match(out.etcPasswd.error!, /^NotFound/);
      assert.match(out.shell.error!, /^NotFound/);
      // The host's loopback: another network namespace, whose own loopback is down.
      assert.equal(out.http.ok, false, JSON.stringify(out.http));
      assert.equal(out.tcp.ok, false, JSON.stringify(out.tcp));
      // The host's environment and processes: invisible, unsignalable.
      assert.deepEqual(Object.keys(out.env.value as object).sort(), [
        "DENO_DIR",
        "DENO_DISABLE_NODE_SHIM",
        "DENO_EMIT_CACHE_MODE",
        "NO_COLOR",
        "PWD",
      ]);
      assert.equal(out.canaryEnv.value, null);
      const procMounted = !WALL.wall!.without?.includes("proc");
      if (procMounted) assert.deepEqual(out.pids.value, [1, 2], "its own PID namespace: bwrap's init and Deno");
      else assert.match(out.pids.error!, /^NotFound/, "a container that forbids /proc: none at all");
      assert.match(out.killHost.error!, /^NotFound|ESRCH|No such process/);
      assert.match(out.hostEnviron.error!, /^NotFound/);
      if (WALL.unprivilegedUid !== undefined) assert.equal(out.uid.value, WALL.unprivilegedUid);
      // The root holds only what the child needs; writes land only in its tmpfs.
      const needed = new Set(
        [...WALL.wall!.files, run.home, ...(procMounted ? ["/proc"] : []), ...(WALL.wall!.localtime ? ["/etc"] : [])]
          .map((p) => p.split("/")[1]),
      );
      assert.deepEqual(out.root.value, [...needed].sort());
      for (const write of ["writeRoot", "writeTmp", "writeCanaryDir", "writeDeno"]) {
        assert.equal(out[write].ok, false, `${write}: ${JSON.stringify(out[write])}`);
      }
      assert.deepEqual(out.writeHome, { ok: true, value: "x" }, "the tmpfs is writable inside");
      if (!WALL.wall!.without?.includes("nested-userns-limit")) {
        assert.equal(out.newUserNamespace.value, -1, "no user namespace can be made inside");
      }
      assert.equal(run.exit.code, 0, run.stderr);
    } finally {
      await cleanUp(run);
    }
    assert.equal(await exists(`${run.home}/pwned`), false, "the tmpfs write never reached the host's disk");
    assert.equal(await exists("/codemode-pwned"), false);
    assert.equal(await exists("/tmp/codemode-pwned"), false);
    assert.deepEqual([...Deno.readDirSync(c.dir)].map((e) => e.name).sort(), before, "the canary dir is untouched");
    c.assertClean(run.stdout);
  },
);

Deno.test({
  name: wallTest("with Deno's permissions opened, a memory bomb is ended by the child's cgroup and the host knows it"),
  ignore: ignore || cgroups.version === "none",
}, async () => {
  const run = await runOpened(
    `const held = []; for (;;) held.push(new Uint8Array(16 * 1024 * 1024).fill(1));`,
    { maxRssMb: 96 },
  );
  try {
    assert.equal(run.exit.signal, "SIGKILL", `${JSON.stringify(run.exit)} ${run.stderr.slice(0, 500)}`);
    assert.equal(run.groups?.cap.killedByKernel(), true, "the kernel's OOM killer ended it in its cgroup");
  } finally {
    await cleanUp(run);
  }
});

Deno.test({
  name: wallTest("with Deno's permissions opened, a fork storm stops at the pids limit and the host knows it"),
  ignore: ignore || !cgroups.controllers.includes("pids"),
}, async () => {
  const run = await runOpened(`
    const children = [];
    let refused = null;
    for (let i = 0; i < 1000 && refused === null; i++) {
      try {
        children.push(new Deno.Command(Deno.execPath(), {
          args: ["eval", "await new Promise((r) => setTimeout(r, 60000))"],
          stdin: "piped", stdout: "piped", stderr: "piped",
        }).spawn());
      } catch (e) { refused = e.name + ": " + e.message; }
    }
    console.log(JSON.stringify({ started: children.length, refused }));
    Deno.exit(0);
  `);
  try {
    const { started, refused } = report<{ started: number; refused: string | null }>(run);
    assert.ok(started < CHILD_PIDS_MAX, `${started} processes started`);
    assert.notEqual(refused, null, "a spawn was refused");
    assert.equal(run.groups?.cap.pidsLimitHit(), true, "the kernel refused a process or thread past pids.max");
    // Its init's death ends its whole PID namespace; the kernel takes a moment to tear the storm down.
    await waitFor(() => groupTasks(run.groups?.join ?? []).length === 0, "every process of the storm to end");
  } finally {
    await cleanUp(run);
  }
});

/** The tasks still in a child's groups (the join files are their `tasks` or `cgroup.procs`). */
function groupTasks(join: string[]): string[] {
  return join.flatMap((file) => {
    try {
      return Deno.readTextFileSync(file).split("\n").filter(Boolean);
    } catch {
      return [];
    }
  });
}
