/**
 * The baselines: what the same work costs with no Codemode in the way. Each
 * child is spawned exactly as `LocalExecutor` spawns a sandbox (`sandboxSpec`
 * and `spawnChild`: same flags, environment and kernel guards, the OS wall
 * and cgroups of its own where a default executor's children get them, a
 * private Deno dir, `/` as its working directory, piped stdio, its own
 * session), only running a trivial JavaScript module instead of the prelude.
 *
 * @module
 */
import type { Limits } from "../../src/limits.ts";
import { sandboxSpec } from "../../executor/local.ts";
import { type SandboxChild, spawnChild } from "../../executor/_child.ts";
import { detectOsWall, type OsWall, SANDBOX_UID } from "../../executor/_os_wall.ts";
import { unsearchableAbove } from "../../executor/_home.ts";
import { makeChildGroups } from "../../executor/_cgroups.ts";
import { kernelGuards } from "../../executor/_kernel_guard.ts";

// The OS wall a default executor's children get here, found by writeBaselineFiles.
let wall: OsWall | undefined;

/**
 * An echo child: writes every stdin chunk back to stdout, reading as the
 * prelude reads tool replies (a blocking read) and writing as it writes
 * frames (writeSync).
 */
const ECHO_SOURCE = `const buf = new Uint8Array(65536);
while (true) {
  const n = Deno.stdin.readSync(buf);
  if (n === null) break;
  let off = 0;
  while (off < n) off += Deno.stdout.writeSync(buf.subarray(off, n));
}
`;

/** The modules the baseline children run, written to a temp dir. */
export interface BaselineFiles {
  /** An empty JavaScript module. */
  empty: string;
  /** The line echo module. */
  echo: string;
  /** The directory holding both; remove it when done. */
  dir: string;
}

/**
 * Writes the baseline modules to a fresh temp dir.
 *
 * @returns their paths.
 */
export async function writeBaselineFiles(): Promise<BaselineFiles> {
  const dir: string = await Deno.makeTempDir({ prefix: "codemode-bench-" });
  const empty = `${dir}/empty.js`;
  const echo = `${dir}/echo.js`;
  await Deno.writeTextFile(empty, "");
  await Deno.writeTextFile(echo, ECHO_SOURCE);
  await Deno.mkdir(`${dir}/deno`);
  // A root host's wall runs as another uid, which must reach the modules to bind them (as an executor's private
  // dir): where a dir above is closed to it, an executor's children run without the wall, and so do these.
  for (const file of [empty, echo]) await Deno.chmod(file, 0o644);
  await Deno.chmod(dir, 0o711);
  const found = (await detectOsWall(Deno.execPath())).wall;
  wall = found?.setpriv && unsearchableAbove(dir, SANDBOX_UID) ? undefined : found;
  return { empty, echo, dir };
}

/**
 * Spawns `deno` on `module` the way LocalExecutor spawns a sandbox. Its Deno
 * cache is the `deno/` dir beside the module (in the dir of
 * {@linkcode writeBaselineFiles}, removed with it), warm after the first spawn
 * as an executor's is.
 */
function spawnLikeSandbox(limits: Pick<Limits, "memoryMb" | "timeoutMs">, module: string): SandboxChild {
  const home = module.slice(0, module.lastIndexOf("/"));
  const groups = kernelGuards().cgroupJoin ? makeChildGroups(512) : undefined;
  const child = spawnChild(sandboxSpec(Deno.execPath(), limits, module, { cwd: "/", denoDir: `${home}/deno` }, {
    ...(wall ? { wall: { wall, home, module } } : {}),
    ...(groups ? { join: groups.join } : {}),
  }));
  void child.exited.then(() => groups?.cap.dispose());
  return child;
}

/**
 * One bare cold start: spawn `deno run <empty.js>` with the sandbox flags, guards and
 * environment, and wait for it to exit.
 *
 * @param limits the limits (for the heap flag).
 * @param emptyFile the empty module.
 * @returns wall time in ms.
 * @throws {Error} when the child fails.
 */
export async function bareColdRun(
  limits: Pick<Limits, "memoryMb" | "timeoutMs">,
  emptyFile: string,
): Promise<number> {
  const t0: number = performance.now();
  const child = spawnLikeSandbox(limits, emptyFile);
  let stderr = "";
  child.listen(() => {}, (chunk) => void (stderr += new TextDecoder().decode(chunk)));
  child.closeStdin();
  const exit = await child.exited;
  const ms: number = performance.now() - t0;
  if (!exit.success) throw new Error(`bare deno run failed: ${stderr}`);
  return ms;
}

/** What one raw echo session measured. */
export interface EchoSession {
  /** Each round trip's wall time, in ms, as the parent sees it. */
  roundTripsMs: number[];
  /** Wall time of all the round trips together, in ms. */
  loopMs: number;
  /** Wall time from before spawn to the last reply, in ms. */
  totalMs: number;
}

/**
 * Spawns the echo child and makes `count` sequential round trips of one
 * JSON-RPC-shaped line each, then kills it.
 *
 * @param limits the limits (for the heap flag).
 * @param echoFile the echo module.
 * @param count how many round trips.
 * @returns per-round-trip and total timings.
 * @throws {Error} when the child ends early.
 */
export async function rawEchoSession(
  limits: Pick<Limits, "memoryMb" | "timeoutMs">,
  echoFile: string,
  count: number,
): Promise<EchoSession> {
  const t0: number = performance.now();
  const child = spawnLikeSandbox(limits, echoFile);
  const line = JSON.stringify({
    jsonrpc: "2.0",
    id: 0,
    method: "tools/call",
    params: { tool: "bench.add", input: { a: 0, b: 1 } },
  }) + "\n";
  const roundTripsMs: number[] = [];
  let waiting = 0;
  let next = () => {};
  child.listen((chunk) => {
    waiting -= chunk.length;
    if (waiting <= 0) next();
  }, () => {});
  void child.exited.then(() => next());
  const loopStart: number = performance.now();
  for (let i = 0; i < count; i++) {
    const a: number = performance.now();
    const replied = new Promise<void>((resolve) => next = resolve);
    waiting = line.length;
    child.write(line);
    await replied;
    if (child.ended) throw new Error("echo child ended early");
    roundTripsMs.push(performance.now() - a);
  }
  const loopMs: number = performance.now() - loopStart;
  const totalMs: number = performance.now() - t0;
  child.kill();
  await child.exited;
  return { roundTripsMs, loopMs, totalMs };
}

/**
 * `count` bare cold starts, `concurrency` at a time: how many processes a
 * second this machine starts and ends with the sandbox's flags.
 *
 * @param limits the limits (for the heap flag).
 * @param emptyFile the empty module.
 * @param count how many runs.
 * @param concurrency runs at once.
 * @returns runs per second.
 */
export async function bareThroughput(
  limits: Pick<Limits, "memoryMb" | "timeoutMs">,
  emptyFile: string,
  count: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < count) await bareColdRun(limits, emptyFile);
  }));
  return count / ((performance.now() - t0) / 1000);
}

/**
 * The host-only floor for the parallel-sleep measure: `Promise.all` of `n`
 * timers of `ms` each, in this process.
 *
 * @param n how many timers.
 * @param ms each timer's delay.
 * @returns wall time in ms.
 */
export async function hostParallelSleep(
  n: number,
  ms: number,
): Promise<number> {
  const t0: number = performance.now();
  await Promise.all(
    Array.from(
      { length: n },
      () => new Promise<void>((r) => setTimeout(r, ms)),
    ),
  );
  return performance.now() - t0;
}
