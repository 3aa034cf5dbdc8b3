import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool } from "../mod.ts";

function weatherTools(calls: string[] = []) {
  return [
    defineTool({
      name: "weather.get",
      description: "Current weather for a city.",
      input: z.object({ city: z.string(), units: z.enum(["c", "f"]).optional() }),
      output: z.object({ city: z.string(), tempC: z.number() }),
      handler: ({ city }) => (calls.push(city), { city, tempC: 4 }),
    }),
    defineTool({
      name: "geo.lookup",
      description: "Where a place is (no output schema).",
      input: z.object({ where: z.object({ city: z.string() }) }),
      handler: ({ where }) => (calls.push(where.city), { lat: 59.9, lon: 10.7, label: where.city }),
    }),
  ];
}

Deno.test("a typo in a tool's input fails the type check: nothing runs, the diagnostic names line, column, tool and field", async () => {
  const calls: string[] = [];
  await using cm = new Codemode({ tools: weatherTools(calls) });
  const r = await cm.execute(
    `const before = 1;\nconst w = await tools.weather.get({ citty: "Oslo" });\nreturn w.tempC;`,
    {
      typecheck: true,
    },
  );
  assert.equal(r.ok, false);
  assert.equal(r.stopReason, "typecheck");
  assert.equal(r.error?.name, "TypeCheckError");
  assert.deepEqual(calls, [], "no tool ran");
  assert.deepEqual(r.toolCalls, []);
  assert.equal(r.diagnostics?.length, 1);
  const [d] = r.diagnostics!;
  assert.deepEqual({ line: d.line, column: d.column, code: d.code, tool: d.tool, field: d.field }, {
    line: 2,
    column: 37,
    code: 2561,
    tool: "weather.get",
    field: "citty",
  });
  assert.match(d.message, /'citty' does not exist .* Did you mean to write 'city'\?/);
  assert.deepEqual([r.error?.line, r.error?.column], [2, 37]);
  assert.match(
    r.error!.message,
    /^The script failed its type check \(nothing ran\):\nscript\.ts:2:37 - error TS2561: /,
  );
  assert.match(r.error!.message, /\(tools\.weather\.get, field citty\)$/);
});

Deno.test("the check finds a missing field, a wrong type, a nested field, an unknown tool and a wrong declared output", async () => {
  await using cm = new Codemode({ tools: weatherTools(), typecheck: true });
  const cases: [string, Partial<{ line: number; tool: string; field: string; code: number }>][] = [
    ["return await tools.weather.get({});", { line: 1, tool: "weather.get", field: "city", code: 2345 }],
    ["\n\nreturn await tools.weather.get({ city: 7 });", { line: 3, tool: "weather.get", field: "city", code: 2322 }],
    ["return await tools.geo.lookup({ where: { citty: 'x' } });", { tool: "geo.lookup", field: "where.citty" }],
    ["return await tools.weather.gett({ city: 'x' });", { tool: "weather.gett", code: 2551 }],
    ["const w = await tools.weather.get({ city: 'x' });\nreturn w.tempF;", { line: 2, code: 2551 }],
  ];
  for (const [code, expected] of cases) {
    const r = await cm.execute(code);
    assert.equal(r.stopReason, "typecheck", code);
    const [d] = r.diagnostics!;
    for (const [key, value] of Object.entries(expected)) {
      assert.equal(d[key as keyof typeof d], value, `${code}: ${key}`);
    }
  }
});

Deno.test("a script that type-checks runs; results without an output schema are not held against it", async () => {
  const calls: string[] = [];
  await using cm = new Codemode({ tools: weatherTools(calls), typecheck: true });
  const r = await cm.execute(`
    const w = await tools.weather.get({ city: "Oslo" });
    const g = await tools.geo.lookup({ where: { city: "Oslo" } });
    const found = await tools.$search("weather", 3);
    const types: string = await tools.$types("geo");
    let xs = [];
    xs.push(g.lat);
    try { JSON.parse("{") } catch (e) { xs.push(e.message.length > 0) }
    return { t: w.tempC, lat: g.lat, n: found.length, typed: types.includes("lookup"), xs };
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
  assert.deepEqual(r.result, { t: 4, lat: 59.9, n: 1, typed: true, xs: [59.9, true] });
  assert.deepEqual(calls, ["Oslo", "Oslo"]);
});

Deno.test("typecheck is off by default, on per instance, and each execute may say otherwise", async () => {
  await using off = new Codemode({ tools: weatherTools() });
  const bad = "return await tools.weather.get({ citty: 'x' })";
  assert.equal((await off.execute(bad)).stopReason, "error"); // ran: the host's validation refused the input
  assert.equal((await off.execute(bad, { typecheck: true })).stopReason, "typecheck");
  await using on = new Codemode({ tools: weatherTools(), typecheck: true });
  assert.equal((await on.execute(bad)).stopReason, "typecheck");
  assert.equal((await on.execute(bad, { typecheck: false })).stopReason, "error");
});

Deno.test("a syntax error is a typecheck diagnostic at the user's line", async () => {
  await using cm = new Codemode({ tools: weatherTools(), typecheck: true });
  const r = await cm.execute("const a = 1;\nconst b = ;\nreturn a;");
  assert.equal(r.stopReason, "typecheck");
  assert.equal(r.diagnostics?.[0].line, 2);
  assert.equal(r.diagnostics?.[0].code, 1109);
});

Deno.test("many errors are capped at 20 and counted", async () => {
  await using cm = new Codemode({ tools: weatherTools(), typecheck: true });
  const code = Array.from({ length: 30 }, (_, i) => `undefinedName${i};`).join("\n");
  const r = await cm.execute(code);
  assert.equal(r.diagnostics?.length, 20);
  assert.match(r.error!.message, /… and 10 more$/);
});
