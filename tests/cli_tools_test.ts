// `--tools` loads tools exactly as codemode.yaml's `tools:` does: files, directories,
// named exports, AI SDK and LangChain tools, with the same error messages.
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../cli.ts";
import { recordingIo } from "./_helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MOD = JSON.stringify(new URL("../mod.ts", import.meta.url).href);

/** A module exporting `defineTool` tools; `exports` is its text after the import. */
function defineToolModule(exports: string): string {
  return `import { defineTool } from ${MOD};\nimport { z } from "zod";\n${exports}\n`;
}

/** A tool text: `name` returns `value` for any input. */
function tool(name: string, value: unknown): string {
  return `defineTool({ name: ${JSON.stringify(name)}, input: z.object({}), handler: () => (${
    JSON.stringify(value)
  }) })`;
}

/** Runs `fn` with a fresh temporary directory (symlinks resolved), removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "codemode-cli-tools-test-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `codemode run - --json` in-process with `args`, expecting exit 0; returns the result. */
async function runJson(dir: string, script: string, args: string[]): Promise<unknown> {
  const t = recordingIo(dir, script);
  assert.equal(await main(["run", "-", ...args, "--json"], t.io), 0, t.err());
  return JSON.parse(t.out()).result;
}

Deno.test("cli run --tools with a directory loads every tool module in it, skipping _helpers (real CLI)", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "tools"));
    await Deno.writeTextFile(
      join(dir, "tools/weather.ts"),
      defineToolModule(`export default [${tool("weather.get", 21)}];`),
    );
    await Deno.writeTextFile(
      join(dir, "tools/fx.ts"),
      defineToolModule(`export const rate = ${tool("fx.rate", 1.1)};`),
    );
    await Deno.writeTextFile(join(dir, "tools/_helper.ts"), `throw new Error("a helper must not be imported");\n`);
    await Deno.writeTextFile(join(dir, "tools/notes.md"), "not a module\n");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli.ts", "run", "-", "--tools", `${dir}/tools/`, "--json"],
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdin = child.stdin.getWriter();
    await stdin.write(new TextEncoder().encode(`return [await tools.weather.get({}), await tools.fx.rate({})]`));
    await stdin.close();
    const output = await child.output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(output.stdout));
    assert.deepEqual(result.result, [21, 1.1]);
    assert.deepEqual(result.toolCalls.map((c: { tool: string }) => c.tool), ["weather.get", "fx.rate"]);
  });
});

Deno.test("cli --tools takes a module's named exports, alone and in objects, like codemode.yaml", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      join(dir, "named.ts"),
      defineToolModule(`export const one = ${tool("a.one", 1)};\nexport const more = { two: ${tool("a.two", 2)} };`),
    );
    await Deno.writeTextFile(join(dir, "codemode.yaml"), "tools:\n  - ./named.ts\n");
    const script = `return [await tools.a.one({}), await tools.a.two({})]`;
    assert.deepEqual(await runJson(dir, script, ["--tools", "named.ts"]), [1, 2]);
    assert.deepEqual(await runJson(dir, script, ["--config", "codemode.yaml"]), [1, 2]);
    // The same module named by both is one set of tools, not a clash.
    assert.deepEqual(await runJson(dir, script, ["--config", "codemode.yaml", "--tools", "named.ts"]), [1, 2]);
  });
});

Deno.test("cli --tools converts an AI SDK tool module, keeping its schema", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      join(dir, "ai_tools.ts"),
      `import { tool } from "ai";\nimport { z } from "zod";\n` +
        `export const getWeather = tool({\n  description: "Current weather for a city.",\n` +
        `  inputSchema: z.object({ city: z.string() }),\n` +
        `  execute: ({ city }) => Promise.resolve({ city, tempC: city.length }),\n});\n`,
    );
    const result = await runJson(dir, `return await tools.getWeather({ city: "Oslo" })`, ["--tools", "ai_tools.ts"]);
    assert.deepEqual(result, { city: "Oslo", tempC: 4 });
    const types = recordingIo(dir);
    assert.equal(await main(["types", "--tools", "ai_tools.ts"], types.io), 0, types.err());
    assert.match(types.out(), /Current weather for a city\./);
    assert.match(types.out(), /getWeather\(input: \{\s*city: string;?\s*\}/);
  });
});

Deno.test("cli --tools converts a LangChain tool module", async () => {
  const result = await runJson(ROOT, `return await tools.greet({ name: "Ada" })`, [
    "--tools",
    "tests/config/fixtures/langchain_tools.ts",
  ]);
  assert.equal(result, "Hello, Ada!");
});

Deno.test("a tool module that throws at import is reported with its path and line by --tools and by codemode.yaml", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      join(dir, "broken.ts"),
      defineToolModule(`const key = undefined;\nif (!key) throw new Error("WEATHER_KEY is not set");`),
    );
    await Deno.writeTextFile(join(dir, "codemode.yaml"), "tools:\n  - ./broken.ts\n");
    const expected = `cannot import tool module ${join(dir, "broken.ts")}:4:17: WEATHER_KEY is not set\n`;
    for (const flags of [["--tools", "broken.ts"], ["--config", "codemode.yaml"], []]) {
      const t = recordingIo(dir, "return 1");
      assert.equal(await main(["run", "-", ...flags], t.io), 2, flags.join(" "));
      assert.ok(t.err().startsWith(`codemode run: ${expected}`), `${flags.join(" ")}: ${t.err()}`);
    }
    const types = recordingIo(dir);
    assert.equal(await main(["types", "--tools", dir], types.io), 2);
    assert.ok(types.err().startsWith(`codemode types: ${expected}`), types.err());
  });
});
