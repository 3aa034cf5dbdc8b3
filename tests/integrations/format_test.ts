// formatResultForModel: what the model reads back after its script ran.
import assert from "node:assert/strict";
import { Codemode, type ExecutionResult } from "../../mod.ts";
import { formatErrorLine, formatResultForModel } from "../../src/format.ts";
import tools from "../../examples/demo/tools.ts";

function result(overrides: Partial<ExecutionResult>): ExecutionResult {
  return {
    executionId: "e",
    ok: true,
    stopReason: "completed",
    logs: [],
    toolCalls: [],
    durationMs: 5,
    ...overrides,
  };
}

Deno.test("success: pretty JSON result, then logs, then a one-line trace, in that order", () => {
  const text = formatResultForModel(result({
    result: { warm: ["Lima", "Pune"], count: 2 },
    logs: [{ level: "log", text: "fetched 3", atMs: 1 }, { level: "warn", text: "slow", atMs: 2 }],
    toolCalls: [
      { tool: "weather.get", ok: true, durationMs: 3.4 },
      {
        tool: "currency.convert",
        ok: false,
        durationMs: 1.6,
        error: "tools.currency.convert failed: Unknown currency XYZ",
        line: 4,
        column: 9,
      },
    ],
  }));
  assert.equal(
    text,
    [
      "Result:",
      JSON.stringify({ warm: ["Lima", "Pune"], count: 2 }, null, 2),
      "",
      "Logs:",
      "[log] fetched 3",
      "[warn] slow",
      "",
      "Tool calls (2): weather.get ok 3ms, currency.convert ERR 2ms (Unknown currency XYZ) at script.ts:4:9",
    ].join("\n"),
  );
});

Deno.test("success without a value, logs or calls says so plainly", () => {
  const text = formatResultForModel(result({}));
  assert.equal(text, "Result: (none: the script returned nothing; `return` the answer)\n\nTool calls: none");
  assert.equal(formatResultForModel(result({ result: null })), "Result:\nnull\n\nTool calls: none");
});

Deno.test("a long result is cut at maxChars with a marker saying how much is missing", () => {
  const big = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `row ${i}` }));
  const full = JSON.stringify(big, null, 2);
  const text = formatResultForModel(result({ result: big }), { maxChars: 500 });
  assert.ok(text.startsWith("Result:\n" + full.slice(0, 500) + "\n… [truncated: "));
  assert.match(text, new RegExp(`truncated: ${full.length - 500} of ${full.length} characters not shown`));
  assert.ok(text.length < 800);
});

Deno.test("long logs are cut at maxChars too, and the trace of many calls is summarised", () => {
  const logs = Array.from({ length: 500 }, (_, i) => ({ level: "log" as const, text: `line ${i}`, atMs: i }));
  const toolCalls = Array.from({ length: 50 }, (_, i) => ({ tool: "t.x", ok: i % 10 !== 0, durationMs: 1 }));
  const text = formatResultForModel(result({ result: 1, logs, toolCalls }), { maxChars: 200 });
  assert.match(text, /\n\[log\] line 0\n/);
  assert.match(text, /… \[truncated: \d+ of \d+ characters not shown\]/);
  assert.doesNotMatch(text, /line 499/);
  assert.match(text, /Tool calls \(50\): (t\.x (ok|ERR) 1ms, ){20}… 30 more \(3 failed\)$/);
});

Deno.test("truncation never splits a surrogate pair", () => {
  const text = formatResultForModel(result({ result: "😀".repeat(10) }), { maxChars: 4 });
  // `"😀😀…`: the quote plus one whole emoji, never half of the second.
  assert.ok(text.startsWith('Result:\n"😀\n…'), text);
});

Deno.test("failure: `Error (stopReason): Name: message at script.ts:L:C`, then logs and trace", () => {
  const text = formatResultForModel(result({
    ok: false,
    stopReason: "error",
    error: { name: "TypeError", message: "w.map is not a function", line: 3, column: 12, stack: "host-only" },
    logs: [{ level: "log", text: "before", atMs: 1 }],
    toolCalls: [{ tool: "weather.get", ok: true, durationMs: 2 }],
  }));
  assert.equal(
    text,
    "Error (error): TypeError: w.map is not a function at script.ts:3:12\n\nLogs:\n[log] before\n\nTool calls (1): weather.get ok 2ms",
  );
});

Deno.test("limit endings name the limit; an over-large result shows its preview", () => {
  assert.equal(
    formatErrorLine(result({ ok: false, stopReason: "timeout", error: { name: "TimeoutError", message: "took 1s" } })),
    "Error (timeout): TimeoutError: took 1s",
  );
  assert.equal(
    formatErrorLine(result({ ok: false, stopReason: "killed" })),
    "Error (killed): the script did not complete",
  );
  const text = formatResultForModel(result({
    ok: false,
    stopReason: "output_limit",
    result: { $truncated: true, originalBytes: 2_000_000, preview: "[1,2," },
    error: { name: "OutputLimitError", message: "The result is 2000000 bytes" },
  }));
  assert.match(text, /^Error \(output_limit\): OutputLimitError: The result is 2000000 bytes\nPartial result:\n\{/);
  assert.match(text, /"originalBytes": 2000000/);
});

Deno.test("maxChars must be a positive integer", () => {
  assert.throws(() => formatResultForModel(result({}), { maxChars: 0 }), RangeError);
  assert.throws(() => formatResultForModel(result({}), { maxChars: 1.5 }), /positive integer/);
});

Deno.test("a real execution formats end to end, with the error position in the user's code", async () => {
  await using cm = new Codemode({ tools });
  const ok = formatResultForModel(
    await cm.execute(`
    const w = await tools.weather.get({ city: "Pune" });
    console.log("got", w.city);
    return w;
  `),
  );
  assert.match(
    ok,
    /^Result:\n\{\n {2}"city": "Pune",\n {2}"tempC": 31\n\}\n\nLogs:\n\[log\] got Pune\n\nTool calls \(1\): weather\.get ok \d+ms$/,
  );
  const failed = formatResultForModel(await cm.execute(`const x = 1;\nconst y = null;\nreturn y.z;`));
  assert.match(failed, /^Error \(error\): TypeError: .+ at script\.ts:3:\d+\n\nTool calls: none$/);
});

Deno.test("a failed tool call is named by its call site once in the error line, and in the trace", async () => {
  await using cm = new Codemode({ tools });
  const text = formatResultForModel(
    await cm.execute(`await tools.weather.get({ city: "Pune" });\nawait tools.weather.get({} as any);`),
  );
  assert.match(
    text,
    /^Error \(error\): ToolError: Invalid input for tools\.weather\.get: .+ \(script\.ts:2:21\)\n\nTool calls \(2\): weather\.get ok \d+ms, weather\.get ERR \d+ms \(.+\) at script\.ts:2:21$/,
  );
});
