// A project outside this checkout uses Codemode the way the README says: its
// deno.json maps `@codemode/core` to the JSR package and `links` it to this
// checkout, so the package's own deno.json imports (zod, ajv, …) apply to its
// files. JSR itself is never contacted. Importing ../mod.ts by path instead
// fails with `Import "zod" not a dependency`.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { type Ran, runProgram } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

const MAIN = `import { Codemode } from "@codemode/core";
import * as mcp from "@codemode/core/mcp";

await using cm = new Codemode({ tools: [] });
const r = await cm.execute("return 1+1");
console.log(JSON.stringify({ result: r.result, mcpExports: Object.keys(mcp).length }));
`;

function projectConfig(lock: unknown): string {
  const imports = { "@codemode/core": `jsr:@codemode/core@^${denoJson.version}` };
  return JSON.stringify({ imports, links: [ROOT], lock }, null, 2);
}

Deno.test("a project outside the checkout imports @codemode/core and a subpath through links, with its own frozen lock", async () => {
  await inProject(async (dir) => {
    await Deno.writeTextFile(`${dir}/deno.json`, projectConfig(true));
    assertRan(await deno(dir, ["run", "-A", "main.ts"]));
    const lock = JSON.parse(await Deno.readTextFile(`${dir}/deno.lock`));
    // The checkout is a workspace: linking it links both of its packages.
    assert.deepEqual(Object.keys(lock.workspace.links).sort(), [
      `jsr:@codemode/cli@${denoJson.version}`,
      `jsr:@codemode/core@${denoJson.version}`,
    ]);
    await Deno.writeTextFile(`${dir}/deno.json`, projectConfig({ frozen: true }));
    assertRan(await deno(dir, ["run", "-A", "main.ts"]));
    const check = await deno(dir, ["check", "main.ts"]);
    assert.equal(check.code, 0, check.stderr);
  });
});

Deno.test("a linked project runs the CLI as jsr:@codemode/cli, the package `deno run -A jsr:@codemode/cli init` runs", async () => {
  await inProject(async (dir) => {
    await Deno.writeTextFile(`${dir}/deno.json`, projectConfig(false));
    const version = await deno(dir, ["run", "-A", "jsr:@codemode/cli", "--version"]);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `codemode ${denoJson.version}\n`);
    const run = await deno(dir, ["run", "-A", "jsr:@codemode/cli", "run", "-", "--json"], "return 6 * 7");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).result, 42);
  });
});

Deno.test("a project without a lockfile imports it too", async () => {
  await inProject(async (dir) => {
    await Deno.writeTextFile(`${dir}/deno.json`, projectConfig(false));
    assertRan(await deno(dir, ["run", "-A", "main.ts"]));
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir), (e) => e.name)).sort(), ["deno.json", "main.ts"]);
  });
});

/** Runs `body` in a new project dir under the system temp dir, and checks this checkout's lock is left alone. */
async function inProject(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "codemode-consumer-" }));
  const ourLock = await Deno.readTextFile(`${ROOT}/deno.lock`);
  try {
    assert.ok(!dir.startsWith(`${ROOT}/`), `${dir} is inside the checkout`);
    await Deno.writeTextFile(`${dir}/main.ts`, MAIN);
    await body(dir);
    assert.equal(await Deno.readTextFile(`${ROOT}/deno.lock`), ourLock, "the checkout's deno.lock changed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function assertRan(run: { code: number; stdout: string; stderr: string }): void {
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.result, 2);
  assert.ok(out.mcpExports > 0, "the /mcp entry point exports nothing");
}

function deno(cwd: string, args: string[], stdin = ""): Promise<Ran> {
  return runProgram(Deno.execPath(), args, { cwd, stdin });
}
