/**
 * Codemode benchmark: `deno task bench [--quick] [--json]`.
 *
 * Prints a Markdown table of figures measured in this run, each next to a
 * baseline measured in the same run and the ratio ours/baseline:
 *
 * 1. cold `execute("return 1")` versus a bare `deno run` of an empty module
 *    with the sandbox's flags and environment;
 * 2. one tool call's round trip versus a raw JSON-line pipe echo;
 * 3. 1,000 sequential tool calls, inside the script and as a whole execute;
 * 4. `Promise.all` of 10 tool calls that each sleep 200 ms;
 * 5. host RSS before and after 500 executions;
 * 6. `execute("return 1")` and 1,000 sequential tool calls through the
 *    executor service versus a LocalExecutor.
 *
 * `--quick` runs far fewer iterations (a smoke run; figures are noisy).
 * `--json` writes the results as one JSON document to stdout and the Markdown
 * to stderr, so stdout can be parsed as is.
 *
 * @module
 */
import { writeBaselineFiles } from "./_baselines.ts";
import {
  type BenchConfig,
  measureCold,
  measureParallelSleep,
  measureRoundTrip,
  measureRss,
  measureSequential,
} from "./_measures.ts";
import { measureRemote } from "./_remote.ts";
import { type BenchReport, type Measure, renderMarkdown } from "./_report.ts";

/** Iteration counts of a full run (about 15 s on 2 cores). */
export const FULL: Readonly<BenchConfig> = Object.freeze({
  coldRuns: 40,
  coldWarmups: 3,
  roundTrips: 2000,
  sequentialCalls: 1000,
  sequentialReps: 9,
  sleepReps: 5,
  rssExecutions: 500,
  rssConcurrency: 8,
});

/** Iteration counts of `--quick`. */
export const QUICK: Readonly<BenchConfig> = Object.freeze({
  coldRuns: 5,
  coldWarmups: 1,
  roundTrips: 200,
  sequentialCalls: 1000,
  sequentialReps: 1,
  sleepReps: 1,
  rssExecutions: 24,
  rssConcurrency: 8,
});

/** Command-line options. */
export interface BenchOptions {
  /** Fewer iterations. */
  quick: boolean;
  /** JSON on stdout, Markdown on stderr. */
  json: boolean;
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
    else {throw new Error(
        `Unknown argument ${JSON.stringify(arg)}; usage: bench.ts [--quick] [--json]`,
      );}
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
  const files = await writeBaselineFiles();
  const measures: Measure[] = [];
  try {
    progress("cold execute vs bare deno run");
    measures.push(...await measureCold(cfg, files));
    progress("tool call round trip vs raw pipe echo");
    measures.push(await measureRoundTrip(cfg, files));
    progress(`${cfg.sequentialCalls} sequential tool calls`);
    measures.push(...await measureSequential(cfg, files));
    progress("parallel sleeping tool calls");
    measures.push(await measureParallelSleep(cfg));
    progress(`host RSS over ${cfg.rssExecutions} executions`);
    measures.push(await measureRss(cfg));
    progress("remote vs local: return 1, sequential tool calls");
    measures.push(...await measureRemote(cfg));
  } finally {
    await Deno.remove(files.dir, { recursive: true }).catch(() => {});
  }
  return {
    deno: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
    },
    nproc: await nproc(),
    quick: options.quick,
    elapsedMs: performance.now() - t0,
    measures,
  };
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
