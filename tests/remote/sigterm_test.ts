// `codemode serve` as a subprocess, sent SIGTERM with executions in flight:
// it refuses new ones, lets the running ones finish up to shutdownTimeoutMs,
// kills the rest, and exits with no sandbox and no temp dir left behind.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { alive, KEY, pidProbe, remoteCodemode, startServe, stopServe, waitFor } from "./_helpers.ts";
import { sandboxProcesses } from "../security/_canaries.ts";

Deno.test("SIGTERM: running executions finish or are killed at the deadline, the process exits, nothing is left", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "codemode-serve-sigterm-" });
  const sandboxTmp = `${tmp}/tmp`;
  await Deno.mkdir(sandboxTmp);
  await Deno.writeTextFile(
    `${tmp}/codemode.yaml`,
    "service:\n  maxConcurrent: 4\n  shutdownTimeoutMs: 3000\n  limits:\n    timeoutMs: 120000\n",
  );
  const { child, stderr, url } = await startServe(`${tmp}/codemode.yaml`, {
    CODEMODE_API_KEYS: `test:${KEY}`,
    TMPDIR: sandboxTmp,
  });
  try {
    const probe = pidProbe();
    const gate = Promise.withResolvers<void>();
    const wait = defineTool({ name: "gate.wait", input: z.object({}), handler: () => gate.promise.then(() => "open") });
    await using cm = remoteCodemode({ url }, { tools: [probe.tool, wait] }, { retries: 0 });
    const finishing = cm.execute(
      `await tools.probe.pid({ main: Deno.mainModule }); await tools.gate.wait({}); return "done"`,
    );
    const spinning = cm.execute(`await tools.probe.pid({ main: Deno.mainModule }); while (true) {}`, {
      limits: { timeoutMs: 120_000 },
    });
    await waitFor("both sandboxes to run", () => probe.pids.length === 2);
    // Every sandbox of the service, running or waiting in its pool (a script's Deno.pid is its PID namespace's
    // inside the OS wall, so the host's view is asked).
    const sandboxes = (await sandboxProcesses()).filter((p) => p.ppid === child.pid).map((p) => p.pid);
    assert.ok(sandboxes.length >= 2, `${sandboxes.length} sandboxes found`);
    child.kill("SIGTERM");
    await waitFor("the service to drain", async () => {
      const res = await fetch(new URL("/ready", url)).catch(() => undefined);
      const body = await res?.json().catch(() => undefined);
      return body?.status === "draining";
    });
    const refused = await cm.execute("return 1");
    assert.equal(refused.stopReason, "unavailable");
    assert.match(refused.error!.message, /503/);
    gate.resolve();
    const [done, killed] = await Promise.all([finishing, spinning]);
    assert.deepEqual([done.stopReason, done.result], ["completed", "done"]);
    assert.equal(killed.stopReason, "killed");
    assert.match(killed.error!.message, /shut down before the script finished .*shutdownTimeoutMs/);
    const status = await child.status;
    assert.equal(status.code, 0, await stderr);
    for (const pid of sandboxes) assert.equal(await alive(pid), false, `sandbox ${pid} is gone`);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(sandboxTmp)), [], "no temp dir left");
  } finally {
    await stopServe(child, stderr);
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("codemode serve: the config's metrics are served at /metrics with a key, its log lines go to stderr", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "codemode-serve-observed-" });
  await Deno.writeTextFile(`${tmp}/codemode.yaml`, "metrics:\n  enabled: true\nlogging:\n  level: info\n");
  const { child, stderr, url } = await startServe(`${tmp}/codemode.yaml`, { CODEMODE_API_KEYS: `ops:${KEY}` });
  try {
    await using cm = remoteCodemode({ url }, {}, { retries: 0 });
    assert.equal((await cm.execute("return 1", { correlationId: "req-serve-1" })).result, 1);
    const res = await fetch(new URL("/metrics", url), { headers: { Authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /codemode_executions_total\{outcome="ok",stop_reason="completed"\} 1/);
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0);
    const lines = (await stderr).split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const execution = lines.find((l) => l.msg === "execution");
    assert.deepEqual([execution?.correlationId, execution?.principal], ["req-serve-1", "api-key:ops"]);
  } finally {
    await stopServe(child, stderr);
    await Deno.remove(tmp, { recursive: true });
  }
});
