// The token benchmark (`deno task bench:tokens`) runs for real: its scripts run in Codemode's sandbox and through
// its MCP server, and every mode ends with the task's expected answer (`TokenBench.run` throws otherwise). The counts
// come from a tokenizer over fixed data and scripted turns, so they must not move between runs.
import assert from "node:assert/strict";
import { runTokenBench, steadyDurations, TokenBench } from "./tokens/run.ts";
import { renderTokenReport } from "./tokens/report.ts";
import { TASKS } from "./tokens/tasks.ts";
import { CATALOGUE, functionDefinitions } from "./tokens/catalogue/mod.ts";
import { tokens } from "./tokens/_transcript.ts";

Deno.test("the token benchmark's catalogue has 100 tools in 10 namespaces, each with a description", () => {
  assert.equal(CATALOGUE.length, 100);
  const namespaces = Map.groupBy(CATALOGUE, (t) => t.name.split(".")[0]);
  assert.deepEqual([...namespaces.values()].map((tools) => tools.length), Array(10).fill(10));
  assert.equal(new Set(CATALOGUE.map((t) => t.name)).size, 100);
  for (const t of CATALOGUE) assert.ok(t.description.length > 10, `${t.name} has a description`);
  assert.equal(functionDefinitions().length, 100);
});

Deno.test("every task ends with its expected answer in every mode, and the counts are the same on a second run", async () => {
  const first = await runTokenBench(TASKS);
  assert.equal(first.length, TASKS.length * 4);
  for (const run of first) {
    assert.ok(run.cost.promptTokens > 0 && run.cost.totalContextTokens >= run.cost.promptTokens, run.task);
    assert.equal(run.cost.perCall.length, run.cost.roundTrips + 1, "each round trip, then the answer");
  }
  // Two tasks again, in a new Codemode and MCP connection: the same tokens, to the token.
  const again = await runTokenBench(TASKS.slice(0, 2));
  assert.deepEqual(again, first.slice(0, 8));
  assert.match(renderTokenReport(first), /\| triage \| classic \| [\d,]+ \| [\d,]+ \| 5 \| — \|/);
});

Deno.test("classic tool calling costs one round trip per call, Codemode one", async () => {
  await using bench = await TokenBench.open();
  const overdue = TASKS.find((t) => t.id === "overdue")!;
  const classic = await bench.classic(overdue);
  // One invoice list, then for each of the five companies a CRM lookup and an e-mail.
  assert.equal(classic.cost.roundTrips, 11);
  const codemode = await bench.codemode(overdue);
  assert.equal(codemode.cost.roundTrips, 1);
  // Each classic call re-reads the context: the sum grows with every result the model has seen.
  assert.ok(classic.cost.perCall.every((n, i) => i === 0 || n > classic.cost.perCall[i - 1]));
});

Deno.test("every task's script type-checks against the declarations the model is shown", async () => {
  await using bench = await TokenBench.open();
  const declarations = await bench.declarations();
  const dir = await Deno.makeTempDir({ prefix: "codemode-token-bench-" });
  try {
    const files = [];
    for (const task of TASKS) {
      const file = `${dir}/${task.id}.ts`;
      await Deno.writeTextFile(file, `${declarations}\nexport async function script() {\n${task.script}\n}\n`);
      files.push(file);
    }
    // No config: Deno's strict defaults, not this repository's settings.
    const out = await new Deno.Command(Deno.execPath(), { args: ["check", "--no-config", ...files], stderr: "piped" })
      .output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("steadyDurations sets the trace's durations, and nothing else, to 1 ms", () => {
  const text = 'Result:\n"took 5ms"\n\nTool calls (2): a.b ok 12ms, a.c ERR 140ms (boom)';
  assert.equal(steadyDurations(text), 'Result:\n"took 5ms"\n\nTool calls (2): a.b ok 1ms, a.c ERR 1ms (boom)');
  assert.equal(tokens("hello world"), 2);
});
