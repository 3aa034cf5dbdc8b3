// Nothing outlives the host: however the process that started a sandbox ends
// (Ctrl-C, SIGTERM, SIGKILL), its sandbox children end too, and a child that
// somehow lost its host stops at its CPU-time limit.
// Stopped by: `setpriv --pdeathsig KILL` and `prlimit --cpu` (util-linux) on every child, `setsid` process groups
// killed whole, an `unload` hook, and the CLI's signal handlers.
import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../../mod.ts";
import { sandboxCommand } from "../../executor/local.ts";
import { cpuSecondsFor, kernelGuards } from "../../executor/_kernel_guard.ts";
import { childrenWithHeap, existsSync, sandboxProcesses, waitFor } from "./_canaries.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const guards = kernelGuards();

/** Is the process running (not gone, not a zombie)? Reads its state, as `kill -0` succeeds on zombies. */
function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

async function childrenOf(pid: number, count: number): Promise<number[]> {
  let pids: number[] = [];
  await waitFor(async () => {
    pids = (await sandboxProcesses()).filter((p) => p.ppid === pid).map((p) => p.pid);
    return pids.length >= count;
  }, `${count} sandbox children of ${pid}`);
  return pids;
}

/** The executors' private dirs (`…/codemode-XXXX/prelude.js`) the sandbox children run from. */
function homesOf(pids: number[]): string[] {
  const homes = pids.flatMap((pid) => {
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
      return [/(\/\S*\/codemode-[^/\s]+)\/prelude\.js/.exec(cmdline)?.[1] ?? []].flat();
    } catch {
      return [];
    }
  });
  return [...new Set(homes)];
}

/** A host killed before it could clean up leaves its private dir: the test removes what it made it leave. */
async function removeLeftHomes(homes: string[]): Promise<void> {
  for (const home of homes) await Deno.remove(home, { recursive: true }).catch(() => {});
}

async function assertAllEnd(pids: number[]): Promise<void> {
  // "Within ~2 s"; the bound is generous for a busy machine, the usual figure is far below it.
  await waitFor(() => pids.every((p) => !running(p)), `sandbox children ${pids} to end`, 10_000);
}

async function readUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<void> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes(marker)) return;
  }
  assert.fail(`the process ended without printing ${marker}: ${text}`);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const) {
  Deno.test({
    name: `codemode run: after ${signal} no sandbox child is left running`,
    ignore: signal === "SIGKILL" && !guards.parentDeathSignal,
    async fn() {
      const script = await Deno.makeTempFile({ suffix: ".ts" });
      try {
        await Deno.writeTextFile(script, "while (true) {}\n");
        const cli = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", `${ROOT}cli.ts`, "run", script, "--timeout", "600000"],
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const children = await childrenOf(cli.pid, 1);
        const homes = homesOf(children);
        assert.equal(homes.length, 1, "the sandbox runs from its executor's private dir");
        cli.kill(signal);
        const [status, stderr] = await Promise.all([cli.status, new Response(cli.stderr).text(), cli.stdout.cancel()]);
        await assertAllEnd(children);
        if (signal === "SIGKILL") {
          await removeLeftHomes(homes);
          return assert.equal(status.signal, "SIGKILL");
        }
        assert.equal(status.code, signal === "SIGINT" ? 130 : 143, stderr);
        assert.match(stderr, new RegExp(`interrupted by ${signal}; the sandbox was stopped`));
        // The CLI handles the signal: it closes its executor, which removes its private dir.
        assert.deepEqual(homes.filter((home) => existsSync(home)), [], "the CLI removed its private dir");
      } finally {
        await Deno.remove(script);
      }
    },
  });

  Deno.test({
    name: `a host using the library: after ${signal} its running sandboxes end`,
    ignore: !guards.parentDeathSignal,
    async fn() {
      const host = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${ROOT}tests/security/fixtures/busy_host.ts`],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const children = await childrenOf(host.pid, 2);
      const homes = homesOf(children);
      await readUntil(host.stdout, "RUNNING\nRUNNING\n");
      host.kill(signal);
      const status = await host.status;
      assert.equal(status.success, false);
      await assertAllEnd(children);
      // This host installs no signal handler, so nothing of it ran to remove its private dir.
      await removeLeftHomes(homes);
    },
  });
}

Deno.test({
  name: "a sandbox child whose host never stops it is killed by the kernel at its CPU-time limit",
  ignore: !guards.cpuTimeLimit,
  async fn() {
    const limits = { ...DEFAULT_LIMITS, timeoutMs: 500 };
    const denoDir = await Deno.makeTempDir();
    try {
      const prelude = `${ROOT}executor/sandbox/prelude.js`;
      const child = sandboxCommand(Deno.execPath(), limits, prelude, { cwd: "/", denoDir }).spawn();
      const writer = child.stdin.getWriter();
      const run = { code: "while (true) {}", tools: [], maxResultBytes: 1024, maxLogLineBytes: 1024, maxDepth: 128 };
      const nonce = "0".repeat(32);
      await writer.write(new TextEncoder().encode(`${nonce}\n${JSON.stringify({ method: "run", params: run })}\n`));
      // No host timeout, no kill: only the kernel ends it.
      const [status] = await Promise.all([child.status, child.stdout.cancel(), child.stderr.cancel()]);
      assert.equal(status.signal, "SIGKILL");
      assert.equal(cpuSecondsFor(limits.timeoutMs), 3);
    } finally {
      await Deno.remove(denoDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a sandbox outlives the host's idle threads: the parent-death signal follows the main thread",
  ignore: !guards.parentDeathSignal,
  async fn() {
    const { Codemode } = await import("../../mod.ts");
    await using cm = new Codemode({ limits: { timeoutMs: 60_000 } });
    // Deno's blocking-task threads end after 10 s idle; a child tied to one would die with it.
    const r = await cm.execute(`await new Promise((r) => setTimeout(r, 12_000)); return "alive"`);
    assert.equal(r.stopReason, "completed", JSON.stringify(r));
    assert.equal(r.result, "alive");
  },
});

Deno.test("a host allowed to run only deno starts its sandboxes unwrapped and still stops them", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      `--allow-run=${Deno.execPath()}`,
      `${ROOT}tests/security/fixtures/restricted_host.ts`,
    ],
    stderr: "inherit",
  }).output();
  assert.equal(out.code, 0);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), ["completed", 2, "timeout"]);
});

// A warm pool's children wait for a script that may never come: however the
// host ends, they end with it, and they never keep it from ending.
const POOL_ENDINGS = [
  { how: "its event loop ends", mode: "return", signal: undefined, memoryMb: 171 },
  { how: "it calls Deno.exit()", mode: "exit", signal: undefined, memoryMb: 172 },
  { how: "it gets SIGTERM", mode: "wait", signal: "SIGTERM", memoryMb: 173 },
  { how: "it gets SIGKILL", mode: "wait", signal: "SIGKILL", memoryMb: 174 },
] as const;

for (const { how, mode, signal, memoryMb } of POOL_ENDINGS) {
  Deno.test({
    name: `a host with a warm pool: when ${how}, its waiting children end too`,
    ignore: signal !== undefined && !guards.parentDeathSignal,
    async fn() {
      const host = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${ROOT}tests/security/fixtures/pool_host.ts`, mode, String(memoryMb)],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      await readUntil(host.stdout, "READY\n");
      const children = await childenOfPool(memoryMb, host.pid);
      const homes = homesOf(children);
      if (signal) host.kill(signal);
      else await host.stdin.getWriter().write(new TextEncoder().encode("GO\n"));
      const status = await host.status;
      if (!signal) assert.equal(status.code, 0, "the idle pool did not keep the host from ending");
      await assertAllEnd(children);
      if (signal) return await removeLeftHomes(homes);
      // Deno.exit() and the end of the event loop fire `unload`, which removes the executor's private dir.
      assert.deepEqual(homes.filter((home) => existsSync(home)), [], "the host removed its private dir");
    },
  });
}

async function childenOfPool(memoryMb: number, pid: number): Promise<number[]> {
  let pids: number[] = [];
  await waitFor(
    async () => (pids = await childrenWithHeap(memoryMb, pid)).length === 2,
    `the 2 pooled children of ${pid}`,
  );
  return pids;
}

Deno.test({
  name:
    "the private dir of a host killed with SIGKILL is removed by the next host's executor; others, and those of another PID namespace, are left alone",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const { LocalExecutor } = await import("../../mod.ts");
    const tempDir = await Deno.makeTempDir({ prefix: "codemode-sweep-test-" });
    const live = new Deno.Command("sleep", { args: ["600"] }).spawn();
    try {
      const gone = new Deno.Command("true").spawn();
      await gone.status;
      const home = async (name: string, owner?: number) => {
        await Deno.mkdir(`${tempDir}/${name}/deno`, { recursive: true });
        await Deno.writeTextFile(`${tempDir}/${name}/prelude.js`, "");
        if (owner !== undefined) await Deno.writeTextFile(`${tempDir}/${name}/owner.pid`, `${owner} ${namespace}`);
      };
      const ours = await Deno.readLink("/proc/self/ns/pid");
      let namespace = ours;
      await home("codemode-0123456789abcdef", gone.pid); // its host is gone
      await home("codemode-fedcba9876543210", live.pid); // its host lives
      await home("codemode-00000000aaaaaaaa"); // no owner file: not known to be ours
      await home("not-codemode-1234", gone.pid); // not named as a private dir
      namespace = "pid:[1]"; // a host in a container sharing this temp dir: its pid means nothing here
      await home("codemode-abcdef0123456789", gone.pid);
      await using executor = new LocalExecutor({ tempDir });
      const r = await executor.execute({
        executionId: "x",
        code: "return 1",
        limits: { ...DEFAULT_LIMITS },
        invoke: () => Promise.reject(new Error("no tools")),
      });
      assert.equal(r.result, 1);
      const names = async () => (await Array.fromAsync(Deno.readDir(tempDir))).map((e) => e.name).sort();
      await waitFor(async () => !(await names()).includes("codemode-0123456789abcdef"), "the stale dir to go", 10_000);
      const left = await names();
      const others = ["codemode-fedcba9876543210", "codemode-00000000aaaaaaaa", "not-codemode-1234"];
      for (const kept of [...others, "codemode-abcdef0123456789"]) {
        assert.ok(left.includes(kept), `${kept} is left alone`);
      }
    } finally {
      live.kill("SIGKILL");
      await live.status;
      await Deno.remove(tempDir, { recursive: true });
    }
  },
});
