// The warm pool's doors and promises: a pooled child is a fresh child
// started earlier (same flags, environment, limits and view of the world; a
// script cannot leave anything for the next one), an execution never gets a
// child started with other limits, and every new door (the LocalExecutor
// option, codemode.yaml's executor.pool, codemode mcp --pool, many kinds of
// limits) refuses abuse.
// Stopped by: a pooled child is started exactly like a fresh one and runs one script; children are pooled per kind of
// limits; pool settings are range-checked.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, DEFAULT_LIMITS, defineTool, LocalExecutor } from "../../mod.ts";
import { cpuSecondsFor } from "../../executor/_kernel_guard.ts";
import { MAX_POOL_KINDS } from "../../executor/_pool.ts";
import { ConfigError, parseConfig } from "../../src/config/mod.ts";
import { main } from "../../cli.ts";
import { recordingIo } from "../_helpers.ts";
import { childrenWithHeap, newestSandbox, waitFor } from "./_canaries.ts";

/** What a script can see of its sandbox. */
const SCRIPT_VIEW = `
const perms = {};
for (const name of ["read", "write", "net", "env", "run", "ffi", "sys", "import"]) {
  perms[name] = (await Deno.permissions.query({ name })).state;
}
let env;
try { env = Object.keys(Deno.env.toObject()); } catch (e) { env = e.name; }
const v8 = await import("node:v8");
return {
  args: Deno.args, cwd: Deno.cwd(), execPath: Deno.execPath(), noColor: Deno.noColor,
  main: Deno.mainModule.replace(/codemode-[^/]+/, "codemode-X"),
  perms, env, heap: v8.getHeapStatistics().heap_size_limit,
  globals: Object.getOwnPropertyNames(globalThis).sort(),
  deno: Object.getOwnPropertyNames(Deno).sort(),
  objectProto: Object.getOwnPropertyNames(Object.prototype).sort(),
  arrayPush: Array.prototype.push.toString(),
  storage: [typeof localStorage, typeof sessionStorage, typeof caches],
  leftover: typeof globalThis.leftover,
};`;

/** What the host sees of a child: its command line, environment, CPU-time limit and memory cgroup's limit. */
function hostView(pid: number): Record<string, unknown> {
  const normalize = (s: string) => s.replace(/codemode-[^/\0]+/g, "codemode-X");
  const cmdline = normalize(Deno.readTextFileSync(`/proc/${pid}/cmdline`)).split("\0");
  const environ = normalize(Deno.readTextFileSync(`/proc/${pid}/environ`)).split("\0").filter(Boolean).sort();
  const cpu = /^Max cpu time\s+(\S+)\s+(\S+)/m.exec(Deno.readTextFileSync(`/proc/${pid}/limits`))?.slice(1);
  const memoryGroup = /^\d+:([^:]*,)?memory(,[^:]*)?:(.*)$/m.exec(Deno.readTextFileSync(`/proc/${pid}/cgroup`))?.[3];
  let memoryLimit: string | undefined;
  try {
    memoryLimit = Deno.readTextFileSync(`/sys/fs/cgroup/memory${memoryGroup}/memory.limit_in_bytes`).trim();
  } catch { /* no memory cgroup here */ }
  return { cmdline, environ, cpu, memoryLimit };
}

/**
 * A tool that reports what the host sees of the calling child: the script
 * passes its main module, which names its executor's private dir (its
 * Deno.pid is its PID namespace's inside the OS wall).
 */
function hostViewTool(views: Record<string, unknown>[]) {
  return defineTool({
    name: "probe.host",
    input: z.object({ main: z.string() }),
    handler: async ({ main }) => void views.push(hostView(await newestSandbox(new URL(main).pathname))),
  });
}

const PROBE_HOST = `await tools.probe.host({ main: Deno.mainModule });`;
const VIEW_WITH_HOST = `${PROBE_HOST}\n${SCRIPT_VIEW}`;

Deno.test("a pooled child is indistinguishable from a fresh one, to the script and to the host", async () => {
  const views: Record<string, unknown>[] = [];
  const limits = { memoryMb: 151, timeoutMs: 20_000, maxRssMb: 300 };
  await using fresh = new Codemode({ tools: [hostViewTool(views)], limits });
  const executor = new LocalExecutor({ pool: { size: 1 } });
  await using pooled = new Codemode({ tools: [hostViewTool(views)], limits, executor });
  await waitFor(() => executor.poolStats()?.ready === 1 && !executor.poolStats()?.filling, "a ready pooled child");
  const a = await fresh.execute(VIEW_WITH_HOST);
  const b = await pooled.execute(VIEW_WITH_HOST);
  assert.equal(executor.poolStats()?.hits, 1, "the second ran on a pooled child");
  assert.equal(a.stopReason, "completed", JSON.stringify(a));
  assert.deepEqual(b.result, a.result, "the script sees the same sandbox");
  assert.deepEqual(views[1], views[0], "the host sees the same flags, environment, CPU-time limit and memory cap");
  assert.deepEqual((views[0].cpu as string[]).map(Number), [cpuSecondsFor(20_000), cpuSecondsFor(20_000)]);
  await executor.close();
});

Deno.test("a script cannot leave anything for the next one, nor reach the children waiting beside it", async () => {
  const executor = new LocalExecutor({ pool: { size: 2 } });
  await using cm = new Codemode({ executor, limits: { memoryMb: 152 } });
  await using fresh = new Codemode({ limits: { memoryMb: 152 } });
  await waitFor(() => executor.poolStats()?.ready === 2 && !executor.poolStats()?.filling, "two ready children");
  const waiting = await childrenWithHeap(152);
  const first = await cm.execute(`
    const refused = [];
    // Inside the OS wall Deno.pid is the namespace's, never one of these: both are tried then.
    for (const pid of ${JSON.stringify(waiting)}.filter((pid) => pid !== Deno.pid)) {
      for (const signal of ["SIGKILL", "SIGSTOP", "SIGTERM"]) {
        try { Deno.kill(pid, signal); } catch (e) { refused.push(e.name); }
      }
    }
    for (const write of [() => Deno.writeTextFileSync("/tmp/codemode-leftover", "x"), () => localStorage.setItem("k", "v")]) {
      try { write(); } catch (e) { refused.push(e.name); }
    }
    globalThis.leftover = "x";
    Object.prototype.polluted = 1;
    Array.prototype.push = () => 0;
    Deno.execPath = () => "evil";
    Deno.stdout.writeSync(new TextEncoder().encode("half a line"));
    return refused;`);
  assert.equal(first.stopReason, "completed", JSON.stringify(first));
  // The script ran in one of the two waiting children: it may signal itself (Deno allows that), never the other.
  const refused = first.result as string[];
  assert.ok(refused.length === 5 || refused.length === 8, JSON.stringify(refused));
  assert.deepEqual(refused, [...Array(refused.length - 1).fill("NotCapable"), "TypeError"]);
  const second = await cm.execute(SCRIPT_VIEW);
  assert.equal(executor.poolStats()?.hits, 2, "both ran on pooled children");
  const pristine = await fresh.execute(SCRIPT_VIEW);
  assert.deepEqual(second.result, pristine.result, "the next script sees a fresh sandbox");
  assert.equal((second.result as { leftover: string }).leftover, "undefined");
  assert.equal(second.logs.length, 0, "no output of the first script reaches the second");
  await executor.close();
});

Deno.test("an execution never gets a child started with other limits", async () => {
  const views: Record<string, unknown>[] = [];
  const executor = new LocalExecutor({ pool: { size: 1 } });
  await using cm = new Codemode({ tools: [hostViewTool(views)], executor, limits: { memoryMb: 153 } });
  await waitFor(() => executor.poolStats()?.ready === 1 && !executor.poolStats()?.filling, "a ready child");
  const code = `${PROBE_HOST} return 1`;
  // Each starts with the pool settled (every kind so far refilled): a child it starts meanwhile is of its own kind.
  const kinds = [{ timeoutMs: 2000 }, { memoryMb: 154 }, { maxRssMb: 100 }];
  for (const [i, limits] of kinds.entries()) {
    await waitFor(
      () => {
        const { idle, ready, filling } = executor.poolStats()!;
        return idle === i + 1 && ready === i + 1 && !filling;
      },
      "the pool settled",
      120_000,
    );
    await cm.execute(code, { limits });
  }
  assert.equal(executor.poolStats()?.hits, 0, "each of these kinds was new: fresh children ran them");
  assert.deepEqual(views.map((v) => (v.cpu as string[])[0]), [String(cpuSecondsFor(2000)), "62", "62"]);
  assert.ok((views[1].cmdline as string[]).includes("--v8-flags=--max-old-space-size=154"));
  if (views[2].memoryLimit !== undefined) assert.equal(views[2].memoryLimit, String(100 * 1_048_576));
  await executor.close();
});

Deno.test("executions of many kinds of limits cannot make the pool grow past its kinds", async () => {
  const executor = new LocalExecutor({ pool: { size: 1 } });
  try {
    for (let i = 0; i < 10; i++) {
      await executor.execute({
        executionId: `k${i}`,
        code: "return 1",
        limits: { ...DEFAULT_LIMITS, memoryMb: 160 + i },
        invoke: () => Promise.reject(new Error("no tools")),
      });
    }
    await waitFor(
      () => {
        const s = executor.poolStats()!;
        return s.ready === s.idle && s.idle >= 1 && !s.filling;
      },
      "the pool settled",
      120_000,
    );
    const idle = executor.poolStats()!.idle;
    assert.ok(idle <= MAX_POOL_KINDS, `${idle} children waiting for 10 kinds`);
    let live = 0;
    for (let i = 0; i < 10; i++) live += (await childrenWithHeap(160 + i)).length;
    assert.equal(live, idle, "no child waits outside the pool's count");
  } finally {
    await executor.close();
  }
});

Deno.test("codemode.yaml: executor.pool out of range or malformed is a ConfigError naming the key", () => {
  const cases: [string, RegExp][] = [
    ["executor:\n  pool:\n    size: 100000\n", /executor\.pool\.size/],
    ["executor:\n  pool:\n    size: -1\n", /executor\.pool\.size/],
    ["executor:\n  pool:\n    size: 1.5\n", /executor\.pool\.size/],
    ["executor:\n  pool:\n    size: lots\n", /executor\.pool\.size/],
    ["executor:\n  pool:\n    size: 1\n    idleTimeoutMs: 0\n", /executor\.pool\.idleTimeoutMs/],
    ["executor:\n  pool:\n    size: 1\n    idleTimeoutMs: 99999999999\n", /executor\.pool\.idleTimeoutMs/],
    ["executor:\n  pool:\n    sizes: 1\n", /executor\.pool/],
    ["executor:\n  pool: 2\n", /executor\.pool/],
    ["executor:\n  pool:\n    __proto__: { size: 1 }\n", /executor\.pool/],
  ];
  for (const [text, key] of cases) {
    try {
      parseConfig(text, "codemode.yaml", { env: {} });
      assert.fail(`accepted: ${text}`);
    } catch (e) {
      assert.ok(e instanceof ConfigError, `${text}: ${e}`);
      assert.match(e.message, key, text);
    }
  }
  const { config } = parseConfig("executor:\n  pool:\n    size: ${N}\n", "codemode.yaml", { env: { N: "3" } });
  assert.deepEqual(config.executor.type === "local" && config.executor.pool, { size: 3 });
});

Deno.test("the pool option refuses what is not a small whole number, in Codemode too", () => {
  for (const size of [1e9, -1, 0.5, Number.NaN, Infinity, "4", null]) {
    assert.throws(() => new LocalExecutor({ pool: { size: size as number } }), RangeError, String(size));
    assert.throws(() => new Codemode({ localExecutor: { pool: { size: size as number } } }), RangeError, String(size));
  }
});

Deno.test("codemode mcp --pool refuses what is not a whole number from 0 to 64", async () => {
  for (const value of ["100000", "-1", "1e3", "two", "65", ""]) {
    const { io, err } = recordingIo(Deno.cwd());
    assert.equal(await main(["mcp", `--pool=${value}`], io), 2, value);
    assert.match(err(), /--pool must be an integer from 0 to 64/, value);
  }
});
