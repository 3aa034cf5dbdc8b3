// Both JSR packages pass `deno publish --dry-run` (it runs offline: checks,
// slow types, the file list), with the same version, and the CLI package
// takes the core by name at that version.
import assert from "node:assert/strict";
import core from "../deno.json" with { type: "json" };
import cli from "../cli/deno.json" with { type: "json" };

const ROOT = new URL("..", import.meta.url);

async function dryRun(dir: string): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: new URL(dir, ROOT),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, output: text.decode(out.stdout) + text.decode(out.stderr) };
}

/** The files `deno publish` would upload, relative to the package's directory. */
function published(output: string, dir: URL): string[] {
  return [...output.matchAll(/^\s+(file:\/\/\S+)/gm)].map((m) => m[1].slice(dir.href.length));
}

Deno.test("deno publish --dry-run passes for @codemode/core: no slow types, no tests or tooling shipped", async () => {
  const { code, output } = await dryRun(".");
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`Simulating publish of ${core.name}@${core.version}`));
  assert.doesNotMatch(output, /^error/im);
  // Warnings only for the imports that are computed by design: the script (a data: URL, in the
  // sandbox) and tool modules (named by codemode.yaml).
  const warned = [...output.matchAll(/^warning\[([a-z-]+)\][^]*?--> (\S+):\d+:\d+/gm)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual([...new Set(warned.map((w) => w.replace(ROOT.pathname, "")))].sort(), [
    "unanalyzable-dynamic-import executor/sandbox/prelude.js",
    "unanalyzable-dynamic-import src/config/discover.ts",
  ]);
  const files = published(output, ROOT);
  for (const entry of Object.values(core.exports)) assert.ok(files.includes(entry.slice(2)), `${entry} not published`);
  assert.ok(files.includes("executor/sandbox/prelude.js"), "the sandbox prelude is not published");
  const stray = files.filter((f) => /^(tests|scripts|dist|\.github|\.ci|cli)\//.test(f));
  assert.deepEqual(stray, []);
});

Deno.test("deno publish --dry-run passes for @codemode/cli, which imports @codemode/core at its version", async () => {
  const { code, output } = await dryRun("cli/");
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`Simulating publish of ${cli.name}@${cli.version}`));
  assert.doesNotMatch(output, /^(error|warning)/im);
  assert.deepEqual(published(output, new URL("cli/", ROOT)).sort(), ["deno.json", "mod.ts"]);
  assert.equal(cli.version, core.version, "the two packages are released together");
  assert.equal(cli.imports["@codemode/core"], `jsr:${core.name}@^${core.version}`);
});
