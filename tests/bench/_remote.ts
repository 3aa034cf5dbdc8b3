/**
 * The remote measures: the same scripts through the executor service (in
 * this process, on 127.0.0.1, real sandboxes) and through a LocalExecutor,
 * interleaved in one run; the ratio is remote/local.
 *
 * @module
 */
import { Codemode } from "../../mod.ts";
import { serveExecutor } from "../../executor/service/mod.ts";
import type { BenchConfig } from "./_measures.ts";
import { BENCH_TOOLS, benchCodemode, LIMITS, run } from "./_measures.ts";
import { type Measure, measure } from "./_report.ts";
import { summarize, timed } from "./_stats.ts";

const KEY = "bench-key-0123456789abcdef";
const SEQUENTIAL_CALLS = 1000;

/**
 * `execute("return 1")` and a script of 1,000 sequential tool calls, through
 * the executor service versus a LocalExecutor (both without a pool).
 *
 * @param cfg iteration counts.
 * @returns the two rows.
 */
export async function measureRemote(cfg: BenchConfig): Promise<Measure[]> {
  const service = await serveExecutor({ port: 0, apiKeys: [KEY], limits: { maxToolCalls: 100_000 } });
  const remote = new Codemode({
    tools: BENCH_TOOLS,
    limits: LIMITS,
    remoteExecutor: { url: service.url, apiKey: KEY },
  });
  const { cm: local } = benchCodemode();
  const n = SEQUENTIAL_CALLS;
  const calls = `let s = 0; for (let i = 0; i < ${n}; i++) s = await tools.bench.add({ a: s, b: 1 }); return s`;
  const returns = { remote: [] as number[], local: [] as number[] };
  const sequential = { remote: [] as number[], local: [] as number[] };
  try {
    for (let i = 0; i < cfg.coldWarmups; i++) await Promise.all([run(remote, "return 1"), run(local, "return 1")]);
    for (let i = 0; i < cfg.coldRuns; i++) {
      returns.remote.push((await timed(() => run(remote, "return 1"))).ms);
      returns.local.push((await timed(() => run(local, "return 1"))).ms);
    }
    for (let i = 0; i < cfg.w3Reps; i++) {
      sequential.remote.push((await timed(() => run(remote, calls))).ms);
      sequential.local.push((await timed(() => run(local, calls))).ms);
    }
  } finally {
    await remote.close();
    await local.close();
    await service.shutdown();
  }
  const baselineLabel = "the same through a LocalExecutor";
  return [
    measure({
      id: "remote_return1_p50",
      label: `execute("return 1") through the executor service p50, n=${cfg.coldRuns}`,
      unit: "ms",
      ours: summarize(returns.remote).p50,
      baseline: summarize(returns.local).p50,
      baselineLabel,
    }),
    measure({
      id: "remote_sequential",
      label: `${n} sequential tool calls through the executor service, whole execute (p50 of ${cfg.w3Reps})`,
      unit: "ms",
      ours: summarize(sequential.remote).p50,
      baseline: summarize(sequential.local).p50,
      baselineLabel,
    }),
  ];
}
