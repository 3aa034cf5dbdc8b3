// The README's `deno install` command, run as written (into a temporary
// --root), gives a working `codemode` command.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import denoJson from "../deno.json" with { type: "json" };

const ROOT = new URL("..", import.meta.url);

/** The `deno install --global …` line of the README, as words. */
async function documentedInstallCommand(): Promise<string[]> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const lines = readme.split("\n").filter((line) => line.startsWith("deno install --global "));
  assert.equal(lines.length, 1, `one "deno install --global" line in README.md, found ${lines.length}`);
  return lines[0].replace(/#.*/, "").trim().split(/\s+/);
}

async function run(command: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(command, { stdout: "piped", stderr: "piped", ...options, args }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("the README's deno install command installs a codemode command that prints its help and version", async () => {
  const [deno, install, ...flags] = await documentedInstallCommand();
  assert.deepEqual([deno, install], ["deno", "install"]);
  const root = await Deno.makeTempDir({ prefix: "codemode-install-" });
  try {
    const installed = await run(Deno.execPath(), [install, "--root", root, ...flags], { cwd: ROOT });
    assert.equal(installed.code, 0, installed.stderr);
    // The installed script runs `deno` from the PATH, as it does for a user.
    const env = { PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}` };
    const codemode = join(root, "bin", "codemode");
    const help = await run(codemode, ["--help"], { env, cwd: root });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: codemode <command> \[options\]$/m);
    const version = await run(codemode, ["--version"], { env, cwd: root });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `codemode ${denoJson.version}\n`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
