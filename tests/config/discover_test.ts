import assert from "node:assert/strict";
import { join } from "node:path";
import { discoverTools, listToolModules, ToolDiscoveryError } from "../../src/config/mod.ts";
import { tempDir } from "./_helpers.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const DEFINE = JSON.stringify(new URL("../../src/tools/define.ts", import.meta.url).href);

/** Module text exporting one JSON Schema tool made with defineTool. */
function toolModule(name: string, exportName = "default"): string {
  const value = `defineTool({ name: ${JSON.stringify(name)}, input: { type: "object" }, handler: () => ${
    JSON.stringify(name)
  } })`;
  const decl = exportName === "default" ? `export default [${value}];` : `export const ${exportName} = ${value};`;
  return `import { defineTool } from ${DEFINE};\n${decl}\n`;
}

async function discoveryError(promise: Promise<unknown>): Promise<ToolDiscoveryError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ToolDiscoveryError, `expected ToolDiscoveryError, got ${e}`);
    return e;
  }
  assert.fail("expected a ToolDiscoveryError");
}

Deno.test("defineTool exports are taken as they are, and a tool exported twice counts once", async () => {
  const file = join(FIXTURES, "define_tools.ts");
  const found = await discoverTools([file]);
  assert.deepEqual(found.map((t) => [t.tool.name, t.source]), [
    ["weather.get", `${file}#default[0]`],
    ["weather.forecast", `${file}#default[1]`],
  ]);
  const mod = await import(join(FIXTURES, "define_tools.ts"));
  assert.equal(found[0].tool, mod.getWeather);
});

Deno.test("arrays and objects of tools are scanned element by element", async () => {
  const dir = await tempDir();
  try {
    const file = join(dir, "mixed.ts");
    await Deno.writeTextFile(
      file,
      `import { defineTool } from ${DEFINE};
      const t = (name: string) => defineTool({ name, input: { type: "object" }, handler: () => name });
      export const list = [t("a.one"), "not a tool", t("a.two")];
      export const byName = { three: t("a.three"), other: 42 };
      export const single = t("a.four");`,
    );
    const found = await discoverTools([file]);
    assert.deepEqual(found.map((t) => [t.tool.name, t.source.slice(dir.length + 1)]), [
      ["a.three", "mixed.ts#byName.three"],
      ["a.one", "mixed.ts#list[0]"],
      ["a.two", "mixed.ts#list[2]"],
      ["a.four", "mixed.ts#single"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a directory contributes every module directly in it, sorted, without helpers, tests or subdirectories", async () => {
  const dir = await tempDir();
  try {
    const poison = `throw new Error("this module must not be imported");\n`;
    await Deno.writeTextFile(join(dir, "b.ts"), toolModule("b.tool"));
    await Deno.writeTextFile(join(dir, "a.js"), toolModule("a.tool", "aTool").replace(": string", ""));
    await Deno.writeTextFile(join(dir, "c.mts"), toolModule("c.tool"));
    for (const name of ["_helper.ts", "b_test.ts", "b.test.ts", "types.d.ts", "notes.md", "data.json", "x.tsx"]) {
      await Deno.writeTextFile(join(dir, name), poison);
    }
    await Deno.mkdir(join(dir, "nested.ts"));
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(join(dir, "sub/d.ts"), poison);
    assert.deepEqual(await listToolModules(dir), ["a.js", "b.ts", "c.mts"].map((f) => join(dir, f)));
    const found = await discoverTools([dir]);
    assert.deepEqual(found.map((t) => t.tool.name), ["a.tool", "b.tool", "c.tool"]);
    assert.equal(found[0].source, `${join(dir, "a.js")}#aTool`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two tools with the same name are an error naming both sources", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(join(dir, "one.ts"), toolModule("weather.get", "first"));
    await Deno.writeTextFile(join(dir, "two.ts"), toolModule("weather.get", "second"));
    const e = await discoveryError(discoverTools([dir]));
    assert.deepEqual(e.problems, [
      `tool name "weather.get" is used twice: by ${join(dir, "one.ts")}#first and by ${join(dir, "two.ts")}#second`,
    ]);
    assert.equal(e.message, e.problems[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("names that clash only after being made safe are an error too", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(join(dir, "one.ts"), toolModule("gh.list-issues"));
    await Deno.writeTextFile(join(dir, "two.ts"), toolModule("gh.list_issues"));
    await Deno.writeTextFile(join(dir, "three.ts"), toolModule("gh"));
    const e = await discoveryError(discoverTools([dir]));
    assert.equal(e.problems.length, 2);
    assert.match(
      e.problems[0],
      /tool "gh" \(.*three\.ts#default\[0\]\) and tool "gh\.list_issues" \(.*one\.ts#default\[0\]\)/,
    );
    assert.match(
      e.problems[1],
      /"gh\.list_issues" is used twice: by .*one\.ts#default\[0\] and by .*two\.ts#default\[0\]/,
    );
    assert.match(e.message, /^2 problems:\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a module that fails to import is an error naming the file and the line", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(join(dir, "broken.ts"), `const x = 1;\nthrow new Error("boom at import " + x);\n`);
    await Deno.writeTextFile(join(dir, "syntax.ts"), `export const = ;\n`);
    await Deno.writeTextFile(join(dir, "missing_import.ts"), `import "./gone.ts";\nexport const t = 1;\n`);
    const e = await discoveryError(
      discoverTools([join(dir, "broken.ts"), join(dir, "syntax.ts"), join(dir, "missing_import.ts")]),
    );
    assert.deepEqual(e.problems.slice(0, 2), [
      `cannot import tool module ${join(dir, "broken.ts")}:2:7: boom at import 1`,
      `cannot import tool module ${join(dir, "syntax.ts")}:1:14: SyntaxError: Unexpected token \`=\`. ` +
      `Expected yield, an identifier, [ or {`,
    ]);
    assert.equal(
      e.problems[2],
      `cannot import tool module ${join(dir, "missing_import.ts")}:1:8: Module not found "${join(dir, "gone.ts")}".`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a module whose dependency throws at import is an error naming the module and where the dependency threw", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "weather.ts"),
      toolModule("weather.get").replace("\n", `\nimport "./_setup.ts";\n`),
    );
    await Deno.writeTextFile(join(dir, "_setup.ts"), `\n\nthrow new TypeError("WEATHER_KEY is not set");\n`);
    const e = await discoveryError(discoverTools([dir]));
    assert.deepEqual(e.problems, [
      `cannot import tool module ${join(dir, "weather.ts")}: WEATHER_KEY is not set (at ${join(dir, "_setup.ts")}:3:7)`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing path and a module without tools are errors naming the file", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(join(dir, "util.ts"), `export const x = 1;\n`);
    const e = await discoveryError(discoverTools([join(dir, "nope.ts"), join(dir, "util.ts"), dir]));
    const noTools = `tool module ${join(dir, "util.ts")} exports no tools: ` +
      `export tools made with defineTool, AI SDK tools or LangChain tools, by name, in an array or in an object`;
    assert.deepEqual(e.problems, [
      `tool path ${join(dir, "nope.ts")}: no such file or directory`,
      noTools,
      // In a directory, a helper is skipped by its name.
      `${noTools}; a helper module in a tool directory is skipped when named "_util.ts"`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tools with bad names are errors naming their source", async () => {
  const dir = await tempDir();
  try {
    const file = join(dir, "bad.ts");
    await Deno.writeTextFile(
      file,
      `export const tools = { "a..b": { description: "x", inputSchema: { jsonSchema: {}, validate: () => 0 }, execute: () => 1 } };`,
    );
    const e = await discoveryError(discoverTools([file]));
    assert.deepEqual(e.problems, [`${file}#tools.a..b: Tool name "a..b" has an empty segment`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
