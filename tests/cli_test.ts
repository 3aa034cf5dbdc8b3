import assert from "node:assert/strict";
import { main } from "../cli.ts";
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
    [["run", "-", "--tools", "nope.ts"], /Cannot load tool module .*nope\.ts/],
    [
      ["run", "-", "--tools", "tests/fixtures/not_tools.ts"],
      /must default-export an array of tools/,
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
  assert.match(rh.out(), /--tools <module>/);
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
