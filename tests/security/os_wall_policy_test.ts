// The OS wall's policy, wherever it is set (LocalExecutor's osSandbox,
// codemode.yaml's sandbox.os, --os-sandbox, the executor service): auto uses
// the wall where the host offers it and says so, required refuses to run
// without it and names what is missing, off does without; and every report
// (walls(), codemode doctor, GET /ready, the startup log) says which walls
// stand. A missing bwrap is simulated by pointing the detection at an empty
// dir (an internal test hook, not an option).
// Stopped by: osSandbox/sandbox.os/--os-sandbox "required", which refuses to run without the wall and names what is missing
import assert from "node:assert/strict";
import { Codemode, DEFAULT_LIMITS, LocalExecutor } from "../../mod.ts";
import { _setBwrapDirsForTests } from "../../executor/_os_wall.ts";
import { ConfigError, parseConfig } from "../../src/config/mod.ts";
import { serveExecutor } from "../../executor/service/server.ts";
import { main } from "../../cli.ts";
import { recordingIo } from "../_helpers.ts";
import { childrenWithHeap, waitFor } from "./_canaries.ts";
import { WALL, wallTest } from "./_opened.ts";

const MISSING = "/nonexistent/codemode-no-bwrap";

/** Runs `fn` with bwrap looked for where it is not; the detection is redone after. */
async function withoutBwrap<T>(fn: () => Promise<T>): Promise<T> {
  _setBwrapDirsForTests([MISSING]);
  try {
    return await fn();
  } finally {
    _setBwrapDirsForTests(undefined);
  }
}

function run(executor: LocalExecutor, code: string) {
  return executor.execute({
    executionId: crypto.randomUUID(),
    code,
    limits: { ...DEFAULT_LIMITS },
    invoke: () => Promise.reject(new Error("no tools")),
  });
}

Deno.test("required without a wall: every execution fails naming what is missing; auto runs and says why", async () => {
  await withoutBwrap(async () => {
    await using required = new LocalExecutor({ osSandbox: "required" });
    await assert.rejects(run(required, "return 1"), new RegExp(`"required".*bwrap not found in ${MISSING}`));
    const walls = await required.walls();
    assert.equal(walls.os, "none");
    assert.match(walls.reason!, /bwrap not found in \/nonexistent\/codemode-no-bwrap \(install bubblewrap\)/);
    await using auto = new LocalExecutor();
    assert.equal((await run(auto, "return 1")).result, 1, "auto falls back to Deno's wall alone");
    assert.equal((await auto.walls()).os, "none");
  });
});

Deno.test("off: no OS wall, and the report says it was turned off", async () => {
  await using off = new LocalExecutor({ osSandbox: "off" });
  const walls = await off.walls();
  assert.deepEqual([walls.os, walls.namespaces, walls.reason], ["none", [], "turned off (osSandbox: off)"]);
  assert.equal((await run(off, "return Deno.pid > 2")).result, true, "a script's pid is the host's: no PID namespace");
});

Deno.test({
  name: wallTest("auto on a host with bubblewrap: every child, fresh or pooled, runs inside the wall"),
  ignore: WALL.os === "none",
}, async () => {
  await using executor = new LocalExecutor({ pool: { size: 1 } });
  const walls = await executor.walls();
  assert.equal(walls.os, "bubblewrap");
  assert.deepEqual(walls.namespaces, ["user", "pid", "network", "ipc", "uts", "cgroup", "mount"]);
  executor.warm({ ...DEFAULT_LIMITS, memoryMb: 131 });
  await waitFor(() => executor.poolStats()?.ready === 1, "a pooled child");
  const [pooled] = await childrenWithHeap(131);
  // The host sees the pooled child's Deno in a PID namespace of its own, below the wall's two bwrap processes.
  const nspid = /^NSpid:\s+(.*)$/m.exec(Deno.readTextFileSync(`/proc/${pooled}/status`))?.[1].split(/\s+/);
  assert.deepEqual(nspid?.slice(1), ["2"]);
  const fresh = await run(executor, "return [Deno.pid, Deno.ppid]");
  assert.deepEqual(fresh.result, [2, 1], "a fresh child (another kind) is inside a wall too");
  const taken = await executor.execute({
    executionId: "pooled",
    code: "return [Deno.pid, Deno.ppid]",
    limits: { ...DEFAULT_LIMITS, memoryMb: 131 },
    invoke: () => Promise.reject(new Error("no tools")),
  });
  assert.equal(executor.poolStats()?.hits, 1);
  assert.deepEqual(taken.result, [2, 1]);
});

Deno.test("codemode.yaml sandbox.os: a bad value is a ConfigError naming the file, line and key", () => {
  const cases: [string, RegExp][] = [
    ["sandbox:\n  os: sometimes\n", /^codemode\.yaml:2:7: sandbox\.os: expected one of "auto", "required", "off"/],
    ["sandbox:\n  oss: auto\n", /^codemode\.yaml:2:3: sandbox\.oss: unknown key; did you mean "os"\?/],
    ["sandbox: off\n", /^codemode\.yaml:1:10: sandbox: expected a mapping/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseConfig(text, "codemode.yaml", { env: {} }), (e) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, message);
      return true;
    });
  }
  const { config } = parseConfig("sandbox:\n  os: ${MODE}\n", "codemode.yaml", { env: { MODE: "off" } });
  assert.deepEqual(config.sandbox, { os: "off" });
});

Deno.test("osSandbox and --os-sandbox refuse anything but auto, required and off", async () => {
  for (const value of ["on", "", "Required", null, 1]) {
    assert.throws(
      () => new LocalExecutor({ osSandbox: value as "auto" }),
      /osSandbox must be one of auto, required, off/,
    );
    assert.throws(() => new Codemode({ localExecutor: { osSandbox: value as "auto" } }), RangeError);
  }
  for (const command of ["run", "mcp", "serve", "doctor"]) {
    const { io, err } = recordingIo(Deno.cwd());
    const args = command === "run" ? ["run", "-", "--os-sandbox", "maybe"] : [command, "--os-sandbox", "maybe"];
    assert.equal(await main(args, io), 2, command);
    assert.match(err(), /--os-sandbox must be one of auto, required, off, got "maybe"/, command);
  }
});

Deno.test("--os-sandbox required without a wall: run, mcp and serve refuse to start, naming what is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await withoutBwrap(async () => {
      for (const args of [["run", "-"], ["mcp"], ["serve", "--port", "0"]]) {
        const { io, err } = recordingIo(dir, "return 1");
        assert.equal(await main([...args, "--os-sandbox", "required"], io), 2, args[0]);
        assert.match(err(), /required.*unavailable: bwrap not found in \/nonexistent\/codemode-no-bwrap/, args[0]);
      }
      await Deno.writeTextFile(`${dir}/codemode.yaml`, "sandbox:\n  os: required\n");
      const { io, out } = recordingIo(dir);
      assert.equal(await main(["doctor"], io), 1, "doctor exits 1 when the required wall is missing");
      assert.match(out(), /OS wall \(osSandbox required\): none: bwrap not found .*\(required: scripts will not run\)/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("codemode doctor says which walls stand, as LocalExecutor.walls() does", async () => {
  await using executor = new LocalExecutor();
  const walls = await executor.walls();
  const { io, out } = recordingIo("/nonexistent");
  assert.equal(await main(["doctor", "--json"], io), 0);
  const report = JSON.parse(out());
  assert.deepEqual(report.walls, walls);
  assert.equal(typeof report.guards.parentDeathSignal, "boolean");
  const human = recordingIo("/nonexistent");
  assert.equal(await main(["doctor"], human.io), 0);
  assert.match(human.out(), /^Deno permissions: none granted/m);
  assert.match(human.out(), walls.os === "none" ? /^OS wall \(osSandbox auto\): none: /m : /^OS wall.*: bubblewrap: /m);
  assert.match(human.out(), /^cgroup limits: /m);
});

Deno.test("the executor service reports its walls in GET /ready, and refuses to start when a required wall is missing", async () => {
  const service = await serveExecutor({ port: 0, osSandbox: "off" });
  try {
    const ready = await (await fetch(new URL("/ready", service.url))).json();
    assert.equal(ready.status, "ready");
    assert.deepEqual(ready.walls, { ...service.walls });
    assert.equal(ready.walls.reason, "turned off (osSandbox: off)");
  } finally {
    await service.shutdown();
  }
  await withoutBwrap(() =>
    assert.rejects(serveExecutor({ port: 0, osSandbox: "required" }), /"required".*bwrap not found/)
  );
});

Deno.test({
  name: wallTest("a tempDir closed to the uid a root host's wall runs as rules the wall out, and says so"),
  ignore: WALL.unprivilegedUid === undefined,
}, async () => {
  const closed = await Deno.makeTempDir({ prefix: "codemode-closed-" }); // 0700: nobody may search it
  try {
    const problem = new RegExp(`${closed} is not searchable by uid 65534, which the OS wall runs as`);
    await using auto = new LocalExecutor({ tempDir: closed });
    assert.match((await auto.walls()).reason ?? "", problem);
    assert.equal((await run(auto, "return Deno.pid > 2")).result, true, "it runs, with Deno's wall alone");
    await using required = new LocalExecutor({ tempDir: closed, osSandbox: "required" });
    assert.equal((await required.walls()).os, "none");
    await assert.rejects(run(required, "return 1"), problem);
  } finally {
    await Deno.remove(closed, { recursive: true });
  }
});
