/**
 * W1, `execute("return 1")`: cold (a fresh child per execution) against a
 * bare `deno run` started the same way, and warm (a child from the pool)
 * against the peers' W1 from the same run.
 *
 * @module
 */
import { z } from "zod";
import { Codemode, defineTool, type ExecutionResult, type Limits, LocalExecutor, type Tool } from "../../mod.ts";
import type { OsSandboxMode } from "../../executor/local.ts";
import { bareColdRun, type BaselineFiles } from "./_baselines.ts";
import { bestPeer, type PeerFigures } from "./_peers.ts";
import { type Measure, measure } from "./_report.ts";
import { summarize, type Summary, timed } from "./_stats.ts";

/** How many iterations each measure makes. */
export interface BenchConfig {
  /** Cold executions (and bare runs) measured. */
  coldRuns: number;
  /** Cold executions (and bare runs) discarded first. */
  coldWarmups: number;
  /** Pooled executions measured. */
  pooledRuns: number;
  /** Times the W2 script runs; p50 is reported. */
  w2Reps: number;
  /** Times the W3 script (and its raw echo) runs; p50 is reported. */
  w3Reps: number;
  /** `return 1` executions for each throughput figure. */
  throughputExecutions: number;
  /** Executions in flight at once for the throughput figures. */
  throughputConcurrency: number;
  /** Executions between the two RSS readings' start and end. */
  rssExecutions: number;
  /** Round trips of the C ping-pong. */
  floorRounds: number;
  /** Warm type checks measured (after one cold). */
  typecheckRuns: number;
}

/** What every measure may use: iteration counts, baseline files, the peers' and the floor's figures. */
export interface BenchContext {
  cfg: BenchConfig;
  files: BaselineFiles;
  peers: PeerFigures[];
  /** The C pipe ping-pong round trip, in µs, when measured. */
  floorUs?: number;
  /** The bare `deno run`'s p50 and p95 in this run, once measured. */
  bare?: Summary;
  /** The OS wall around our children (the default, `auto`), or why there is none here. */
  wall: { os: string; reason?: string };
  /** The pooled W1 (with the default wall), once measured. */
  pooled?: Summary;
}

/** The pool size the warm measures use: `codemode mcp`'s default. */
export const BENCH_POOL_SIZE = 2;

/** Limits for our runs: defaults, with room for the W3 script's calls. */
export const LIMITS: Partial<Limits> = { maxToolCalls: 100_000 };

const addTool: Tool = defineTool({
  name: "bench.add",
  description: "Returns a + b.",
  input: z.object({ a: z.number(), b: z.number() }),
  handler: ({ a, b }) => a + b,
}) as Tool;

const sleepTool: Tool = defineTool({
  name: "bench.sleep",
  description: "Sleeps, then returns ms.",
  input: z.object({ ms: z.number() }),
  handler: async ({ ms }) => {
    await new Promise((r) => setTimeout(r, ms));
    return ms;
  },
}) as Tool;

/** The bench tools, `bench.add` and `bench.sleep`. */
export const BENCH_TOOLS: readonly Tool[] = [addTool, sleepTool];

/**
 * A Codemode with the bench tools (`bench.add`, `bench.sleep`, as the peers'
 * harness has them) and a pool, or none; the OS wall as by default (`auto`),
 * unless `osSandbox` says otherwise.
 */
export function benchCodemode(pool?: number, osSandbox?: OsSandboxMode): { cm: Codemode; executor: LocalExecutor } {
  const executor = new LocalExecutor({
    ...(pool ? { pool: { size: pool } } : {}),
    ...(osSandbox ? { osSandbox } : {}),
  });
  const cm = new Codemode({ tools: [addTool, sleepTool], limits: LIMITS, executor });
  // The Codemode does not own an executor it was given: closing it closes both.
  const close = cm.close.bind(cm);
  cm.close = async () => {
    await close();
    await executor.close();
  };
  return { cm, executor };
}

/** Runs a script and fails loudly unless it completed. */
export async function run(cm: Codemode, code: string): Promise<ExecutionResult> {
  const r: ExecutionResult = await cm.execute(code);
  if (!r.ok) throw new Error(`bench script ended with ${r.stopReason}: ${JSON.stringify(r.error)}`);
  return r;
}

/**
 * Waits until the pool is full of ready children and starts none (a warm
 * start, as between two tool calls of a model); gives up after `ms`.
 *
 * @returns whether it got there.
 */
export async function poolSettled(executor: LocalExecutor, ms = 30_000): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const s = executor.poolStats();
    if (s && s.ready >= BENCH_POOL_SIZE && !s.filling) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

/**
 * Cold W1: a fresh child each time (inside the OS wall where the host has
 * one, as by default), interleaved with bare `deno run` of an empty module
 * started the same way and, where there is a wall, with the same execute
 * with `osSandbox: "off"`; and the first execute of a new Codemode.
 *
 * @param ctx iteration counts and files; `ctx.bare` is set from this measure.
 * @returns the p50, p95, wall-versus-no-wall and first-execute rows.
 */
export async function measureCold(ctx: BenchContext): Promise<Measure[]> {
  const { cfg, files } = ctx;
  const ours: number[] = [];
  const unwalled: number[] = [];
  const bare: number[] = [];
  const firsts: number[] = [];
  const { cm } = benchCodemode();
  const off = ctx.wall.os === "none" ? undefined : benchCodemode(undefined, "off").cm;
  const limits: Limits = { ...cm.limits };
  for (let i = 0; i < cfg.coldWarmups + cfg.coldRuns; i++) {
    const a = await timed(() => run(cm, "return 1"));
    const b: number = await bareColdRun(limits, files.empty);
    const c = off && await timed(() => run(off, "return 1"));
    if (i >= cfg.coldWarmups) {
      ours.push(a.ms);
      bare.push(b);
      if (c) unwalled.push(c.ms);
    }
  }
  await cm.close();
  await off?.close();
  for (let i = 0; i < Math.min(5, cfg.coldRuns); i++) {
    const fresh = benchCodemode().cm;
    firsts.push((await timed(() => run(fresh, "return 1"))).ms);
    await fresh.close();
  }
  const o: Summary = summarize(ours);
  const b: Summary = summarize(bare);
  ctx.bare = b;
  const f: Summary = summarize(firsts);
  const base = { unit: "ms" as const, baselineLabel: "bare `deno run` empty.js, same flags, guards and wall" };
  const inWall = ctx.wall.os === "none" ? `no OS wall here: ${ctx.wall.reason}` : `inside the OS wall (${ctx.wall.os})`;
  return [
    measure({
      ...base,
      id: "cold_w1_p50",
      label: `W1 cold execute("return 1") p50, n=${o.n}, ${inWall}`,
      ours: o.p50,
      baseline: b.p50,
      target: { on: "ratio", max: 1.2 },
      detail: { oursMin: o.min, bareMin: b.min },
    }),
    measure({ ...base, id: "cold_w1_p95", label: `W1 cold p95, n=${o.n}`, ours: o.p95, baseline: b.p95 }),
    ...(unwalled.length === 0 ? [] : [wallRow("cold_w1_os_wall", `W1 cold p50, n=${o.n}`, o, summarize(unwalled))]),
    measure({
      ...base,
      id: "first_execute_p50",
      label: `first execute of a new Codemode (makes its private dir) p50, n=${f.n}`,
      ours: f.p50,
      baseline: b.p50,
    }),
  ];
}

/** A row of a figure inside the OS wall against the same figure with `osSandbox: "off"`, in the same run. */
function wallRow(id: string, what: string, walled: Summary, off: Summary): Measure {
  return measure({
    id,
    label: `${what}: inside the OS wall vs osSandbox off`,
    unit: "ms",
    ours: walled.p50,
    baseline: off.p50,
    baselineLabel: "the same with osSandbox: off (Deno's wall alone), interleaved",
    target: { on: "ratio", max: 1.1 },
    detail: { oursMin: walled.min, offMin: off.min },
  });
}

/**
 * Warm W1 with the OS wall against warm W1 without it (`osSandbox: "off"`):
 * the pooled child was started inside the wall ahead of time, so the wall
 * should cost an execution nothing.
 *
 * @param ctx iteration counts and the pooled W1 (with the wall) measured before.
 * @returns the row, or none where there is no wall.
 */
export async function measurePooledWall(ctx: BenchContext): Promise<Measure[]> {
  if (ctx.wall.os === "none" || !ctx.pooled) return [];
  const off = await pooledW1(ctx, "off");
  return [
    wallRow("pooled_w1_os_wall", `W1 warm, pool of ${BENCH_POOL_SIZE}, p50, n=${off.times.n}`, ctx.pooled, off.times),
  ];
}

// `return 1` on a pooled child, the pool settled before each one; three runs first, not counted.
async function pooledW1(
  ctx: BenchContext,
  osSandbox?: OsSandboxMode,
): Promise<{ times: Summary; unsettled: number; idleChildKiB: number }> {
  const { cm, executor } = benchCodemode(BENCH_POOL_SIZE, osSandbox);
  const ours: number[] = [];
  let unsettled = 0;
  let idleChildKiB = 0;
  try {
    for (let i = 0; i < ctx.cfg.pooledRuns + 3; i++) {
      if (!await poolSettled(executor)) unsettled++;
      if (i === 0) idleChildKiB = idlePooledChildKiB();
      const r = await timed(() => run(cm, "return 1"));
      if (i >= 3) ours.push(r.ms);
    }
  } finally {
    await cm.close();
  }
  return { times: summarize(ours), unsettled, idleChildKiB };
}

/**
 * Warm W1: `return 1` on a pooled child, the pool settled before each one.
 * Against the best peer's W1 p50 when the peers ran, else the bare run.
 *
 * @param ctx iteration counts, the peers' figures and the bare run's.
 * @returns the p50 and p95 rows.
 */
export async function measurePooledW1(ctx: BenchContext): Promise<Measure[]> {
  const { times: o, unsettled, idleChildKiB } = await pooledW1(ctx);
  ctx.pooled = o;
  const detail = { oursMin: o.min, unsettled, idlePooledChildRssMiB: idleChildKiB / 1024 };
  const best = bestPeer(ctx.peers, (p) => p.w1?.p50);
  const label = `W1 warm execute("return 1"), pool of ${BENCH_POOL_SIZE}, n=${o.n}`;
  if (!best) {
    const bare = ctx.bare!;
    return [
      measure({
        id: "pooled_w1_p50",
        label: `${label}, p50`,
        unit: "ms",
        ours: o.p50,
        baseline: bare.p50,
        baselineLabel: "bare `deno run` p50 (no peers in this run)",
        detail,
      }),
      measure({
        id: "pooled_w1_p95",
        label: `${label}, p95`,
        unit: "ms",
        ours: o.p95,
        baseline: bare.p50,
        baselineLabel: "bare `deno run` p50 (no peers in this run)",
      }),
    ];
  }
  const baselineLabel = `best peer W1 p50: ${best.peer}`;
  return [
    measure({
      id: "pooled_w1_p50",
      label: `${label}, p50`,
      unit: "ms",
      ours: o.p50,
      baseline: best.value,
      baselineLabel,
      target: { on: "ratio", max: 0.8 },
      detail,
    }),
    measure({
      id: "pooled_w1_p95",
      label: `${label}, p95`,
      unit: "ms",
      ours: o.p95,
      baseline: best.value,
      baselineLabel,
      target: { on: "ratio", max: 1 },
    }),
  ];
}

/** Resident memory of the idle pooled children of this process (the mean of their Deno processes), in KiB. */
function idlePooledChildKiB(): number {
  const sizes: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const status = Deno.readTextFileSync(`/proc/${e.name}/status`);
      const cmdline = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      // Inside the OS wall a child's Deno runs two processes (bwrap's) below this one.
      if (!/^Name:\s+deno$/m.test(status) || !cmdline.includes("prelude.js") || hostOf(e.name) !== Deno.pid) continue;
      sizes.push(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0));
    } catch { /* gone */ }
  }
  return sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0;
}

function hostOf(pid: string): number {
  let parent = Number(/^PPid:\s+(\d+)/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1]);
  for (let depth = 0; depth < 2 && parent > 1; depth++) {
    const status = Deno.readTextFileSync(`/proc/${parent}/status`);
    if (!/^Name:\s+bwrap$/m.test(status)) break;
    parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
  }
  return parent;
}
