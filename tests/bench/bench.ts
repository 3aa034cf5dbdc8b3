/**
 * Codemode benchmark: `deno task bench [--quick] [--json] [--peers | --no-peers]`.
 *
 * Prints a Markdown table of figures measured in this run, each next to a
 * baseline measured in the same run and the ratio ours/baseline:
 *
 * 1. W1 cold `execute("return 1")` versus a bare `deno run` of an empty module
 *    started exactly as a sandbox is, and (where the host has the OS wall)
 *    inside the wall versus `osSandbox: "off"`;
 * 2. W1 warm (a pooled child) versus the best peer's W1, and inside the wall
 *    versus without it;
 * 3. W2, `Promise.all` of 10 tool calls that each sleep 200 ms, versus the
 *    ideal 200 ms (and the best peer);
 * 4. W3, 1,000 sequential tool calls, versus the best peer, the C pipe
 *    ping-pong floor and a raw pipe echo between two Deno processes;
 * 5. throughput of `return 1`, with and without the pool;
 * 6. host RSS over 1,000 pooled executions;
 * 7. `execute("return 1")` and 1,000 sequential tool calls through the
 *    executor service versus a LocalExecutor;
 * 8. the type check before a run: a 20-line script against 100 tools.
 *
 * The peers (Cloudflare's codemode on workerd, UTCP's code-mode on
 * isolated-vm) are measured by their own harness first, when it is installed
 * (`bash ../shared/peers/run.sh` installs it into `/tmp/peers`, about a
 * minute a run; `--no-peers` skips them). `--quick` runs far fewer
 * iterations and no peers unless `--peers` (a smoke run; figures are noisy).
 * `--json` writes the results as one JSON document to stdout and the
 * Markdown to stderr, so stdout can be parsed as is.
 *
 * @module
 */
import { writeBaselineFiles } from "./_baselines.ts";
import { measureFloor } from "./_floor.ts";
import { measureRss, measureThroughput } from "./_load.ts";
import { type BenchConfig, type BenchContext, measureCold, measurePooledW1, measurePooledWall } from "./_measures.ts";
import { DEFAULT_LIMITS, LocalExecutor } from "../../mod.ts";
import { runPeers } from "./_peers.ts";
import { measureRemote } from "./_remote.ts";
import { type BenchReport, type Measure, renderMarkdown } from "./_report.ts";
import { measureTypecheck } from "./_typecheck.ts";
import { measureW2, measureW3 } from "./_workloads.ts";

/** Iteration counts of a full run (about 1 min on 2 cores, plus about 1 min for the peers). */
export const FULL: Readonly<BenchConfig> = Object.freeze({
  coldRuns: 40,
  coldWarmups: 3,
  pooledRuns: 40,
  w2Reps: 5,
  w3Reps: 10,
  throughputExecutions: 200,
  throughputConcurrency: 4,
  rssExecutions: 1000,
  floorRounds: 100_000,
  typecheckRuns: 40,
});

/** Iteration counts of `--quick`. */
export const QUICK: Readonly<BenchConfig> = Object.freeze({
  coldRuns: 5,
  coldWarmups: 1,
  pooledRuns: 5,
  w2Reps: 1,
  w3Reps: 1,
  throughputExecutions: 12,
  throughputConcurrency: 4,
  rssExecutions: 24,
  floorRounds: 10_000,
  typecheckRuns: 5,
});

/** Command-line options. */
export interface BenchOptions {
  /** Fewer iterations. */
  quick: boolean;
  /** JSON on stdout, Markdown on stderr. */
  json: boolean;
  /** Measure the peers: always (`--peers`), never (`--no-peers`), or when installed and not `--quick`. */
  peers?: boolean;
}

/**
 * Parses the command line.
 *
 * @param args the arguments (`Deno.args`).
 * @returns the options.
 * @throws {Error} on an unknown argument.
 */
export function parseArgs(args: readonly string[]): BenchOptions {
  const options: BenchOptions = { quick: false, json: false };
  for (const arg of args) {
    if (arg === "--quick") options.quick = true;
    else if (arg === "--json") options.json = true;
    else if (arg === "--peers") options.peers = true;
    else if (arg === "--no-peers") options.peers = false;
    else {
      throw new Error(
        `Unknown argument ${JSON.stringify(arg)}; usage: bench.ts [--quick] [--json] [--peers | --no-peers]`,
      );
    }
  }
  return options;
}

/**
 * The number of processors available, as `nproc` prints it.
 *
 * @returns the count (falls back to `navigator.hardwareConcurrency`).
 */
export async function nproc(): Promise<number> {
  try {
    const out: Deno.CommandOutput = await new Deno.Command("nproc", {
      stdout: "piped",
      stderr: "null",
    }).output();
    const n: number = Number(new TextDecoder().decode(out.stdout).trim());
    if (out.success && n > 0) return n;
  } catch { /* no nproc binary */ }
  return navigator.hardwareConcurrency;
}

/**
 * Runs every measure.
 *
 * @param options the command-line options.
 * @param progress called with the name of each measure as it starts.
 * @returns the report.
 */
export async function runBench(
  options: BenchOptions,
  progress: (what: string) => void,
): Promise<BenchReport> {
  const cfg: BenchConfig = options.quick ? QUICK : FULL;
  const t0: number = performance.now();
  const loadStart = Deno.loadavg()[0];
  const files = await writeBaselineFiles();
  const measures: Measure[] = [];
  try {
    const peers = options.peers ?? !options.quick
      ? await runPeers(progress)
      : { skipped: "not asked for (--quick runs them only with --peers)" };
    progress("C pipe ping-pong floor");
    const floor = await measureFloor(files.dir, cfg.floorRounds);
    const ctx: BenchContext = {
      cfg,
      files,
      peers: "figures" in peers ? peers.figures : [],
      ...("roundTripUs" in floor ? { floorUs: floor.roundTripUs } : {}),
      wall: await defaultWall(),
    };
    progress("W1 cold execute vs bare deno run");
    measures.push(...await measureCold(ctx));
    progress("W1 warm execute (pool)");
    measures.push(...await measurePooledW1(ctx));
    progress("W1 warm execute (pool) without the OS wall");
    measures.push(...await measurePooledWall(ctx));
    progress("W2 parallel sleeping tool calls");
    measures.push(...await measureW2(ctx));
    progress("W3 1,000 sequential tool calls");
    measures.push(...await measureW3(ctx));
    progress("throughput");
    measures.push(...await measureThroughput(ctx));
    progress(`host RSS over ${cfg.rssExecutions} executions`);
    measures.push(await measureRss(ctx));
    progress("remote vs local execute, and 1,000 calls through the executor service");
    measures.push(...await measureRemote(cfg));
    progress("type check before run");
    measures.push(...await measureTypecheck(cfg));
    return {
      deno: { deno: Deno.version.deno, v8: Deno.version.v8, typescript: Deno.version.typescript },
      nproc: await nproc(),
      load: { start: loadStart, end: Deno.loadavg()[0] },
      quick: options.quick,
      elapsedMs: performance.now() - t0,
      floor: "roundTripUs" in floor ? { roundTripUs: floor.roundTripUs } : floor,
      peers: "figures" in peers ? { figures: peers.figures, elapsedMs: peers.elapsedMs } : peers,
      measures,
    };
  } finally {
    await Deno.remove(files.dir, { recursive: true }).catch(() => {});
  }
}

/** The OS wall a default executor's children get here (after one execution: its private dir may rule it out). */
async function defaultWall(): Promise<{ os: string; reason?: string }> {
  await using probe = new LocalExecutor();
  const invoke = () => Promise.reject(new Error("no tools"));
  await probe.execute({ executionId: "wall", code: "return 1", limits: { ...DEFAULT_LIMITS }, invoke });
  const { os, reason } = await probe.walls();
  return reason === undefined ? { os } : { os, reason };
}

if (import.meta.main) {
  const options: BenchOptions = parseArgs(Deno.args);
  const report: BenchReport = await runBench(
    options,
    (what) => console.error(`… ${what}`),
  );
  const markdown: string = renderMarkdown(report);
  if (options.json) {
    console.error(markdown);
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(markdown);
  }
}
