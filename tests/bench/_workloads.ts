/**
 * W2 and W3, the peers' own scripts on a pooled child: `Promise.all` of 10
 * tool calls that each sleep 200 ms (against the ideal 200 ms), and 1,000
 * sequential tool calls (against the best peer, the C pipe ping-pong and a
 * raw pipe echo between two Deno processes).
 *
 * @module
 */
import { hostParallelSleep, rawEchoSession } from "./_baselines.ts";
import { BENCH_POOL_SIZE, benchCodemode, type BenchContext, poolSettled, run } from "./_measures.ts";
import { bestPeer } from "./_peers.ts";
import { type Measure, measure } from "./_report.ts";
import { summarize, timed } from "./_stats.ts";

/** The peers' W2 and W3 scripts (`lib.mjs`), with our `tools.` prefix. */
export const W2_CODE =
  "const r = await Promise.all(Array.from({ length: 10 }, () => tools.bench.sleep({ ms: 200 })));\nreturn r.length;";
export const W3_CODE =
  "let s = 0;\nfor (let i = 0; i < 1000; i++) { s = await tools.bench.add({ a: s, b: 1 }); }\nreturn s;";
const IDEAL_W2_MS = 200;
const W3_CALLS = 1000;

/**
 * W2: the whole execute, p50 of `w2Reps`, pool settled before each.
 *
 * @param ctx iteration counts and the peers' figures.
 * @returns the row against the ideal, and one against the best peer when they ran.
 */
export async function measureW2(ctx: BenchContext): Promise<Measure[]> {
  const { cm, executor } = benchCodemode(BENCH_POOL_SIZE);
  const ours: number[] = [];
  const timers: number[] = [];
  try {
    for (let i = 0; i < ctx.cfg.w2Reps + 1; i++) {
      await poolSettled(executor);
      const r = await timed(() => run(cm, W2_CODE));
      const t = await hostParallelSleep(10, IDEAL_W2_MS);
      if (i > 0) {
        ours.push(r.ms);
        timers.push(t);
      }
    }
  } finally {
    await cm.close();
  }
  const o = summarize(ours);
  const hostTimers = summarize(timers).p50;
  const label = `W2 Promise.all of 10 tool calls sleeping 200 ms, warm, whole execute (p50 of ${o.n})`;
  const rows = [
    measure({
      id: "w2_vs_ideal",
      label,
      unit: "ms",
      ours: o.p50,
      baseline: IDEAL_W2_MS,
      baselineLabel: "ideal: one 200 ms sleep",
      target: { on: "ratio", max: 1.05 },
      note: `Promise.all of the same 10 timers in the host itself: ${hostTimers.toFixed(1)} ms`,
      detail: { hostTimersMs: hostTimers },
    }),
  ];
  const best = bestPeer(ctx.peers, (p) => p.w2);
  if (best) {
    rows.push(
      measure({
        id: "w2_vs_peer",
        label,
        unit: "ms",
        ours: o.p50,
        baseline: best.value,
        baselineLabel: `best peer W2: ${best.peer}`,
      }),
    );
  }
  return rows;
}

/**
 * W3: the whole execute of 1,000 sequential calls on a pooled child, p50 of
 * `w3Reps`, interleaved with a raw echo session of 1,000 round trips.
 *
 * @param ctx iteration counts, the peers' figures and the floor.
 * @returns rows against the best peer and the floor (when measured) and the raw echo.
 */
export async function measureW3(ctx: BenchContext): Promise<Measure[]> {
  const { cm, executor } = benchCodemode(BENCH_POOL_SIZE);
  const limits = { ...cm.limits };
  const ours: number[] = [];
  const raw: number[] = [];
  try {
    for (let i = 0; i < ctx.cfg.w3Reps + 1; i++) {
      await poolSettled(executor);
      const r = await timed(() => run(cm, W3_CODE));
      if (r.value.result !== W3_CALLS) throw new Error(`W3 returned ${JSON.stringify(r.value.result)}`);
      const echo = await rawEchoSession(limits, ctx.files.echo, W3_CALLS);
      if (i > 0) {
        ours.push(r.ms);
        raw.push(echo.loopMs);
      }
    }
  } finally {
    await cm.close();
  }
  const o = summarize(ours);
  const label = `W3 ${W3_CALLS} sequential tool calls, warm, whole execute (p50 of ${o.n})`;
  const rows: Measure[] = [];
  const best = bestPeer(ctx.peers, (p) => p.w3);
  if (best) {
    rows.push(
      measure({
        id: "w3_vs_peer",
        label,
        unit: "ms",
        ours: o.p50,
        baseline: best.value,
        baselineLabel: `best peer W3: ${best.peer}`,
        target: { on: "ratio", max: 0.8 },
      }),
    );
  }
  if (ctx.floorUs !== undefined) {
    const floorMs = ctx.floorUs * W3_CALLS / 1000;
    rows.push(
      measure({
        id: "w3_vs_floor",
        label,
        unit: "ms",
        ours: o.p50,
        baseline: floorMs,
        baselineLabel: `${W3_CALLS} C pipe ping-pong round trips`,
        target: { on: "ratio", max: 3 },
      }),
    );
  }
  rows.push(measure({
    id: "w3_vs_raw_echo",
    label,
    unit: "ms",
    ours: o.p50,
    baseline: summarize(raw).p50,
    baselineLabel: `${W3_CALLS} raw JSON-line echoes, Deno host ↔ Deno child, started as a sandbox`,
    detail: { oursMin: o.min, rawMin: summarize(raw).min },
  }));
  return rows;
}
