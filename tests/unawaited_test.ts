import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool } from "../mod.ts";

const add = defineTool({
  name: "math.add",
  description: "Adds two numbers.",
  input: z.object({ a: z.number(), b: z.number() }),
  handler: ({ a, b }) => a + b,
});

function warnings(r: { logs: { level: string; text: string }[] }): string[] {
  return r.logs.filter((l) => l.level === "warn").map((l) => l.text);
}

Deno.test("a tool call never awaited before the script returns is a warning naming its line and column", async () => {
  await using cm = new Codemode({ tools: [add] });
  const r = await cm.execute(`const total = 1;\n  tools.math.add({ a: 1, b: 2 });\nreturn total;`);
  assert.equal(r.stopReason, "completed");
  assert.equal(r.result, 1);
  assert.deepEqual(warnings(r), [
    "tools.math.add() at script.ts:2:14 was never awaited: the script returned before using its result",
  ]);
});

Deno.test("calls awaited, returned, chained or gathered by Promise.all/allSettled/race give no warning", async () => {
  await using cm = new Codemode({ tools: [add] });
  for (
    const code of [
      "return await tools.math.add({ a: 1, b: 2 })",
      "return tools.math.add({ a: 1, b: 2 })",
      "return tools.math.add({ a: 1, b: 2 }).then((x) => x * 2)",
      "const p = tools.math.add({ a: 1, b: 2 }); p.catch(() => 0); return await p",
      "return await Promise.all([tools.math.add({ a: 1, b: 2 }), tools.math.add({ a: 3, b: 4 })])",
      "return (await Promise.allSettled([tools.math.add({ a: 1, b: 2 })])).length",
      "return await Promise.race([tools.math.add({ a: 1, b: 2 })])",
      "try { return await tools.math.add({ a: 'x' }) } catch { return 'caught' }",
    ]
  ) {
    const r = await cm.execute(code);
    assert.equal(r.stopReason, "completed", `${code}: ${JSON.stringify(r.error)}`);
    assert.deepEqual(warnings(r), [], code);
  }
});

Deno.test("a loop's un-awaited calls make one warning with their count; the places read are bounded", async () => {
  await using cm = new Codemode({ tools: [add] });
  const one = await cm.execute("for (let i = 0; i < 15; i++) tools.math.add({ a: i, b: 1 });\nreturn 0");
  assert.deepEqual(warnings(one), [
    "tools.math.add() at script.ts:1:41 was never awaited (15 calls): the script returned before using its result",
  ]);
  // Twelve places: ten are named, the other two are counted.
  const code = Array.from({ length: 12 }, (_, i) => `tools.math.add({ a: ${i}, b: 1 });`).join("\n") + "\nreturn 0";
  const many = warnings(await cm.execute(code));
  assert.equal(many.length, 11);
  assert.match(many[9], /^tools\.math\.add\(\) at script\.ts:10:12 was never awaited:/);
  assert.equal(many[10], "… and 2 more tool calls that were never awaited");
});

Deno.test("a script that throws still hears about the calls it never awaited", async () => {
  await using cm = new Codemode({ tools: [add] });
  const r = await cm.execute("tools.math.add({ a: 1, b: 2 });\nthrow new Error('boom')");
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.message, "boom");
  assert.equal(warnings(r).length, 1);
});

Deno.test("a script that patches Promise.prototype.then or console cannot break tool calls or hide the warning", async () => {
  await using cm = new Codemode({ tools: [add] });
  const r = await cm.execute(`
    Promise.prototype.then = function () { throw new Error("patched"); };
    console.warn = () => {};
    tools.math.add({ a: 1, b: 2 });
    return "done";
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
  assert.equal(warnings(r).length, 1);
  const awaited = await cm.execute(`
    const then = Promise.prototype.then;
    Object.getPrototypeOf(tools.math.add({ a: 0, b: 0 })).then = function (f, g) { return then.call(this, f, g); };
    return await tools.math.add({ a: 1, b: 2 });
  `);
  assert.equal(awaited.result, 3);
});
