/**
 * The benchmark's result shape and its Markdown rendering.
 *
 * @module
 */
import { fmt } from "./_stats.ts";

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
  unit: "ms" | "µs" | "MiB";
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
  /** Whether `--quick` was given. */
  quick: boolean;
  /** Wall time of the whole run, in ms. */
  elapsedMs: number;
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

/**
 * Renders the report as Markdown: a header line and the table.
 *
 * @param report the results.
 * @returns Markdown text.
 */
export function renderMarkdown(report: BenchReport): string {
  const lines: string[] = [
    `Deno ${report.deno.deno} (V8 ${report.deno.v8}, TypeScript ${report.deno.typescript}), nproc ${report.nproc}` +
    `${report.quick ? ", --quick" : ""}, run took ${(report.elapsedMs / 1000).toFixed(1)} s`,
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
  return lines.join("\n");
}
