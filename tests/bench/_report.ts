/**
 * The benchmark's result shape and its Markdown rendering.
 *
 * @module
 */
import { fmt } from "./_stats.ts";
import type { PeerFigures } from "./_peers.ts";

/** A target: an upper bound on either our figure or the ratio ours/baseline. */
export interface Target {
  /** What the bound applies to. */
  on: "ours" | "ratio";
  /** The largest value that meets the target. */
  max: number;
}

/** One row of the results. */
export interface Measure {
  /** Stable identifier (used by the JSON output and the smoke test). */
  id: string;
  /** What was measured, for humans. */
  label: string;
  /** Unit of `ours` and `baseline`. */
  unit: "ms" | "µs" | "MiB" | "/s";
  /** Our figure. */
  ours: number;
  /** The baseline figure, measured in the same run. */
  baseline: number;
  /** What the baseline is. */
  baselineLabel: string;
  /** ours / baseline. */
  ratio: number;
  /** The target, if there is one. */
  target?: Target;
  /** Whether the target was met; absent without a target. */
  met?: boolean;
  /** Extra figures shown after our figure, e.g. a delta. */
  note?: string;
  /** Extra numbers for the JSON output. */
  detail?: Record<string, number>;
}

/** The whole run's results. */
export interface BenchReport {
  /** `Deno.version`. */
  deno: { deno: string; v8: string; typescript: string };
  /** `nproc` of the machine. */
  nproc: number;
  /** The 1-minute load average when the run started and when it ended (other work on the machine). */
  load: { start: number; end: number };
  /** Whether `--quick` was given. */
  quick: boolean;
  /** Wall time of the whole run, in ms. */
  elapsedMs: number;
  /** The C pipe ping-pong's round trip, in µs, or why it was not measured. */
  floor: { roundTripUs: number } | { skipped: string };
  /** The peers measured in this run, or why they were not. */
  peers: { figures: PeerFigures[]; elapsedMs: number } | { skipped: string };
  /** The rows. */
  measures: Measure[];
}

/** Fields of a measure before its ratio and verdict are computed. */
export type MeasureInput = Omit<Measure, "ratio" | "met">;

/**
 * Completes a measure: computes the ratio and checks the target.
 *
 * @param m the measure without ratio and verdict.
 * @returns the full measure.
 */
export function measure(m: MeasureInput): Measure {
  const ratio: number = m.ours / m.baseline;
  const out: Measure = { ...m, ratio };
  if (m.target) {
    out.met = (m.target.on === "ours" ? m.ours : ratio) <= m.target.max;
  }
  return out;
}

function targetText(m: Measure): string {
  if (!m.target) return "—";
  return m.target.on === "ratio" ? `≤ ${m.target.max}×` : `≤ ${m.target.max} ${m.unit}`;
}

function peerTable(peers: PeerFigures[]): string[] {
  const ms = (x: number | undefined) => x === undefined ? "—" : `${fmt(x)} ms`;
  const lines = [
    "| peer (same run) | W1 p50 / p95 | W2 p50 | W3 p50 | W3 p50, host log off |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const p of peers) {
    const w1 = p.w1 ? `${fmt(p.w1.p50)} / ${fmt(p.w1.p95)} ms` : "—";
    lines.push(`| ${p.peer} | ${w1} | ${ms(p.w2)} | ${ms(p.w3)} | ${ms(p.w3NoLog)} |`);
  }
  return lines;
}

/**
 * Renders the report as Markdown: a header line, the table of our measures
 * and, when the peers ran, theirs.
 *
 * @param report the results.
 * @returns Markdown text.
 */
export function renderMarkdown(report: BenchReport): string {
  const floor = "roundTripUs" in report.floor
    ? `C pipe ping-pong ${fmt(report.floor.roundTripUs)} µs a round trip`
    : `no pipe floor (${report.floor.skipped})`;
  const lines: string[] = [
    `Deno ${report.deno.deno} (V8 ${report.deno.v8}, TypeScript ${report.deno.typescript}), nproc ${report.nproc}` +
    `, load ${report.load.start.toFixed(2)} → ${report.load.end.toFixed(2)}` +
    `${report.quick ? ", --quick" : ""}, run took ${(report.elapsedMs / 1000).toFixed(1)} s; ${floor}`,
    "",
    "| measure | ours | baseline | ratio | target | met? |",
    "| --- | ---: | ---: | ---: | :---: | :---: |",
  ];
  for (const m of report.measures) {
    const ours = `${fmt(m.ours)} ${m.unit}${m.note ? ` (${m.note})` : ""}`;
    const baseline = `${fmt(m.baseline)} ${m.unit} (${m.baselineLabel})`;
    const met: string = m.met === undefined ? "—" : m.met ? "yes" : "**no**";
    lines.push(
      `| ${m.label} | ${ours} | ${baseline} | ${m.ratio.toFixed(2)}× | ${targetText(m)} | ${met} |`,
    );
  }
  lines.push("");
  if ("figures" in report.peers) lines.push(...peerTable(report.peers.figures));
  else lines.push(`Peers not measured: ${report.peers.skipped}.`);
  return lines.join("\n");
}
