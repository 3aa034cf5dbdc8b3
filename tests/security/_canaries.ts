/**
 * Shared fixtures of the security suite: canaries a sandboxed script must
 * never reach (a host env var, secret files, loopback listeners), and probes
 * that check the host afterwards (temp dirs, surviving children).
 *
 * @module
 */
import assert from "node:assert/strict";
import { Codemode, type CodemodeOptions, type ExecutionResult, type Limits } from "../../mod.ts";

/** The env var the host sets to the canary secret. */
export const CANARY_ENV = "CODEMODE_CANARY_SECRET";

/** What the sandbox children run: a process whose cmdline has it is a sandbox. */
export const PRELUDE_MARK = "executor/sandbox/prelude.ts";

/** Small limits that keep every test fast. */
export const FAST: Partial<Limits> = { timeoutMs: 3000, memoryMb: 64 };

/** The canaries of one test. Dispose to remove them. */
export interface Canaries extends AsyncDisposable {
  /** Random secret: the env var's value and the secret files' content. */
  readonly secret: string;
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
  Deno.env.set(CANARY_ENV, secret);
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
      Deno.env.delete(CANARY_ENV);
      await server.shutdown();
      listener.close();
      await acceptLoop;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A Codemode with fast limits; merge extra options over them. */
export function sandbox(options: CodemodeOptions = {}): Codemode {
  return new Codemode({ ...options, limits: { ...FAST, ...options.limits } });
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
  const r = await cm.execute("return 40 + 2");
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.equal(r.result, 42);
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

/** Names of the `codemode-*` dirs in the temp dir. */
export async function codemodeDirs(): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const e of Deno.readDir(tmpDir())) {
    if (e.isDirectory && e.name.startsWith("codemode-")) names.add(`${tmpDir()}/${e.name}`);
  }
  return names;
}

/** A sandbox process still alive: pid, cwd and cmdline. */
export interface Survivor {
  pid: number;
  ppid: number;
  cwd: string;
  cmdline: string;
}

/** Every live process whose cmdline names the sandbox prelude. */
export async function sandboxProcesses(): Promise<Survivor[]> {
  const found: Survivor[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmdline = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).replaceAll("\0", " ");
      if (!cmdline.includes(PRELUDE_MARK)) continue;
      const status = await Deno.readTextFile(`/proc/${e.name}/status`);
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      if (/^State:\s+Z/m.test(status)) continue;
      const cwd = await Deno.readLink(`/proc/${e.name}/cwd`).catch(() => "");
      found.push({ pid: Number(e.name), ppid, cwd, cmdline });
    } catch { /* the process ended while we looked */ }
  }
  return found;
}

/**
 * Sandbox processes that outlived the executions that ran in `cwds`: any live
 * sandbox whose working dir is (or was, before removal) one of them. Other
 * sandboxes on the machine (other tests, other test processes, or other test
 * modules of this process under `--parallel`) are ignored.
 */
export async function ourSurvivors(cwds: Iterable<string>): Promise<Survivor[]> {
  const mine = [...cwds];
  assert.ok(mine.length > 0 && mine.every((c) => c.startsWith("/")), `bad cwds: ${mine}`);
  return (await sandboxProcesses()).filter((p) => mine.some((c) => p.cwd === c || p.cwd.startsWith(`${c} `)));
}

/**
 * Checks that no `codemode-*` dir made since `before` remains. A dir that is
 * the working dir of a live process belongs to a sandbox that is still
 * running (another test process's): it is ignored, as is one that vanishes
 * within a short wait.
 */
export async function assertNoNewTempDirs(before: Set<string>): Promise<void> {
  let left: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    const busy = new Set((await sandboxProcesses()).map((p) => p.cwd));
    // codemode-denodir-* is an open executor's private Deno cache (see fs_test).
    left = [...await codemodeDirs()].filter((d) => !before.has(d) && !busy.has(d) && !d.includes("/codemode-denodir-"));
    if (left.length === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(left, [], "temp working dirs were left behind");
}

/** The sandbox's working dir, which a script reported with `console.log("CWD=" + Deno.cwd())`. */
export function reportedCwd(r: ExecutionResult): string {
  const line = r.logs.find((l) => l.text.startsWith("CWD="));
  assert.ok(line, `the script did not report its cwd: ${JSON.stringify(r.logs).slice(0, 500)}`);
  return line.text.slice(4);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
