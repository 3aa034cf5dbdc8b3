// Runs each framework example as a user would (`deno run -A examples/x/main.ts`),
// offline: the API-key variables are removed so the scripted models are used.
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const FINAL = "Final answer: Lima and Pune are warmer than 20°C; their 3 orders come to 62.18 USD.";

async function runExample(name: string, file = "main.ts"): Promise<string> {
  const env = Deno.env.toObject();
  // No real model, and no LangSmith tracing (which would call out to the network).
  for (
    const key of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "CODEMODE_MODEL", "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"]
  ) {
    delete env[key];
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `examples/${name}/${file}`],
    cwd: ROOT,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `examples/${name} failed:\n${stdout}\n${stderr}`);
  return stdout;
}

/** The parts every run of the shared task prints: the script, what the tool returned, the answer. */
function assertTaskOutput(stdout: string): void {
  assert.match(stdout, /Question: Which of Oslo, Lima and Pune/);
  assert.match(stdout, /with this script:\n\n {4}const cities = \["Oslo", "Lima", "Pune"\];/);
  assert.match(stdout, /The tool returned \(this text is what the model reads\):\n\n {4}Result:\n/);
  assert.match(stdout, /"totalUsd": 62\.18/);
  assert.match(stdout, /\[log\] warm: Lima 22°C, Pune 31°C/);
  assert.match(stdout, /Tool calls \(8\): weather\.get ok \d+ms/);
  assert.ok(stdout.trimEnd().includes(FINAL), stdout);
}

Deno.test("examples/basic: without API keys, the scripted AI SDK model runs the whole loop", async () => {
  const stdout = await runExample("basic");
  assert.match(stdout, /^Model: scripted mock/);
  assertTaskOutput(stdout);
  assert.ok(stdout.trimEnd().endsWith(FINAL));
});

Deno.test("examples/langchain: the same task through a bound LangChain chat model", async () => {
  const stdout = await runExample("langchain");
  assert.match(stdout, /^Model: scripted LangChain chat model/);
  assertTaskOutput(stdout);
});

Deno.test("examples/langchain/agent.ts: the same task through createAgent with codemodeMiddleware", async () => {
  const stdout = await runExample("langchain", "agent.ts");
  assert.match(stdout, /^Model: scripted LangChain chat model, in createAgent with codemodeMiddleware/);
  assertTaskOutput(stdout);
});

Deno.test("examples/langgraph: the same task through a LangGraph graph with the Codemode ToolNode", async () => {
  const stdout = await runExample("langgraph");
  assertTaskOutput(stdout);
  assert.match(stdout, /Graph path: START → model → tools → model → END/);
});

Deno.test("examples/multi-step: the model sees the failing tool's error, then recovers with try/catch", async () => {
  const stdout = await runExample("multi-step");
  const [first, second] = stdout.split("Step 2:");
  assert.match(
    first,
    /The tool returned[^\n]*\n\n {4}Error \(error\): ToolError: tools\.shipping\.quote failed: No refrigerated carrier serves Pune \(script\.ts:\d+:\d+\)\n/,
  );
  assert.match(first, /\[log\] Oslo: 40 USD\n {4}\[log\] Lima: 25 USD\n/);
  assert.match(first, /shipping\.quote ERR \d+ms \(No refrigerated carrier serves Pune\) at script\.ts:\d+:\d+/);
  assert.match(second, /catch \(e\)/);
  assert.match(second, /\[warn\] Pune: .*falling back to standard shipping with ice packs/);
  assert.match(second, /"cheapest": "Lima"/);
  assert.match(
    stdout,
    /Final answer: Quotes: Oslo 40 USD, Lima 25 USD, Pune 45 USD \(standard \+ ice packs\)\. Cheapest: Lima\.\n$/,
  );
});
