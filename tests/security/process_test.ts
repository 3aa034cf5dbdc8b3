// Process abuse: spawning, FFI, signalling the host, exiting early, outliving
// the execution, and leaving the executor's private dir behind.
// Stopped by: `--deny-run`, `--deny-ffi`, its own process group killed whole on every ending, and a private dir removed
// by `close()` or the next executor.
import assert from "node:assert/strict";
import {
  assertDenied,
  assertFailed,
  assertHealthy,
  canaries,
  exists,
  ourSurvivors,
  privateDirOf,
  REPORT_SANDBOX,
  reportedSandbox,
  sandbox,
  sandboxProcesses,
  startedProbe,
} from "./_canaries.ts";

Deno.test("Deno.Command is refused by the validator by default", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(
    c.fill(`await new Deno.Command("/usr/bin/touch", { args: ["{{DIR}}/spawned"] }).output()`),
  );
  assert.equal(r.stopReason, "rejected");
  assert.equal(await exists(`${c.dir}/spawned`), false);
});

Deno.test("a script cannot spawn a process with Deno.Command once past the validator", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (const cmd of ["/usr/bin/touch", "touch", "/bin/sh"]) {
    const args = cmd === "/bin/sh" ? `["-c", "touch {{DIR}}/spawned"]` : `["{{DIR}}/spawned"]`;
    const r = await cm.execute(c.fill(`
      const C = Deno["Com" + "mand"];
      return await new C("${cmd}", { args: ${args} }).output();
    `));
    assertFailed(r, /Requires run access|NotFound|Failed to spawn/);
    c.assertClean(r);
  }
  assert.equal(await exists(`${c.dir}/spawned`), false);
});

Deno.test("a script cannot spawn a process with Deno.run", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const run = Deno["r" + "un"];
    if (typeof run !== "function") return "no run function";
    const p = run({ cmd: ["/usr/bin/touch", "{{DIR}}/spawned"] });
    return await p.status();
  `));
  if (r.ok) assert.equal(r.result, "no run function");
  else assertDenied(r, "run");
  assert.equal(await exists(`${c.dir}/spawned`), false);
});

Deno.test("a script cannot load a native library with Deno.dlopen", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(`
    const lib = Deno["dl" + "open"]("libc.so.6", { getenv: { parameters: ["buffer"], result: "pointer" } });
    return String(lib.symbols.getenv(new TextEncoder().encode("CODEMODE_CANARY_SECRET\\0")));
  `);
  assertDenied(r, "ffi");
  c.assertClean(r);
});

Deno.test("a script cannot spawn through node:child_process", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const code of [
      `const cp = await import("node:child_process"); return cp.execSync("touch {{DIR}}/spawned").toString()`,
      `const cp = await import("node:child_process");
       const r = cp.spawnSync("/usr/bin/touch", ["{{DIR}}/spawned"], { env: {} });
       if (r.error) throw r.error;
       return r.status;`,
      `const cp = await import("node:child_process");
       return await new Promise((res, rej) => {
         const p = cp.spawn("/usr/bin/touch", ["{{DIR}}/spawned"], { env: {} });
         p.on("error", rej); p.on("exit", res);
       });`,
    ]
  ) {
    const r = await cm.execute(c.fill(code));
    assertFailed(r, /Requires (run|env) access/);
    c.assertClean(r);
  }
  assert.equal(await exists(`${c.dir}/spawned`), false);
});

Deno.test("a script cannot read the secret from a node:worker_threads worker", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const wt = await import("node:worker_threads");
    const w = new wt.Worker(
      'require("node:worker_threads").parentPort.postMessage(require("node:fs").readFileSync("{{FILE}}", "utf8"))',
      { eval: true },
    );
    try {
      return await new Promise((res, rej) => { w.on("message", res); w.on("error", rej); });
    } finally {
      await w.terminate();
    }
  `));
  assertFailed(r, /Requires read access/);
  c.assertClean(r);
});

Deno.test("a script cannot kill the host with Deno.kill of its parent pid", async () => {
  await using cm = sandbox();
  for (
    const code of [
      `Deno.kill(Deno.ppid, "SIGKILL"); return "killed"`,
      `Deno.kill(-Deno.ppid, "SIGKILL"); return "killed"`,
      `Deno.kill(0, "SIGTERM"); return "killed"`,
      `const p = await import("node:process"); p.kill(Deno.ppid, "SIGKILL"); return "killed"`,
    ]
  ) {
    const r = await cm.execute(code);
    assertFailed(r, /Requires run access/);
  }
  await assertHealthy(cm);
});

Deno.test("Deno.exit(0) before returning ends as an error, not a completion", async () => {
  await using cm = sandbox();
  for (const code of [`Deno.exit(0)`, `const p = await import("node:process"); p.exit(0)`, `Deno.exit(3); return 1`]) {
    const r = await cm.execute(code);
    assert.equal(r.stopReason, "error", JSON.stringify(r));
    assert.equal(r.error?.name, "SandboxExitError");
    assert.equal(r.result, undefined);
  }
  await assertHealthy(cm);
});

Deno.test("a script that busy-loops in its unload handler is killed after returning", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`${REPORT_SANDBOX} addEventListener("unload", () => { while (true) {} }); return 42`);
  assert.equal(r.stopReason, "completed");
  assert.equal(r.result, 42);
  assert.deepEqual(await ourSurvivors([reportedSandbox(r)]), []);
});

Deno.test("a worker still spinning when its script returns is killed with the child", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`
    ${REPORT_SANDBOX}
    new Worker("data:application/javascript," + encodeURIComponent("while (true) {}"), { type: "module" });
    return 7;
  `);
  assert.equal(r.stopReason, "completed");
  assert.equal(r.result, 7);
  assert.deepEqual(await ourSurvivors([reportedSandbox(r)]), []);
});

Deno.test("no sandbox process survives an execution that ends by timeout", async () => {
  await using cm = sandbox({ limits: { timeoutMs: 1000 } });
  const r = await cm.execute(`
    ${REPORT_SANDBOX}
    const w = new Worker("data:application/javascript," + encodeURIComponent("while (true) {}"), { type: "module" });
    while (true) {}
  `);
  assert.equal(r.stopReason, "timeout");
  assert.deepEqual(await ourSurvivors([reportedSandbox(r)]), []);
});

Deno.test("no sandbox process survives an execution that is cancelled", async () => {
  const probe = startedProbe();
  await using cm = sandbox({ tools: [probe.tool], limits: { timeoutMs: 60_000 } });
  const abort = new AbortController();
  const pending = cm.execute(
    `${REPORT_SANDBOX} await tools.probe.started({}); await new Promise(() => setInterval(() => {}, 1000));`,
    { signal: abort.signal },
  );
  await probe.started;
  // Positive control: the /proc probe does see the sandbox while it runs.
  const running = (await sandboxProcesses()).filter((p) => p.ppid === Deno.pid);
  abort.abort();
  const r = await pending;
  assert.equal(r.stopReason, "killed");
  const prelude = reportedSandbox(r);
  assert.ok(running.some((p) => p.cmdline.includes(prelude)), "the probe saw the sandbox");
  assert.deepEqual(await ourSurvivors([prelude]), []);
});

Deno.test("the sandbox runs in / and the executor's private dir is removed by close()", async () => {
  const cm = sandbox({ limits: { timeoutMs: 1500, memoryMb: 32 } });
  const runs = await Promise.all([
    cm.execute(`${REPORT_SANDBOX} console.log("CWD=" + Deno.cwd()); return 1`),
    cm.execute(`${REPORT_SANDBOX} throw new Error("x")`),
    cm.execute(`${REPORT_SANDBOX} while (true) {}`),
    cm.execute(`${REPORT_SANDBOX} const a = []; while (true) a.push(new Array(1e5).fill(1));`),
  ]);
  assert.deepEqual(runs.map((r) => r.stopReason), ["completed", "error", "timeout", "memory"]);
  assert.ok(runs[0].logs.some((l) => l.text === "CWD=/"), JSON.stringify(runs[0].logs));
  const preludes = runs.map(reportedSandbox);
  assert.equal(new Set(preludes).size, 1, "one executor, one private dir");
  const dir = privateDirOf(preludes[0]);
  assert.equal(await exists(dir), true);
  assert.deepEqual(await ourSurvivors(preludes), []);
  await cm.close();
  assert.equal(await exists(dir), false, `${dir} was left behind`);
});

Deno.test("closing the Codemode kills every execution in flight", async () => {
  const probe = startedProbe(3);
  const cm = sandbox({ tools: [probe.tool], limits: { timeoutMs: 10_000 } });
  const script = `${REPORT_SANDBOX} await tools.probe.started({}); while (true) {}`;
  const pending = Array.from({ length: 3 }, () => cm.execute(script));
  await probe.started;
  await cm.close();
  const runs = await Promise.all(pending);
  assert.deepEqual(runs.map((r) => r.stopReason), ["killed", "killed", "killed"]);
  assert.deepEqual(await ourSurvivors(runs.map(reportedSandbox)), []);
  const after = await cm.execute("return 1");
  assert.equal(after.stopReason, "killed", "a closed Codemode refuses new executions");
});
