/**
 * The token benchmark's report: one Markdown table of every task in every
 * mode, the totals by mode, and the targets, met or not.
 *
 * @module
 */
import { type Mode, MODES, type TaskRun } from "./run.ts";

/** The targets. */
export const TARGETS: Readonly<{ discoveryPromptTokens: number; contextShare: number; roundTrips: number }> = Object
  .freeze({
    /** With discovery, the most prompt tokens before the first call. */
    discoveryPromptTokens: 1_000,
    /** Total context of a task over classic's, at most. */
    contextShare: 0.1,
    /** Round trips of a task, at most. */
    roundTrips: 2,
  });

const SHORT: Record<Mode, string> = {
  classic: "classic",
  codemode: "Codemode, all declarations",
  discovery: "discovery: search, types, script",
  signatures: "discovery: search, script",
};

const int = (n: number) => n.toLocaleString("en-US");
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const yes = (ok: boolean) => ok ? "yes" : "**no**";

function byMode(runs: readonly TaskRun[], mode: Mode): TaskRun[] {
  return runs.filter((r) => r.mode === mode);
}

/** A task's total context over classic's for the same task. */
function share(runs: readonly TaskRun[], run: TaskRun): number {
  const classic = runs.find((r) => r.task === run.task && r.mode === "classic");
  if (!classic) throw new Error(`no classic run of ${run.task}`);
  return run.cost.totalContextTokens / classic.cost.totalContextTokens;
}

function taskTable(runs: readonly TaskRun[]): string[] {
  const rows = runs.map((r) =>
    `| ${r.task} | ${SHORT[r.mode]} | ${int(r.cost.promptTokens)} | ${
      int(r.cost.totalContextTokens)
    } | ${r.cost.roundTrips} | ${r.mode === "classic" ? "—" : pct(share(runs, r))} |`
  );
  return [
    "| task | mode | prompt tokens before the first call | total context tokens over the task | round trips | context vs classic |",
    "| --- | --- | --: | --: | --: | --: |",
    ...rows,
  ];
}

function totalsTable(runs: readonly TaskRun[]): string[] {
  const classicTotal = sum(byMode(runs, "classic").map((r) => r.cost.totalContextTokens));
  const rows = MODES.map(({ id }) => {
    const mine = byMode(runs, id);
    const total = sum(mine.map((r) => r.cost.totalContextTokens));
    const trips = mine.map((r) => r.cost.roundTrips);
    const prompts = mine.map((r) => r.cost.promptTokens);
    return `| ${SHORT[id]} | ${int(Math.min(...prompts))}–${int(Math.max(...prompts))} | ${int(total)} | ${
      id === "classic" ? "—" : pct(total / classicTotal)
    } | ${sum(trips)} (${range(trips)} a task) |`;
  });
  return [
    `| mode (all ${
      byMode(runs, "classic").length
    } tasks) | prompt tokens | total context tokens | vs classic | round trips |`,
    "| --- | --: | --: | --: | --: |",
    ...rows,
  ];
}

function targetsTable(runs: readonly TaskRun[]): string[] {
  const rows: string[] = [];
  for (const id of ["discovery", "signatures"] as const) {
    const most = Math.max(...byMode(runs, id).map((r) => r.cost.promptTokens));
    rows.push(
      `| ≤ ${int(TARGETS.discoveryPromptTokens)} prompt tokens with discovery | ${SHORT[id]} | ${int(most)} | ${
        yes(most <= TARGETS.discoveryPromptTokens)
      } |`,
    );
  }
  for (const id of ["codemode", "discovery", "signatures"] as const) {
    const shares = byMode(runs, id).map((r) => share(runs, r));
    const worst = Math.max(...shares);
    rows.push(
      `| total context ≤ ${pct(TARGETS.contextShare)} of classic, every task | ${SHORT[id]} | ${
        pct(Math.min(...shares))
      }–${pct(worst)} | ${yes(worst <= TARGETS.contextShare)} |`,
    );
  }
  for (const id of ["codemode", "discovery", "signatures"] as const) {
    const trips = byMode(runs, id).map((r) => r.cost.roundTrips);
    rows.push(
      `| 1–${TARGETS.roundTrips} round trips a task | ${SHORT[id]} | ${range(trips)} | ${
        yes(Math.max(...trips) <= TARGETS.roundTrips)
      } |`,
    );
  }
  return ["| target | mode | this run | met? |", "| --- | --- | --: | :-: |", ...rows];
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function range(xs: number[]): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

/**
 * Renders the runs as Markdown: the per-task table, the totals, the targets.
 *
 * @param runs every task in every mode, as `runTokenBench` returns them.
 * @returns the Markdown.
 */
export function renderTokenReport(runs: readonly TaskRun[]): string {
  return [...taskTable(runs), "", ...totalsTable(runs), "", ...targetsTable(runs)].join("\n");
}
