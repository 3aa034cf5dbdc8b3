// `codemode.yaml`'s `logging` and `metrics` through `fromConfig`: every key
// changes what a real execution leaves in the log and the metrics.
import assert from "node:assert/strict";
import { fromConfig } from "../../src/config/mod.ts";
import { Observability } from "../../src/observability/mod.ts";
import { sample } from "../observability/_exposition.ts";

const DEMO_TOOLS = new URL("../../examples/demo/tools.ts", import.meta.url).pathname;
const SCRIPT = `return (await tools.weather.get({ city: "Oslo" })).tempC`;

/** Writes a codemode.yaml with the demo tools and `extra`, and loads it with a log that keeps its lines. */
async function load(extra: string, options: { observer?: Observability } = {}) {
  const dir = await Deno.makeTempDir({ prefix: "codemode-obs-config-" });
  await Deno.writeTextFile(`${dir}/codemode.yaml`, `tools: [${DEMO_TOOLS}]\n${extra}`);
  const lines: Record<string, unknown>[] = [];
  try {
    const cm = await fromConfig(`${dir}/codemode.yaml`, {
      env: {},
      logWrite: (line) => void lines.push(JSON.parse(line)),
      ...options,
    });
    return { cm, lines, msgs: () => lines.map((l) => l.msg) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("without logging or metrics, fromConfig makes no observer and logs nothing", async () => {
  const { cm, lines } = await load("metrics:\n  enabled: false\n");
  await using _ = cm;
  assert.equal(cm.observer, undefined);
  await cm.execute(SCRIPT);
  assert.equal(lines.length, 0);
});

Deno.test("logging.level sets the lines written: info has execution and audit lines, debug adds tool_call lines", async () => {
  const cases: [string, string[]][] = [["info", ["audit", "execution"]], ["debug", [
    "tool_call",
    "audit",
    "execution",
  ]]];
  for (const [level, expected] of cases) {
    const { cm, msgs } = await load(`logging:\n  level: ${level}\n`);
    await using _ = cm;
    assert.equal((await cm.execute(SCRIPT)).result, 4);
    assert.deepEqual(msgs(), expected, level);
  }
  const { cm, lines } = await load("logging:\n  level: silent\n");
  await using _ = cm;
  await cm.execute(`throw new Error("x")`);
  assert.equal(lines.length, 0);
});

Deno.test("logging.audit: false keeps the audit records out of the log", async () => {
  const { cm, msgs } = await load("logging:\n  audit: false\n");
  await using _ = cm;
  await cm.execute(SCRIPT);
  assert.deepEqual(msgs(), ["execution"]);
});

Deno.test("metrics.enabled keeps the metrics, read from the instance's observer; without logging nothing is logged", async () => {
  const { cm, lines } = await load("metrics:\n  enabled: true\n");
  await using _ = cm;
  await cm.execute(SCRIPT);
  assert.ok(cm.observer instanceof Observability);
  const text = await cm.observer.metrics();
  assert.equal(sample(text, "codemode_tool_calls_total", { tool: "weather.get", outcome: "ok" }), 1);
  assert.equal(lines.length, 0);
  const { cm: logged } = await load("logging:\n  level: info\n");
  await using _logged = logged;
  assert.ok(logged.observer instanceof Observability);
  assert.equal(await logged.observer.metrics(), "", "logging alone keeps no metrics");
});

Deno.test("an observer passed to fromConfig replaces the config's, and cannot be combined with logging or metrics", async () => {
  const observer = new Observability({ logLevel: "silent" });
  const { cm } = await load("", { observer });
  await using _ = cm;
  assert.equal(cm.observer, observer);
  await assert.rejects(load("logging:\n  level: info\n", { observer }), TypeError, "logging cannot apply");
  await assert.rejects(load("metrics:\n  enabled: true\n", { observer }), /metrics cannot apply to the observer/);
});
