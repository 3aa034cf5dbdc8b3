// A failed tool call names where the script made it: in the ToolError's
// message, line, column and stack, in the result's error, and in the trace.
import assert from "node:assert/strict";
import { Codemode } from "../mod.ts";
import { fixtureTools } from "./_helpers.ts";

/** The trace as [tool, ok, line, column]. */
function sites(r: { toolCalls: { tool: string; ok: boolean; line?: number; column?: number }[] }) {
  return r.toolCalls.map((c) => [c.tool, c.ok, c.line, c.column]);
}

Deno.test("of two calls to one tool, the failed one is named by its line in the error and the trace", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute([
    `const cities: any[] = ["Oslo", 42];`,
    `const first = await tools.weather.get({ city: cities[0] });`,
    `try {`,
    `  await tools.weather.get({ city: cities[1] });`,
    `} catch (e) {`,
    `  return { message: e.message, line: e.line, column: e.column, stack: e.stack, tool: e.tool };`,
    `}`,
  ].join("\n"));
  assert.equal(r.ok, true, JSON.stringify(r.error));
  const error = r.result as Record<string, string | number>;
  assert.match(String(error.message), /^Invalid input for tools\.weather\.get: city: .* \(script\.ts:4:23\)$/);
  assert.equal(error.line, 4);
  assert.equal(error.column, 23);
  assert.equal(error.tool, "weather.get");
  assert.match(String(error.stack), /^ToolError: Invalid input for tools\.weather\.get: .*\n {4}at .*script\.ts:4:23/);
  assert.doesNotMatch(String(error.stack), /prelude|data:/);
  assert.deepEqual(sites(r), [["weather.get", true, undefined, undefined], ["weather.get", false, 4, 23]]);
  assert.doesNotMatch(r.toolCalls[1].error ?? "", /script\.ts/, "the trace keeps the tool's own message");
});

Deno.test("an uncaught tool error ends the execution with the call's line and column", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`const ok = await tools.weather.get({ city: "Lima" });\n\nawait tools.fail.always({});`);
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.name, "ToolError");
  assert.equal(r.error?.message, "tools.fail.always failed: database is down (script.ts:3:18)");
  assert.equal(r.error?.line, 3);
  assert.equal(r.error?.column, 18);
  assert.match(r.error?.stack ?? "", /\n {4}at .*script\.ts:3:18/);
  assert.deepEqual(sites(r)[1], ["fail.always", false, 3, 18]);
});

Deno.test("a call made in the script's own helper is located at the helper's line, with its caller in the stack", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute([
    `const get = (city: any) => tools.weather.get({ city });`,
    `await get("Oslo");`,
    `await get(7);`,
  ].join("\n"));
  assert.equal(r.error?.line, 1);
  assert.match(r.error?.stack ?? "", /script\.ts:1:\d+\)?\n {4}at .*script\.ts:3:7/);
});

Deno.test("a script that replaces Error.prepareStackTrace and Error.captureStackTrace still gets its tool results", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`
    (Error as any).prepareStackTrace = () => 42;
    (Error as any).captureStackTrace = null;
    const w = await tools.weather.get({ city: "Oslo" });
    let failed;
    try { await tools.weather.get({ city: 1 as any }); } catch (e) { failed = [e.name, e.line]; }
    return { w, failed, own: new Error("x").stack };
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.deepEqual(r.result, { w: { city: "Oslo", tempC: 20 }, failed: ["ToolError", 6], own: 42 });
  assert.deepEqual(sites(r), [["weather.get", true, undefined, undefined], ["weather.get", false, 6, 31]]);
});

Deno.test("a script without stack frames still gets tool errors, without a location", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`
    Error.stackTraceLimit = 0;
    try { await tools.fail.always({}); } catch (e) { return [e.message, e.line]; }
  `);
  assert.deepEqual(r.result, ["tools.fail.always failed: database is down", null]);
  assert.deepEqual(sites(r), [["fail.always", false, undefined, undefined]]);
});
