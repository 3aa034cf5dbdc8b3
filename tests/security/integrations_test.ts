// Framework adapters under hostile model output: whatever `code` a model sends
// (file reads, endless loops, floods of output, the wrong type), the AI SDK and
// LangChain tools answer with bounded, formatted text (or a clear validation
// error) and never hang or crash the agent loop.
// Stopped by: the adapters validate `code` with zod and return `formatResultForModel`'s bounded text; every execution
// runs under the limits.
import assert from "node:assert/strict";
import { generateText, isStepCount } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { aiSdkTool } from "../../src/integrations/ai_sdk.ts";
import { langchainTool } from "../../src/integrations/langchain.ts";
import { DEFAULT_MAX_CHARS } from "../../src/format.ts";
import type { CodemodeToolOptions } from "../../src/integrations/description.ts";
import type { Codemode } from "../../mod.ts";
import { assertHealthy, canaries, sandbox } from "./_canaries.ts";

/** The two adapters, called the way their frameworks call them; each gives the text the model reads. */
const ADAPTERS: Record<string, (cm: Codemode, code: unknown, options?: CodemodeToolOptions) => Promise<string>> = {
  "AI SDK": async (cm, code, options) => {
    const tool = await aiSdkTool(cm, options);
    const output = await tool.execute({ code } as { code: string }, { toolCallId: "c1" });
    return tool.toModelOutput({ toolCallId: "c1", input: { code }, output }).value;
  },
  LangChain: async (cm, code, options) => (await langchainTool(cm, options)).invoke({ code } as { code: string }),
};

/** Fails the test instead of hanging when a call does not settle in time. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Longest text a formatted result can be: result and logs each capped, plus the error line and trace. */
const MAX_TEXT = 2 * DEFAULT_MAX_CHARS + 10_000;

for (const [framework, run] of Object.entries(ADAPTERS)) {
  Deno.test(`${framework} tool: a script reading a secret file gets a formatted permission error, no secret`, async () => {
    await using c = await canaries();
    await using cm = sandbox();
    const text = await within(60_000, run(cm, c.fill(`return await Deno.readTextFile("{{FILE}}")`)));
    assert.match(text, /^Error \(error\): NotCapable: Requires read access/);
    c.assertClean(text);
    await assertHealthy(cm);
  });

  Deno.test(`${framework} tool: an endless loop ends at the tool's own timeout limit`, async () => {
    await using cm = sandbox();
    const text = await within(60_000, run(cm, "while (true) {}", { limits: { timeoutMs: 500 } }));
    assert.match(text, /^Error \(timeout\): /);
    assert.match(text, /longer than 500 ms/, "the per-tool timeoutMs was applied");
    await assertHealthy(cm);
  });

  Deno.test(`${framework} tool: a huge result comes back as a bounded preview`, async () => {
    await using cm = sandbox();
    const text = await within(60_000, run(cm, `return "x".repeat(5_000_000)`));
    assert.match(text, /^Error \(output_limit\): OutputLimitError: /);
    assert.match(text, /Partial result:/);
    assert.ok(text.length < 5_000, `the text is ${text.length} characters`);
  });

  Deno.test(`${framework} tool: a flood of logs and raw writes comes back bounded`, async () => {
    await using cm = sandbox();
    const text = await within(
      15_000,
      run(
        cm,
        `
      for (let i = 0; i < 20_000; i++) console.log("line " + i + " " + "y".repeat(200));
      await Deno.stdout.write(new TextEncoder().encode("z".repeat(2_000_000)));
      return "done";
    `,
      ),
    );
    assert.ok(text.length < MAX_TEXT, `the text is ${text.length} characters`);
    assert.match(text, /\[log\] line 0 /);
    assert.match(text, /truncated/);
  });

  Deno.test(`${framework} tool: a result with a huge JSON array is cut with a marker at maxChars`, async () => {
    await using cm = sandbox();
    const text = await within(
      10_000,
      run(cm, `return Array.from({ length: 20_000 }, (_, i) => i)`, { maxChars: 1000 }),
    );
    assert.match(text, /^Result:\n\[\n {2}0,\n/);
    assert.match(text, /… \[truncated: \d+ of \d+ characters not shown\]/);
    assert.ok(text.length < 1500);
  });

  Deno.test(`${framework} tool: code refused before it runs (too long, denied pattern) is a formatted error`, async () => {
    await using cm = sandbox();
    const long = await within(5_000, run(cm, "// x\n".repeat(50_000)));
    assert.match(long, /^Error \(rejected\): /);
    const denied = await within(5_000, run(cm, `const p = new Deno.Command("sh"); return 1`));
    assert.match(denied, /^Error \(rejected\): /);
  });

  Deno.test(`${framework} tool: an invalid limit in the tool's options is reported as text, not thrown`, async () => {
    await using cm = sandbox();
    const text = await run(cm, "return 1", { limits: { timeoutMs: -1 } });
    assert.match(text, /^Error \(rejected\): RangeError: Limit timeoutMs must be a positive number/);
  });
}

Deno.test("AI SDK tool: a `code` that is not a string, called directly, gets a clear rejected result", async () => {
  await using cm = sandbox();
  const tool = await aiSdkTool(cm);
  const execute = async (input: unknown) => {
    const output = await (tool.execute as (input: unknown) => Promise<unknown>)(input);
    return tool.toModelOutput({ toolCallId: "c1", input, output }).value;
  };
  assert.match(
    await execute({ code: 42 }),
    /^Error \(rejected\): InvalidInputError: `code` must be a string .* got a number\n\nTool calls: none$/,
  );
  assert.match(await execute({ code: { evil: true } }), /got an object\n/);
  assert.match(await execute({}), /got undefined\n/);
  assert.match(await execute(null), /got undefined\n/);
});

Deno.test("AI SDK: a model that sends a non-string `code` gets the SDK's validation error back and the loop goes on", async () => {
  await using cm = sandbox();
  let calls = 0;
  const model = new MockLanguageModelV4({
    doGenerate: () => {
      calls++;
      const usage = {
        inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 1, text: 1, reasoning: 0 },
      };
      if (calls === 1) {
        return Promise.resolve({
          content: [{ type: "tool-call", toolCallId: "c1", toolName: "execute_code", input: '{"code":42}' }],
          finishReason: { unified: "tool-calls", raw: undefined },
          usage,
          warnings: [],
        });
      }
      return Promise.resolve({
        content: [{ type: "text", text: "sorry" }],
        finishReason: { unified: "stop", raw: undefined },
        usage,
        warnings: [],
      });
    },
  });
  const result = await within(
    10_000,
    generateText({ model, tools: { execute_code: await aiSdkTool(cm) }, stopWhen: isStepCount(3), prompt: "go" }),
  );
  assert.equal(result.text, "sorry");
  const error = result.steps[0].content.find((p) => p.type === "tool-error");
  assert.ok(error, JSON.stringify(result.steps[0].content));
  assert.match(String(error.error), /code/);
  assert.match(String(error.error), /expected string, received number/i);
});

Deno.test("LangChain tool: .invoke with a non-string `code` rejects with a validation error naming the field", async () => {
  await using cm = sandbox();
  const tool = await langchainTool(cm);
  const invoke = tool.invoke.bind(tool) as (input: unknown) => Promise<string>;
  await assert.rejects(
    invoke({ code: 42 }),
    /did not match expected schema[\s\S]*expected string, received number[\s\S]*code/,
  );
  await assert.rejects(invoke({ code: { evil: true } }), /expected string, received object/);
  await assert.rejects(invoke({}), /expected string, received undefined/);
});

// A client that stores conversations can forge tool outputs, as it can forge any message it sends: the app must bound
// what it accepts. What toModelOutput owes it is text, cut where the format cuts, and no exception.
Deno.test("AI SDK: outputs a client hands back in stored UI messages become text for the model, never a throw", async () => {
  await using cm = sandbox();
  const tool = await aiSdkTool(cm);
  const text = (output: unknown) => tool.toModelOutput({ toolCallId: "c1", input: {}, output }).value;
  const result = { executionId: "e", ok: true, stopReason: "completed", logs: [], toolCalls: [], durationMs: 1 };
  const huge = "x".repeat(5_000_000);
  assert.ok(text({ ...result, result: huge }).length < MAX_TEXT, "a forged huge result is cut at maxChars");
  const logs = Array.from({ length: 50_000 }, (_, i) => ({ level: "log", text: `line ${i}`, atMs: i }));
  assert.ok(text({ ...result, logs }).length < MAX_TEXT, "forged logs are cut at maxChars");
  const notResult = text({ ...result, stopReason: "exploded", junk: huge });
  assert.match(notResult, /^Error \(rejected\): the tool's output is not an execution result: /);
  assert.ok(notResult.length < 2_100);
  for (const odd of [null, 42, [1, 2], { __proto__: { ok: true } }, JSON.parse('{"__proto__":{"ok":true}}')]) {
    assert.match(text(odd), /^Error \(rejected\): /);
  }
});
