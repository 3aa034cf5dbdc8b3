import assert from "node:assert/strict";
import { main } from "../cli.ts";
import { Codemode } from "../mod.ts";
import { recordingIo } from "./_helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;

const io = (stdin = "") => recordingIo(ROOT, stdin);

async function cli(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: ROOT,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const o = await child.output();
  return {
    code: o.code,
    stdout: new TextDecoder().decode(o.stdout),
    stderr: new TextDecoder().decode(o.stderr),
  };
}

Deno.test("cli run --json prints exactly one ExecutionResult and exits 0", async () => {
  const r = await cli([
    "run",
    "examples/demo/script.ts",
    "--tools",
    "examples/demo/tools.ts",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const result = JSON.parse(lines[0]);
  assert.equal(result.stopReason, "completed");
  assert.deepEqual(result.result.warmCities, ["Lima", "Pune"]);
  assert.equal(result.toolCalls.length, 8);
});

Deno.test("cli run reads the script from stdin with -", async () => {
  const r = await cli(
    ["run", "-", "--json"],
    "console.log('hey'); return 6 * 7",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).result, 42);
});

Deno.test("cli run exits 1 when the script fails or hits a limit", async () => {
  const t = io("while (true) {}");
  assert.equal(await main(["run", "-", "--timeout", "300", "--json"], t.io), 1);
  assert.equal(JSON.parse(t.out()).stopReason, "timeout");
  const m = io("const a = []; while (true) a.push(new Array(1e5).fill(1));");
  assert.equal(await main(["run", "-", "--memory", "32"], m.io), 1);
  assert.match(m.err(), /^memory: MemoryLimitError/m);
});

Deno.test("cli run --typecheck refuses a script that fails its check: exit 1, the diagnostic on stderr, nothing ran", async () => {
  const script = `const w = await tools.weather.get({ citty: "Oslo" });\nreturn w;`;
  const t = io(script);
  assert.equal(await main(["run", "-", "--tools", "examples/demo/tools.ts", "--typecheck"], t.io), 1);
  assert.match(t.err(), /typecheck: TypeCheckError: The script failed its type check \(nothing ran\)/);
  assert.match(t.err(), /script\.ts:1:37 - error TS2561: .*\(tools\.weather\.get, field citty\)/);
  const j = io(script);
  assert.equal(await main(["run", "-", "--tools", "examples/demo/tools.ts", "--typecheck", "--json"], j.io), 1);
  const result = JSON.parse(j.out());
  assert.equal(result.stopReason, "typecheck");
  assert.deepEqual(result.toolCalls, []);
  assert.equal(result.diagnostics[0].field, "citty");
});

Deno.test("cli run prints logs, tool calls and errors readably without --json", async () => {
  const t = io("console.warn('careful'); throw new Error('nope')");
  assert.equal(await main(["run", "-"], t.io), 1);
  assert.match(t.err(), /\[warn\] careful/);
  assert.match(t.err(), /error: Error: nope \(script\.ts:1:/);
});

Deno.test("cli usage errors exit 2 with a clear message", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["run"], /exactly one script/],
    [["run", "a.ts", "--bogus"], /Unknown option '--bogus'/],
    [["run", "missing.ts"], /Cannot read script missing\.ts/],
    [
      ["run", "-", "--timeout", "soon"],
      /--timeout must be an integer from 1, got "soon"/,
    ],
    [["run", "-", "--tools", "nope.ts"], /tool path .*nope\.ts: no such file or directory/],
    [
      ["run", "-", "--tools", "tests/fixtures/not_tools.ts"],
      /tool module .*not_tools\.ts exports no tools: export tools made with defineTool, AI SDK tools or LangChain/,
    ],
    [["frobnicate"], /Unknown command "frobnicate"/],
    [[], /Usage: codemode/],
  ];
  for (const [args, message] of cases) {
    const t = io("return 1");
    assert.equal(await main(args, t.io), 2, args.join(" "));
    assert.match(t.err(), message, args.join(" "));
  }
});

Deno.test("cli --help, --version and run --help work", async () => {
  const h = await cli(["--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Commands:\n(\s+\w.*\n)*\s+run </);
  const v = await cli(["--version"]);
  assert.match(v.stdout, /^codemode \d+\.\d+\.\d+\n$/);
  const rh = io();
  assert.equal(await main(["run", "--help"], rh.io), 0);
  assert.match(rh.out(), /--tools <path>/);
});

Deno.test("cli types prints the declarations of the tool modules", async () => {
  const t = io();
  assert.equal(
    await main(["types", "--tools", "examples/demo/tools.ts"], t.io),
    0,
  );
  assert.match(t.out(), /declare const tools/);
  assert.match(t.out(), /convert\(input: \{/);
});

Deno.test("cli types with no tools prints only the discovery declarations, exits 0 and says on stderr where it looked", async () => {
  const empty = (await new Codemode().types()) + "\n";
  const dir = await Deno.makeTempDir({ prefix: "codemode-cli-test-" });
  try {
    const t = recordingIo(dir);
    assert.equal(await main(["types"], t.io), 0, t.err());
    assert.equal(t.out(), empty);
    assert.equal(
      t.err(),
      `codemode types: no tools are loaded (use --tools or --config): ` +
        `no --tools or --config was given, and there is no codemode.yaml in ${dir}\n`,
    );
    await Deno.writeTextFile(`${dir}/codemode.yaml`, "tools: []\n");
    const c = recordingIo(dir);
    assert.equal(await main(["types"], c.io), 0, c.err());
    assert.equal(c.out(), empty);
    assert.match(c.err(), new RegExp(`no tools are loaded .*: none found in ${dir}/codemode\\.yaml\\n$`));
    const loaded = io();
    assert.equal(await main(["types", "--tools", "examples/demo/tools.ts"], loaded.io), 0);
    assert.equal(loaded.err(), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli run notes that no tools are loaded when a script calls one, on stderr only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codemode-cli-test-" });
  try {
    const t = recordingIo(dir, `return await tools.weather.get({ city: "Oslo" })`);
    assert.equal(await main(["run", "-"], t.io), 1);
    assert.match(t.err(), /tools\.weather\.get is not a tool: no tools are loaded\./);
    assert.match(t.err(), /\ncodemode run: no tools are loaded \(use --tools or --config\): no --tools or --config/);
    assert.equal(t.out(), "");
    // Caught and logged by the script: still noted.
    const logged = recordingIo(dir, `try { await tools.x.y({}) } catch (e) { console.log(String(e)) } return 1`);
    assert.equal(await main(["run", "-"], logged.io), 0);
    assert.match(logged.err(), /no tools are loaded/);
    // No tool called, or tools loaded: no note.
    const plain = recordingIo(dir, "return 1");
    assert.equal(await main(["run", "-"], plain.io), 0);
    assert.doesNotMatch(plain.err(), /no tools/);
    const typo = io(`return await tools.weather.gett({ city: "Oslo" })`);
    assert.equal(await main(["run", "-", "--tools", "examples/demo/tools.ts"], typo.io), 1);
    assert.doesNotMatch(typo.err(), /no tools/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: two tool modules defining the same tool is a usage error naming both modules", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codemode-cli-test-" });
  const define = JSON.stringify(new URL("../mod.ts", import.meta.url).href);
  const tool = `defineTool({ name: "weather.get", input: { type: "object" }, handler: () => 1 })`;
  try {
    await Deno.writeTextFile(`${dir}/one.ts`, `import { defineTool } from ${define};\nexport default [${tool}];\n`);
    await Deno.writeTextFile(`${dir}/two.ts`, `import { defineTool } from ${define};\nexport const w = ${tool};\n`);
    await Deno.writeTextFile(`${dir}/three.ts`, `import { defineTool } from ${define};\nexport default [${tool}];\n`);
    await Deno.writeTextFile(`${dir}/codemode.yaml`, "tools:\n  - ./two.ts\n");
    const flags = [["--tools", "one.ts", "--tools", "three.ts"], ["--config", "codemode.yaml", "--tools", "one.ts"]];
    const [fromTools, fromBoth] = await Promise.all(flags.map(async (f) => {
      const t = recordingIo(dir, "return 1");
      assert.equal(await main(["run", "-", ...f], t.io), 2);
      return t.err();
    }));
    assert.match(
      fromTools,
      new RegExp(
        `^codemode run: tool name "weather\\.get" is used twice: by ${dir}/one\\.ts#default\\[0\\] and by ${dir}/three\\.ts#`,
      ),
    );
    assert.match(fromBoth, new RegExp(`"weather\\.get" is used twice: by ${dir}/two\\.ts#w and by ${dir}/one\\.ts#`));
    const types = recordingIo(dir);
    assert.equal(await main(["types", "--tools", "one.ts", "--tools", "three.ts"], types.io), 2);
    assert.match(types.err(), /one\.ts#default\[0\] and by .*three\.ts#default\[0\]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
