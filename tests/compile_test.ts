// The single binary: `deno task compile` as far as it runs here (it stops at
// downloading Deno's runtime, denort, which these machines cannot reach), and
// `deno task bundle`, the stand-in that packs the same module graph, run for
// real. Both tasks are run as deno.json writes them, into a temp dir.
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { type Ran, runProgram } from "./_helpers.ts";

const ROOT = new URL("..", import.meta.url);

function run(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<Ran> {
  const [program, ...rest] = args;
  return runProgram(program, rest, { cwd: ROOT, env: { NO_COLOR: "1", ...options.env }, stdin: options.stdin });
}

/** Runs a deno.json task with its output dir (`dist/`) moved into `dir`. */
function task(name: "compile" | "bundle", dir: string): Promise<Ran> {
  const command = denoJson.tasks[name].replaceAll("dist/", `${dir}/`);
  return run([Deno.execPath(), "task", "--eval", command]);
}

async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-compile-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("deno task bundle packs the CLI: the bundle prints its version and help and runs a script", async () => {
  await inTempDir(async (dir) => {
    const built = await task("bundle", dir);
    assert.equal(built.code, 0, built.stderr);
    const bundle = `${dir}/bundle/codemode.js`;
    assert.ok((await Deno.stat(bundle)).size > 100_000, "the bundle holds the CLI's module graph");
    const version = await run([Deno.execPath(), "run", "-A", bundle, "--version"]);
    assert.equal(version.stdout, `codemode ${denoJson.version}\n`, version.stderr);
    const help = await run([Deno.execPath(), "run", "-A", bundle, "serve", "--help"]);
    assert.match(help.stdout, /^Usage: codemode serve/);
    const script = await run([Deno.execPath(), "run", "-A", bundle, "run", "-", "--json"], { stdin: "return 6 * 7" });
    assert.equal(script.code, 0, script.stderr);
    assert.equal(JSON.parse(script.stdout).result, 42);
  });
});

Deno.test("deno task compile builds everything up to the download of denort (and, where that works, a binary that runs)", async () => {
  await inTempDir(async (dir) => {
    // deno compile reaches the download before it looks at --include files: check them here.
    for (const [, path] of denoJson.tasks.compile.matchAll(/--include (\S+)/g)) {
      assert.ok((await Deno.stat(new URL(path, ROOT))).isFile, `--include ${path} is not a file`);
    }
    const built = await task("compile", dir);
    if (built.code !== 0) {
      // The only failure allowed is the runtime's download: the module graph and the type check came first.
      assert.match(built.stderr, /Compile .*cli\.ts/, built.stderr);
      assert.match(built.stderr, /error sending request for url \(https:\/\/dl\.deno\.land\/release\/v[^/]+\/denort-/);
      return;
    }
    const binary = `${dir}/codemode`;
    const version = await run([binary, "--version"]);
    assert.equal(version.stdout, `codemode ${denoJson.version}\n`, version.stderr);
    const script = await run([binary, "run", "-", "--json"], {
      env: { CODEMODE_DENO_PATH: Deno.execPath() },
      stdin: "return 6 * 7",
    });
    assert.equal(JSON.parse(script.stdout).result, 42, script.stderr);
    const noDeno = await run([binary, "run", "-", "--json"], { env: { PATH: "/nonexistent" }, stdin: "return 1" });
    assert.equal(noDeno.code, 2);
    assert.match(noDeno.stderr, /compiled codemode binary.*CODEMODE_DENO_PATH/);
  });
});
