// Smoke test of the benchmark: runs `bench.ts --quick --json` as a subprocess
// and checks that the JSON holds every measure with positive figures. It makes
// no claim about speed: timing thresholds do not belong in tests.
import assert from "node:assert/strict";
import type { BenchReport, Measure } from "./_report.ts";
import { detectOsWall } from "../../executor/_os_wall.ts";

const BENCH: string = new URL("./bench.ts", import.meta.url).pathname;

// Without the peers (a quick run skips them); w3_vs_floor needs a C compiler; the OS wall rows need the wall.
const WALL_IDS: readonly string[] = (await detectOsWall(Deno.execPath())).os === "none"
  ? []
  : ["cold_w1_os_wall", "pooled_w1_os_wall"];
const EXPECTED_IDS: readonly string[] = [
  ...WALL_IDS,
  "cold_w1_p50",
  "cold_w1_p95",
  "first_execute_p50",
  "pooled_w1_p50",
  "pooled_w1_p95",
  "w2_vs_ideal",
  "w3_vs_raw_echo",
  "throughput_cold",
  "throughput_pooled",
  "host_rss",
  "remote_return1_p50",
  "remote_sequential",
  "typecheck_p50",
  "typecheck_p95",
  "typecheck_cold",
];

function isPositive(x: unknown): boolean {
  return typeof x === "number" && Number.isFinite(x) && x > 0;
}

Deno.test("bench --quick --json reports every measure with positive numbers", async () => {
  // The benchmark's temp dirs go to a dir of this test's own, removed afterwards whatever the benchmark left.
  const tmp = await Deno.makeTempDir({ prefix: "codemode-bench-smoke-" });
  // Searchable by others, as the system temp dir is: a root host's OS wall runs as uid 65534.
  await Deno.chmod(tmp, 0o711);
  const out: Deno.CommandOutput = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", BENCH, "--quick", "--json"],
    env: { TMPDIR: tmp },
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(tmp, { recursive: true }));
  const stderr: string = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `bench exited with ${out.code}:\n${stderr}`);
  const report: BenchReport = JSON.parse(new TextDecoder().decode(out.stdout));

  assert.equal(report.quick, true);
  assert.equal(report.deno.deno, Deno.version.deno);
  assert.ok(isPositive(report.nproc), "nproc");
  const ids = report.measures.map((m: Measure) => m.id).filter((id) => id !== "w3_vs_floor");
  assert.deepEqual(ids.sort(), [...EXPECTED_IDS].sort());
  assert.ok("skipped" in report.peers, "a quick run measures no peer");
  for (const m of report.measures) {
    for (const key of ["ours", "baseline", "ratio"] as const) {
      assert.ok(isPositive(m[key]), `${m.id}.${key} = ${m[key]}`);
    }
    if (m.target) assert.equal(typeof m.met, "boolean", `${m.id}.met`);
  }
  // The Markdown table goes to stderr alongside the JSON.
  assert.match(stderr, /\| measure \| ours \| baseline \| ratio \| target \| met\? \|/);
});

Deno.test("bench rejects an unknown option", async () => {
  const out: Deno.CommandOutput = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", BENCH, "--nope"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.success, false);
  assert.match(new TextDecoder().decode(out.stderr), /Unknown argument "--nope"/);
});
