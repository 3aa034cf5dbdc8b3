/**
 * Many executions: throughput of `return 1` with and without the pool (and
 * of bare `deno run` started the same way), and the host's resident memory
 * over 1,000 pooled executions.
 *
 * @module
 */
import { bareThroughput } from "./_baselines.ts";
import { BENCH_POOL_SIZE, benchCodemode, type BenchContext, run } from "./_measures.ts";
import { type Measure, measure } from "./_report.ts";
import { mib, pool } from "./_stats.ts";

/** Runs `count` `return 1` executions, `concurrency` at a time; returns executions per second. */
async function executionsPerSecond(pooled: boolean, count: number, concurrency: number): Promise<number> {
  const { cm, executor } = benchCodemode(pooled ? BENCH_POOL_SIZE : undefined);
  try {
    if (pooled) {
      executor.warm(cm.limits);
      while ((executor.poolStats()?.ready ?? 0) < BENCH_POOL_SIZE) await new Promise((r) => setTimeout(r, 5));
    }
    const t0 = performance.now();
    await pool(count, concurrency, () => run(cm, "return 1").then(() => {}));
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await cm.close();
  }
}

/**
 * Throughput: cold against bare `deno run`, and pooled against cold.
 *
 * @param ctx iteration counts and files.
 * @returns the two rows.
 */
export async function measureThroughput(ctx: BenchContext): Promise<Measure[]> {
  const { throughputExecutions: n, throughputConcurrency: c } = ctx.cfg;
  const { cm } = benchCodemode();
  const limits = { ...cm.limits };
  await cm.close();
  const bare = await bareThroughput(limits, ctx.files.empty, n, c);
  const cold = await executionsPerSecond(false, n, c);
  const warm = await executionsPerSecond(true, n, c);
  return [
    measure({
      id: "throughput_cold",
      label: `throughput, ${n} × return 1, ${c} at a time, no pool`,
      unit: "/s",
      ours: cold,
      baseline: bare,
      baselineLabel: `${n} bare \`deno run\`, ${c} at a time`,
    }),
    measure({
      id: "throughput_pooled",
      label: `throughput, ${n} × return 1, ${c} at a time, pool of ${BENCH_POOL_SIZE}`,
      unit: "/s",
      ours: warm,
      baseline: cold,
      baselineLabel: "the same with no pool",
    }),
  ];
}

/** The host's resident memory after a full GC when the bench runs with `--v8-flags=--expose-gc` (as `deno task bench` does). */
function settledRss(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = Deno.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

/**
 * Host RSS over `rssExecutions` pooled executions, 8 at a time: after all of
 * them against after the first half (allocators, JIT and caches are warm by
 * then), each after a full GC.
 *
 * @param ctx iteration counts.
 * @returns one row, in MiB.
 */
export async function measureRss(ctx: BenchContext): Promise<Measure> {
  const n = ctx.cfg.rssExecutions;
  const half = Math.max(1, Math.round(n / 2));
  const { cm } = benchCodemode(BENCH_POOL_SIZE);
  const t0 = performance.now();
  let mid = settledRss();
  try {
    await pool(half, 8, () => run(cm, "return 1").then(() => {}));
    mid = settledRss();
    await pool(n - half, 8, () => run(cm, "return 1").then(() => {}));
  } finally {
    await cm.close();
  }
  const end = settledRss();
  const delta = mib(end.rss - mid.rss);
  return measure({
    id: "host_rss",
    label: `host RSS after ${n} executions (8 at a time, pool of ${BENCH_POOL_SIZE}), after GC`,
    unit: "MiB",
    ours: mib(end.rss),
    baseline: mib(mid.rss),
    baselineLabel: `RSS after the first ${half}`,
    target: { on: "ratio", max: 1.1 },
    note: `Δ ${delta >= 0 ? "+" : ""}${delta.toFixed(1)} MiB, JS heap ${mib(mid.heap).toFixed(1)} → ${
      mib(end.heap).toFixed(1)
    } MiB, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    detail: { deltaMiB: delta, heapBeforeMiB: mib(mid.heap), heapAfterMiB: mib(end.heap) },
  });
}
