/**
 * Shared fixtures of the security suite: canaries a sandboxed script must
 * never reach (a host env var, secret files, loopback listeners), and probes
 * that check the host afterwards (temp dirs, surviving children).
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  type AnyTool,
  Codemode,
  type CodemodeOptions,
  defineTool,
  type ExecutionResult,
  type Limits,
} from "../../mod.ts";
import type { OsSandboxMode } from "../../executor/local.ts";

/** What the sandbox children run (the prelude's copy in an executor's private dir): a process whose cmdline matches is a sandbox. */
export const PRELUDE_MARK = /\/codemode-[^/\s]+\/prelude\.js(\s|$)/;

/** Small limits for abuse tests; the timeout is generous, as a busy 2-core machine can be slow to run even a short script. */
export const FAST: Partial<Limits> = { timeoutMs: 30_000, memoryMb: 64 };

/** The canaries of one test. Dispose to remove them. */
export interface Canaries extends AsyncDisposable {
  /** Random secret: the env var's value and the secret files' content. */
  readonly secret: string;
  /** The env var the host set to the secret (its own name: tests in parallel share the environment). */
  readonly env: string;
  /** Temp dir holding the secret files. */
  readonly dir: string;
  /** Path of a text file holding the secret. */
  readonly file: string;
  /** Path of a JSON file `{ "secret": <secret> }`. */
  readonly json: string;
  /** Port of the loopback HTTP listener. */
  readonly port: number;
  /** Port of the loopback raw TCP listener. */
  readonly tcpPort: number;
  /** URLs of every HTTP request the listener received. */
  readonly requests: string[];
  /** How many TCP connections the raw listener accepted. */
  readonly connections: () => number;
  /** Replaces `{{DIR}}`, `{{FILE}}`, `{{JSON}}`, `{{PORT}}`, `{{TCP}}` in a script. */
  fill(code: string): string;
  /** Asserts nothing leaked into the result and no listener was reached. */
  assertClean(result: unknown): void;
}

/** Plants the canaries: env var, secret files, HTTP and TCP listeners. */
export async function canaries(): Promise<Canaries> {
  const secret = `canary-${crypto.randomUUID()}`;
  // One variable per instance: test files running in parallel share the process environment.
  const env = `CODEMODE_CANARY_SECRET_${crypto.randomUUID().replaceAll("-", "")}`;
  Deno.env.set(env, secret);
  const dir = await Deno.makeTempDir({ prefix: "canary-" });
  const file = `${dir}/secret.txt`;
  const json = `${dir}/secret.json`;
  await Deno.writeTextFile(file, secret);
  await Deno.writeTextFile(json, JSON.stringify({ secret }));

  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    requests.push(req.url);
    return new Response("canary");
  });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const acceptLoop = (async () => {
    try {
      for await (const conn of listener) {
        accepted++;
        conn.close();
      }
    } catch { /* closed */ }
  })();
  const port = server.addr.port;
  const tcpPort = listener.addr.port;

  return {
    secret,
    env,
    dir,
    file,
    json,
    port,
    tcpPort,
    requests,
    connections: () => accepted,
    fill: (code) =>
      code.replaceAll("{{DIR}}", dir).replaceAll("{{FILE}}", file).replaceAll("{{JSON}}", json)
        .replaceAll("{{PORT}}", String(port)).replaceAll("{{TCP}}", String(tcpPort)),
    assertClean(result) {
      const text = JSON.stringify(result);
      assert.ok(!text.includes(secret), `the canary secret leaked: ${text.slice(0, 2000)}`);
      assert.deepEqual(requests, [], "the loopback HTTP listener was reached");
      assert.equal(accepted, 0, "the loopback TCP listener accepted a connection");
    },
    async [Symbol.asyncDispose]() {
      Deno.env.delete(env);
      await server.shutdown();
      listener.close();
      await acceptLoop;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * The OS wall mode the corpus runs under: `CODEMODE_TEST_OS_SANDBOX`
 * (`auto`, `required`, `off`), so the same abuse tests run with the wall
 * explicitly on (`os_wall_corpus_test.ts`) or off; unset, the default (`auto`).
 */
export const CORPUS_OS_SANDBOX = Deno.env.get("CODEMODE_TEST_OS_SANDBOX") as OsSandboxMode | undefined;

/** A Codemode with fast limits (and the corpus's OS wall mode); merge extra options over them. */
export function sandbox(options: CodemodeOptions = {}): Codemode {
  const wall = CORPUS_OS_SANDBOX && !options.executor && !options.remoteExecutor
    ? { localExecutor: { osSandbox: CORPUS_OS_SANDBOX, ...options.localExecutor } }
    : {};
  return new Codemode({ ...options, ...wall, limits: { ...FAST, ...options.limits } });
}

/** Asserts the execution failed, optionally with an error matching `pattern`. */
export function assertFailed(r: ExecutionResult, pattern?: RegExp): void {
  assert.equal(r.ok, false, `expected a failure, got ${JSON.stringify(r).slice(0, 1000)}`);
  assert.notEqual(r.stopReason, "completed");
  if (pattern) assert.match(`${r.error?.name}: ${r.error?.message}`, pattern);
}

/** Asserts the script was refused by a Deno permission check. */
export function assertDenied(r: ExecutionResult, kind: string): void {
  assertFailed(r);
  assert.equal(r.stopReason, "error");
  assert.match(r.error?.message ?? "", new RegExp(`Requires ${kind} access`), JSON.stringify(r.error));
}

/** Asserts the host still runs scripts normally. */
export async function assertHealthy(cm: Codemode): Promise<void> {
  const r = await cm.execute("return 40 + 2", { limits: { timeoutMs: 60_000 } });
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.equal(r.result, 42);
}

/** Whether a path exists (synchronously, for filters and polls). */
export function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Does `path` exist? */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The system temp dir the executor makes its working dirs in. */
export function tmpDir(): string {
  return Deno.env.get("TMPDIR") || "/tmp";
}

/** A sandbox process still alive: pid, the host process that started it, cwd and cmdline. */
export interface Survivor {
  pid: number;
  /**
   * The process that started the sandbox: its parent, or inside the OS wall
   * the parent of the wall's two bwrap processes (1 once the host is gone).
   */
  ppid: number;
  cwd: string;
  cmdline: string;
}

/** The programs a sandbox is started through; their command lines name the prelude too, but they are not the sandbox. */
const WRAPPERS = new Set(["bwrap", "sh", "dash", "setpriv", "prlimit", "setsid"]);

/** Every live Deno process whose cmdline names the sandbox prelude (inside the OS wall or not). */
export async function sandboxProcesses(): Promise<Survivor[]> {
  const found: Survivor[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmdline = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).replaceAll("\0", " ");
      if (!PRELUDE_MARK.test(cmdline)) continue;
      const { state, comm, ppid } = processStat(Number(e.name));
      if (state === "Z" || WRAPPERS.has(comm)) continue;
      const cwd = await Deno.readLink(`/proc/${e.name}/cwd`).catch(() => "");
      found.push({ pid: Number(e.name), ppid: hostOf(ppid), cwd, cmdline });
    } catch { /* the process ended while we looked */ }
  }
  return found;
}

/**
 * The host pid of the newest live sandbox running `prelude` (a script's
 * `Deno.mainModule` path): inside the OS wall a script's own `Deno.pid` is
 * its namespace's (2), so a tool that wants to look at the calling sandbox
 * from the host finds it this way, provided no other child of that executor
 * started after it: a warm pool must be settled (not filling) when the
 * execution starts, and a refill it starts meanwhile is of the same kind,
 * started alike, so it shows the host the same thing.
 */
export async function newestSandbox(prelude: string): Promise<number> {
  const mine = (await sandboxProcesses()).filter((p) => p.cmdline.includes(` ${prelude}`));
  assert.ok(mine.length > 0, `no sandbox runs ${prelude}`);
  const started = (pid: number) => Number(Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ")[19]);
  return mine.map((p) => p.pid).reduce((a, b) => started(b) >= started(a) ? b : a);
}

/** A process's state, command name and parent, from /proc/<pid>/stat. */
function processStat(pid: number): { state: string; comm: string; ppid: number } {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const close = stat.lastIndexOf(")");
  const [state, ppid] = stat.slice(close + 2).split(" ");
  return { state, comm: stat.slice(stat.indexOf("(") + 1, close), ppid: Number(ppid) };
}

// The first ancestor that is not one of the OS wall's bwrap processes.
function hostOf(parent: number): number {
  for (let depth = 0; depth < 3 && parent > 1; depth++) {
    try {
      const { comm, ppid } = processStat(parent);
      if (comm !== "bwrap") return parent;
      parent = ppid;
    } catch {
      return parent;
    }
  }
  return parent;
}

/**
 * Sandbox processes that outlived the executions that reported `preludes`
 * (see {@linkcode reportedSandbox}): any live sandbox running one of those
 * prelude copies, i.e. started by one of those executors. Other sandboxes on
 * the machine (other tests, other test processes) are ignored. An execution
 * returns once its child's whole process group has been sent SIGKILL; the
 * kernel may take a few ms more to tear a killed process down (up to ~15 on
 * a busy 2-core machine), so a process still there is looked at again until
 * `settleMs` have passed. `except` leaves out pids that may stay (a warm
 * pool's children, which wait for their script).
 */
export async function ourSurvivors(
  preludes: Iterable<string>,
  options: { settleMs?: number; except?: readonly number[] } = {},
): Promise<Survivor[]> {
  const mine = [...preludes];
  assert.ok(mine.length > 0 && mine.every((c) => c.endsWith("/prelude.js")), `bad preludes: ${mine}`);
  const deadline = performance.now() + (options.settleMs ?? 10_000);
  while (true) {
    const left = (await sandboxProcesses()).filter((p) =>
      mine.some((c) => p.cmdline.includes(` ${c}`)) && !options.except?.includes(p.pid)
    );
    if (left.length === 0 || performance.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The script line that reports which sandbox it runs in (see {@linkcode reportedSandbox}). */
export const REPORT_SANDBOX = `console.log("SANDBOX=" + Deno.mainModule);`;

/** The path of the prelude copy a script ran, as it reported it with {@linkcode REPORT_SANDBOX}. */
export function reportedSandbox(r: ExecutionResult): string {
  const line = r.logs.find((l) => l.text.startsWith("SANDBOX="));
  assert.ok(line, `the script did not report its sandbox: ${JSON.stringify(r.logs).slice(0, 500)}`);
  return new URL(line.text.slice("SANDBOX=".length)).pathname;
}

/** The executor's private dir, from the prelude path a script reported. */
export function privateDirOf(prelude: string): string {
  return prelude.slice(0, prelude.lastIndexOf("/"));
}

/** A tool the script calls once it runs (`await tools.probe.started({})`); `started` resolves when it has been called `count` times. */
export function startedProbe(count = 1): { tool: AnyTool; started: Promise<void> } {
  const { promise, resolve } = Promise.withResolvers<void>();
  let calls = 0;
  const tool = defineTool({
    name: "probe.started",
    input: z.object({}),
    handler: () => {
      if (++calls >= count) resolve();
      return true;
    },
  });
  return { tool, started: promise };
}

/** Waits until `check` holds, polling every 20 ms; fails after `ms`, saying `what`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Live sandbox processes of this host started with heap cap `memoryMb` (a
 * test picks a heap cap of its own, so that it finds exactly its children).
 */
export async function childrenWithHeap(memoryMb: number, ppid: number = Deno.pid): Promise<number[]> {
  return (await sandboxProcesses())
    .filter((p) => p.ppid === ppid && p.cmdline.includes(`--max-old-space-size=${memoryMb} `))
    .map((p) => p.pid);
}
