/**
 * The measures: each runs our path (a real `Codemode` with a `LocalExecutor`)
 * and its baseline in the same process, and returns one or two table rows.
 *
 * @module
 */
import { z } from "zod";
import { Codemode, defineTool, type ExecutionResult, type Executor, type Limits, type Tool } from "../../mod.ts";
import { bareColdRun, type BaselineFiles, type EchoSession, hostParallelSleep, rawEchoSession } from "./_baselines.ts";
import { type Measure, measure } from "./_report.ts";
import { mib, pool, summarize, type Summary, timed } from "./_stats.ts";

/** How many iterations each measure makes. */
export interface BenchConfig {
  /** Cold executions (and bare runs) measured. */
  coldRuns: number;
  /** Cold executions (and bare runs) discarded first. */
  coldWarmups: number;
  /** Sequential tool calls (and raw round trips) for the round-trip p50. */
  roundTrips: number;
  /** Sequential tool calls in the "1,000 calls" script. */
  sequentialCalls: number;
  /** Times the "1,000 calls" script (and its baseline) runs; p50 is reported. */
  sequentialReps: number;
  /** Times the parallel-sleep script (and its baseline) runs; p50 is reported. */
  sleepReps: number;
  /** Executions between the two RSS readings. */
  rssExecutions: number;
  /** Executions in flight at once for the RSS measure. */
  rssConcurrency: number;
}

/** Parallel tool calls in the sleep measure, and each one's sleep. */
const SLEEP_CALLS = 10;
const SLEEP_MS = 200;

/** Limits for our runs: defaults, with room for the round-trip script's calls. */
const LIMITS: Partial<Limits> = { maxToolCalls: 100_000 };

const echoTool: Tool = defineTool({
  name: "bench.echo",
  description: "Returns its input.",
  input: z.object({ i: z.number() }),
  handler: (input) => input,
}) as Tool;

const sleepTool: Tool = defineTool({
  name: "bench.sleep",
  description: "Sleeps, then returns its input.",
  input: z.object({ ms: z.number() }),
  handler: async (input) => {
    await new Promise((r) => setTimeout(r, input.ms));
    return input;
  },
}) as Tool;

/**
 * A Codemode with the bench tools.
 *
 * @param executor what runs the scripts. @default {a LocalExecutor}
 * @returns a new instance; close it when done.
 */
export function benchCodemode(executor?: Executor): Codemode {
  return new Codemode({ tools: [echoTool, sleepTool], limits: LIMITS, ...(executor ? { executor } : {}) });
}

/** Runs a script and fails loudly unless it completed. */
export async function run(cm: Codemode, code: string): Promise<ExecutionResult> {
  const r: ExecutionResult = await cm.execute(code);
  if (!r.ok) {
    throw new Error(
      `bench script ended with ${r.stopReason}: ${JSON.stringify(r.error)}`,
    );
  }
  return r;
}

/**
 * Measure 1: cold `execute("return 1")`, a fresh Codemode (and so a fresh
 * child) each time, interleaved with bare `deno run` of an empty module.
 *
 * @param cfg iteration counts.
 * @param files the baseline modules.
 * @returns the p50 and p95 rows.
 */
export async function measureCold(
  cfg: BenchConfig,
  files: BaselineFiles,
): Promise<Measure[]> {
  const ours: number[] = [];
  const bare: number[] = [];
  const firsts: number[] = [];
  // Every execute starts a fresh child (no warm pool): that is "cold". One
  // Codemode serves them all, as in an application; a new instance's first
  // execute also fills its private Deno cache, measured on its own below.
  const cm: Codemode = new Codemode({ limits: LIMITS });
  const limits: Limits = { ...cm.limits };
  for (let i = 0; i < cfg.coldWarmups + cfg.coldRuns; i++) {
    const a = await timed(() => run(cm, "return 1"));
    const b: number = await bareColdRun(limits, files.empty);
    if (i >= cfg.coldWarmups) {
      ours.push(a.ms);
      bare.push(b);
    }
  }
  await cm.close();
  for (let i = 0; i < Math.min(5, cfg.coldRuns); i++) {
    const fresh: Codemode = new Codemode({ limits: LIMITS });
    firsts.push((await timed(() => run(fresh, "return 1"))).ms);
    await fresh.close();
  }
  const o: Summary = summarize(ours);
  const b: Summary = summarize(bare);
  const f: Summary = summarize(firsts);
  const base = {
    unit: "ms" as const,
    baselineLabel: "bare `deno run` empty.js, same flags and guards",
  };
  return [
    measure({
      ...base,
      id: "cold_p50",
      label: `cold execute("return 1") p50, n=${o.n}`,
      ours: o.p50,
      baseline: b.p50,
      target: { on: "ratio", max: 1.2 },
      detail: { oursMin: o.min, bareMin: b.min },
    }),
    measure({
      ...base,
      id: "cold_p95",
      label: `cold execute("return 1") p95, n=${o.n}`,
      ours: o.p95,
      baseline: b.p95,
    }),
    measure({
      ...base,
      id: "first_execute_p50",
      label: `first execute of a new Codemode (fills its Deno cache) p50, n=${f.n}`,
      ours: f.p50,
      baseline: b.p50,
    }),
  ];
}

/** A script making `n` sequential echo calls and returning each call's time. */
function roundTripScript(n: number): string {
  return `const samples: number[] = [];
const t0 = performance.now();
for (let i = 0; i < ${n}; i++) {
  const a = performance.now();
  await tools.bench.echo({ i });
  samples.push(performance.now() - a);
}
return { totalMs: performance.now() - t0, samples };`;
}

/**
 * Measure 2: p50 of one tool call's round trip as the script sees it, versus a
 * raw JSON-line echo between this process and a Deno child.
 *
 * @param cfg iteration counts.
 * @param files the baseline modules.
 * @returns one row, in µs.
 */
export async function measureRoundTrip(
  cfg: BenchConfig,
  files: BaselineFiles,
): Promise<Measure> {
  const cm: Codemode = benchCodemode();
  const limits: Limits = { ...cm.limits };
  try {
    const warm: number = Math.min(200, cfg.roundTrips);
    await run(cm, roundTripScript(warm));
    await rawEchoSession(limits, files.echo, warm);
    const r: ExecutionResult = await run(cm, roundTripScript(cfg.roundTrips));
    const o: Summary = summarize((r.result as { samples: number[] }).samples);
    const raw: EchoSession = await rawEchoSession(
      limits,
      files.echo,
      cfg.roundTrips,
    );
    const b: Summary = summarize(raw.roundTripsMs);
    return measure({
      id: "tool_round_trip_p50",
      label: `tool call round trip p50, ${o.n} sequential calls`,
      unit: "µs",
      ours: o.p50 * 1000,
      baseline: b.p50 * 1000,
      baselineLabel: "raw JSON-line pipe echo, Deno parent ↔ child",
      note: `mean ${(o.mean * 1000).toFixed(0)} µs vs raw mean ${(b.mean * 1000).toFixed(0)} µs`,
      detail: {
        oursP95Us: o.p95 * 1000,
        rawP95Us: b.p95 * 1000,
        oursMeanUs: o.mean * 1000,
        rawMeanUs: b.mean * 1000,
      },
    });
  } finally {
    await cm.close();
  }
}

/**
 * Measure 3: one script making `sequentialCalls` sequential calls; the time
 * inside the script and the whole execute, each p50 over `sequentialReps`.
 *
 * @param cfg iteration counts.
 * @param files the baseline modules.
 * @returns the in-script and whole-execute rows.
 */
export async function measureSequential(
  cfg: BenchConfig,
  files: BaselineFiles,
): Promise<Measure[]> {
  const n: number = cfg.sequentialCalls;
  const code = `const t0 = performance.now();
for (let i = 0; i < ${n}; i++) await tools.bench.echo({ i });
return performance.now() - t0;`;
  const cm: Codemode = benchCodemode();
  const limits: Limits = { ...cm.limits };
  const inScript: number[] = [];
  const whole: number[] = [];
  const rawLoop: number[] = [];
  const rawTotal: number[] = [];
  try {
    for (let i = 0; i < cfg.sequentialReps; i++) {
      const r = await timed(() => run(cm, code));
      inScript.push(r.value.result as number);
      whole.push(r.ms);
      const raw: EchoSession = await rawEchoSession(limits, files.echo, n);
      rawLoop.push(raw.loopMs);
      rawTotal.push(raw.totalMs);
    }
  } finally {
    await cm.close();
  }
  const reps = `p50 of ${cfg.sequentialReps}`;
  return [
    measure({
      id: "sequential_in_script",
      label: `${n} sequential tool calls, inside the script (${reps})`,
      unit: "ms",
      ours: summarize(inScript).p50,
      baseline: summarize(rawLoop).p50,
      baselineLabel: `${n} raw pipe echo round trips`,
      target: { on: "ours", max: 60 },
    }),
    measure({
      id: "sequential_whole_execute",
      label: `${n} sequential tool calls, whole execute (${reps})`,
      unit: "ms",
      ours: summarize(whole).p50,
      baseline: summarize(rawTotal).p50,
      baselineLabel: `spawn + ${n} raw round trips + exit`,
    }),
  ];
}

/**
 * Measure 4: `Promise.all` of 10 tool calls that each sleep 200 ms, timed
 * inside the script, versus the same timers in this process.
 *
 * @param cfg iteration counts.
 * @returns one row.
 */
export async function measureParallelSleep(cfg: BenchConfig): Promise<Measure> {
  const code = `const t0 = performance.now();
await Promise.all(Array.from({ length: ${SLEEP_CALLS} }, () => tools.bench.sleep({ ms: ${SLEEP_MS} })));
return performance.now() - t0;`;
  const cm: Codemode = benchCodemode();
  const ours: number[] = [];
  const whole: number[] = [];
  const host: number[] = [];
  try {
    for (let i = 0; i < cfg.sleepReps; i++) {
      const r = await timed(() => run(cm, code));
      ours.push(r.value.result as number);
      whole.push(r.ms);
      host.push(await hostParallelSleep(SLEEP_CALLS, SLEEP_MS));
    }
  } finally {
    await cm.close();
  }
  return measure({
    id: "parallel_sleep",
    label: `Promise.all of ${SLEEP_CALLS} tool calls sleeping ${SLEEP_MS} ms, script wall (p50 of ${cfg.sleepReps})`,
    unit: "ms",
    ours: summarize(ours).p50,
    baseline: summarize(host).p50,
    baselineLabel: `Promise.all of ${SLEEP_CALLS} host timers`,
    target: { on: "ours", max: 220 },
    detail: { wholeExecuteMs: summarize(whole).p50 },
  });
}

/**
 * Measure 5: host RSS before and after many `return 1` executions on one
 * Codemode, run `rssConcurrency` at a time.
 *
 * @param cfg iteration counts.
 * @returns one row, in MiB; the note holds the delta.
 */
export async function measureRss(cfg: BenchConfig): Promise<Measure> {
  const cm: Codemode = benchCodemode();
  const before: number = Deno.memoryUsage().rss;
  let failed = 0;
  const t = await timed(() =>
    pool(cfg.rssExecutions, cfg.rssConcurrency, async () => {
      const r: ExecutionResult = await cm.execute("return 1");
      if (!r.ok) failed++;
    })
  );
  await cm.close();
  const after: number = Deno.memoryUsage().rss;
  if (failed > 0) {
    throw new Error(
      `${failed} of ${cfg.rssExecutions} executions failed in the RSS measure`,
    );
  }
  const delta: number = mib(after - before);
  return measure({
    id: "host_rss",
    label: `host RSS after ${cfg.rssExecutions} executions, ${cfg.rssConcurrency} at a time`,
    unit: "MiB",
    ours: mib(after),
    baseline: mib(before),
    baselineLabel: "RSS before",
    note: `Δ ${delta >= 0 ? "+" : ""}${delta.toFixed(1)} MiB, ${(t.ms / 1000).toFixed(1)} s`,
    detail: {
      deltaMiB: delta,
      wallMs: t.ms,
      perExecutionMs: t.ms / cfg.rssExecutions,
    },
  });
}
