// Validation is host work on the sandbox's input: nothing a script sends may
// hold the host's event loop (a lag probe measures it while a real execution
// runs), and a failed validation's message stays short.
// Stopped by: linear-time validation: RE2 (`re2js`) for patterns, a hash set for `uniqueItems`, error messages of at
// most 10 issues in 2,000 characters.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool, type ExecutionResult } from "../../mod.ts";

// The classic e-mail pattern: V8 backtracks exponentially on a long near-miss.
const EVIL =
  "^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$";
// 57 characters; with backtracking this held the host ~2 s, ×4 per 4 more characters.
const EVIL_INPUT = "aaa_".repeat(14) + "!";
const PROBE_MS = 10;
const MAX_GAP_MS = 1000; // generous for a busy 2-core machine; without the fix the gap is 3.5 to 15 s
const MAX_DURATION_MS = 10_000;

/** Runs `work` while a 10 ms interval measures the longest the event loop was held. */
async function withLagProbe<T>(work: () => Promise<T>): Promise<{ value: T; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, PROBE_MS);
  try {
    const value = await work();
    return { value, maxGapMs: Math.max(maxGapMs, performance.now() - last) };
  } finally {
    clearInterval(probe);
  }
}

/** Executes `code` with a 1 s timeout under the probe; the loop stays free and the run ends on time. */
async function probeExecution(cm: Codemode, code: string): Promise<ExecutionResult> {
  assert.equal((await cm.execute("return 1")).result, 1); // warm up: spawn cost is not what we measure
  const started = performance.now();
  const { value: r, maxGapMs } = await withLagProbe(() => cm.execute(code, { limits: { timeoutMs: 1000 } }));
  const elapsed = performance.now() - started;
  assert.ok(maxGapMs < MAX_GAP_MS, `the host's event loop was held ${maxGapMs.toFixed(0)} ms`);
  assert.ok(elapsed < MAX_DURATION_MS, `the execution took ${elapsed.toFixed(0)} ms with a 1000 ms timeout`);
  assert.ok(["completed", "timeout"].includes(r.stopReason), JSON.stringify(r).slice(0, 500));
  assert.equal(r.toolCalls.length, 1, "the tool call reached the host");
  return r;
}

function jsonTool(name: string, input: Record<string, unknown>) {
  return defineTool({ name, input, handler: (value: Record<string, unknown>) => Object.keys(value).length });
}

Deno.test("uniqueItems on 80,000 numbers does not hold the host's event loop", async () => {
  const tool = defineTool({
    name: "bag.put",
    input: { type: "object", properties: { xs: { type: "array", uniqueItems: true } }, required: ["xs"] },
    handler: ({ xs }: { xs: unknown[] }) => xs.length,
  });
  // Over the default maxToolInputValues, so that the validator itself is what is measured.
  await using cm = new Codemode({ tools: [tool], limits: { maxToolInputValues: 200_000 } });
  const r = await probeExecution(cm, "return await tools.bag.put({ xs: Array.from({ length: 80000 }, (_, i) => i) });");
  if (r.stopReason === "completed") assert.equal(r.result, 80000);
});

Deno.test("a backtracking JSON Schema pattern does not hold the host's event loop", async () => {
  const tool = jsonTool("mail.send", { type: "object", properties: { to: { type: "string", pattern: EVIL } } });
  await using cm = new Codemode({ tools: [tool] });
  const r = await probeExecution(
    cm,
    `try { return await tools.mail.send({ to: ${JSON.stringify(EVIL_INPUT)} }); } catch (e) { return e.message; }`,
  );
  if (r.stopReason === "completed") {
    assert.match(String(r.result), /^Invalid input for tools\.mail\.send: to: must match pattern/);
  }
});

Deno.test("a backtracking zod .regex() does not hold the host's event loop", async () => {
  const tool = defineTool({
    name: "mail.send",
    input: z.object({ to: z.string().regex(new RegExp(EVIL)) }),
    handler: () => "sent",
  });
  await using cm = new Codemode({ tools: [tool] });
  const r = await probeExecution(
    cm,
    `try { return await tools.mail.send({ to: ${JSON.stringify(EVIL_INPUT)} }); } catch (e) { return e.message; }`,
  );
  if (r.stopReason === "completed") assert.match(String(r.result), /^Invalid input for tools\.mail\.send: to: /);
});

Deno.test("uniqueItems rejects equal objects whatever their key order, and 1 and 1.0", () => {
  const tool = jsonTool("set.add", { type: "object", properties: { xs: { type: "array", uniqueItems: true } } });
  const bad = tool.validateInput({ xs: [{ a: 1, b: [1, { c: 2, d: 3 }] }, "x", { b: [1.0, { d: 3, c: 2 }], a: 1 }] });
  assert.deepEqual(bad, { ok: false, issues: ["xs: must NOT have duplicate items (items ## 0 and 2 are identical)"] });
  assert.equal(tool.validateInput({ xs: [2, 5, 2.0] }).ok, false);
  const distinct = [{ a: 1 }, { a: "1" }, { a: 1, b: null }, [1], [[1]], 1, "1", true, null, {}, []];
  assert.deepEqual(tool.validateInput({ xs: distinct }), { ok: true, value: { xs: distinct } });
});

Deno.test("JSON Schema patterns and zod regexes still match as JavaScript does", () => {
  const json = jsonTool("p.json", {
    type: "object",
    properties: { to: { type: "string", pattern: EVIL }, word: { type: "string", pattern: "^\\S+$" } },
    patternProperties: { "^x-[a-z]+$": { type: "number" } },
  });
  assert.equal(json.validateInput({ to: "john.doe@example.com", word: "abc", "x-a": 1 }).ok, true);
  assert.equal(json.validateInput({ to: EVIL_INPUT }).ok, false);
  assert.equal(json.validateInput({ word: "a\u00a0b" }).ok, false, "\\S excludes JavaScript's whitespace");
  assert.equal(json.validateInput({ "x-a": "1" }).ok, false);
  const zod = defineTool({
    name: "p.zod",
    input: z.object({ to: z.string().regex(new RegExp(EVIL)), id: z.uuid().optional(), host: z.hostname().optional() }),
    handler: () => null,
  });
  assert.equal(zod.validateInput({ to: "john.doe@example.com", id: crypto.randomUUID(), host: "a.example" }).ok, true);
  assert.equal(zod.validateInput({ to: EVIL_INPUT }).ok, false);
  assert.equal(zod.validateInput({ to: "a@b.co", id: "not-a-uuid" }).ok, false);
  assert.equal(zod.validateInput({ to: "a@b.co", host: "-bad-.example" }).ok, false);
});

Deno.test("a JSON Schema pattern RE2 cannot run loads, is not checked on the host, and is reported", () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  let tool;
  try {
    tool = jsonTool("pw.set", {
      type: "object",
      properties: { pw: { type: "string", pattern: "^(?=.*\\d)\\w{8,}$" } },
    });
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, [
    '[codemode] tool "pw.set" input: the pattern "^(?=.*\\\\d)\\\\w{8,}$" is not checked on the host ' +
    "(RE2 cannot run a lookahead); the tool itself must check it",
  ]);
  assert.equal(tool.validateInput({ pw: "short" }).ok, true);
  assert.equal(tool.validateInput({ pw: 7 }).ok, false, "the rest of the schema is still checked");
});

Deno.test("a zod regex RE2 cannot run fails at defineTool, naming the tool and the pattern", () => {
  assert.throws(
    () => defineTool({ name: "pw.set", input: z.object({ pw: z.string().regex(/^(\w)\1$/) }), handler: () => null }),
    /tool "pw\.set" input: the pattern \/\^\(\\w\)\\1\$\/ cannot be checked in linear time \(RE2 cannot run a backreference\)/,
  );
});

Deno.test("an invalid-input error for 100,000 bad items is short and names the tool and the first path", async () => {
  const json = jsonTool("list.put", {
    type: "object",
    properties: { xs: { type: "array", items: { type: "string" } } },
  });
  const zod = defineTool({ name: "list.put", input: z.object({ xs: z.array(z.string()) }), handler: () => null });
  const limits = { maxToolInputValues: 200_000 };
  await using cm = new Codemode({ tools: [json], limits });
  await using cz = new Codemode({ tools: [zod], limits });
  const code = "try { await tools.list.put({ xs: Array(100000).fill(1) }); } catch (e) { return e.message; }";
  for (const r of [await cm.execute(code), await cz.execute(code)]) {
    assert.equal(r.stopReason, "completed", JSON.stringify(r).slice(0, 500));
    const message = String(r.result);
    assert.ok(message.length <= 2000, `the message is ${message.length} characters`);
    assert.match(message, /^Invalid input for tools\.list\.put: xs\.0: /);
    assert.match(message, /… and 99990 more \(script\.ts:1:\d+\)$/);
  }
});
