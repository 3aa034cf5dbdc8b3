/**
 * The baselines: what the same work costs with no Codemode in the way. Each
 * child is spawned exactly as `LocalExecutor` spawns a sandbox (`sandboxCommand`:
 * same flags, environment and kernel guards, a private Deno dir, `/` as its
 * working directory, piped stdio, detached), only running a trivial JavaScript
 * module instead of the prelude.
 *
 * @module
 */
import type { Limits } from "../../src/limits.ts";
import { sandboxCommand } from "../../executor/local.ts";

/** An echo child: writes every stdin line back to stdout, as the prelude does (writeSync). */
const ECHO_SOURCE = `const buf = new Uint8Array(65536);
let pending = "";
const dec = new TextDecoder();
const enc = new TextEncoder();
while (true) {
  const n = await Deno.stdin.read(buf);
  if (n === null) break;
  pending += dec.decode(buf.subarray(0, n), { stream: true });
  let nl = pending.indexOf("\\n");
  while (nl >= 0) {
    const bytes = enc.encode(pending.slice(0, nl + 1));
    let off = 0;
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    pending = pending.slice(nl + 1);
    nl = pending.indexOf("\\n");
  }
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
  return { empty, echo, dir };
}

// The baselines' own Deno cache, warm after the first spawn, as an executor's is.
const BASELINE_DENO_DIR: string = await Deno.makeTempDir({ prefix: "codemode-bench-denodir-" });
globalThis.addEventListener("unload", () => Deno.removeSync(BASELINE_DENO_DIR, { recursive: true }));

/** Spawns `deno` on `module` the way LocalExecutor spawns a sandbox. */
function spawnLikeSandbox(limits: Limits, module: string): { child: Deno.ChildProcess } {
  return { child: sandboxCommand(Deno.execPath(), limits, module, { cwd: "/", denoDir: BASELINE_DENO_DIR }).spawn() };
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
  limits: Limits,
  emptyFile: string,
): Promise<number> {
  const t0: number = performance.now();
  const { child } = spawnLikeSandbox(limits, emptyFile);
  await child.stdin.close();
  const out: Deno.CommandOutput = await child.output();
  const ms: number = performance.now() - t0;
  if (!out.success) {
    throw new Error(
      `bare deno run failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return ms;
}

/** What one raw echo session measured. */
export interface EchoSession {
  /** Each round trip's wall time, in ms, as the parent sees it. */
  roundTripsMs: number[];
  /** Wall time of all the round trips together, in ms. */
  loopMs: number;
  /** Wall time from before spawn to after exit and cleanup, in ms. */
  totalMs: number;
}

/**
 * Spawns the echo child and makes `count` sequential round trips of one
 * JSON-RPC-shaped line each, then closes stdin and waits for the exit.
 *
 * @param limits the limits (for the heap flag).
 * @param echoFile the echo module.
 * @param count how many round trips.
 * @returns per-round-trip and total timings.
 * @throws {Error} when the child ends early.
 */
export async function rawEchoSession(
  limits: Limits,
  echoFile: string,
  count: number,
): Promise<EchoSession> {
  const t0: number = performance.now();
  const { child } = spawnLikeSandbox(limits, echoFile);
  const stderr: Promise<Uint8Array> = new Response(child.stderr).bytes();
  const writer: WritableStreamDefaultWriter<Uint8Array> = child.stdin
    .getWriter();
  const reader: ReadableStreamDefaultReader<Uint8Array> = child.stdout
    .getReader();
  const encoder = new TextEncoder();
  const roundTripsMs: number[] = [];
  let waiting = 0; // bytes still expected for the current reply
  const loopStart: number = performance.now();
  for (let i = 0; i < count; i++) {
    const line: Uint8Array = encoder.encode(
      JSON.stringify({
        jsonrpc: "2.0",
        id: i,
        method: "tools/call",
        params: { tool: "bench.echo", input: { i } },
      }) +
        "\n",
    );
    const a: number = performance.now();
    waiting = line.length;
    await writer.write(line);
    while (waiting > 0) {
      const { value, done } = await reader.read();
      if (done) {
        throw new Error(
          `echo child ended early: ${new TextDecoder().decode(await stderr)}`,
        );
      }
      waiting -= value.length;
    }
    roundTripsMs.push(performance.now() - a);
  }
  const loopMs: number = performance.now() - loopStart;
  await writer.close();
  reader.releaseLock();
  await child.stdout.cancel();
  await stderr;
  const status: Deno.CommandStatus = await child.status;
  if (!status.success) throw new Error(`echo child exited with ${status.code}`);
  return { roundTripsMs, loopMs, totalMs: performance.now() - t0 };
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
