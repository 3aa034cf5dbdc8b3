// The door this adds: CODEMODE_DENO_PATH, the Deno binary that runs the
// sandboxes (a `deno compile` binary cannot run them itself). It names a
// program only: the sandbox keeps every flag and its bare environment, and a
// wrong path is one clear error before anything is started or written.
// Stopped by: the variable replaces only the program of `sandboxSpec` (flags, kernel guards and the cleared environment
// are built the same), it is read on the host only, and the path is checked before the first child starts.
import assert from "node:assert/strict";
import { type Ran, runProgram } from "../_helpers.ts";

const ROOT = new URL("../../", import.meta.url);
const HOST = new URL("tests/security/fixtures/deno_path_host.ts", ROOT).pathname;

function host(env: Record<string, string>, args = ["run", "-A", HOST], stdin = ""): Promise<Ran> {
  return runProgram(Deno.execPath(), args, { cwd: ROOT, env, stdin });
}

Deno.test("CODEMODE_DENO_PATH changes only the program: the sandbox keeps every deny flag and a bare environment", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codemode-denopath-test-" });
  try {
    // The child's environment is cleared, so the wrapper names everything by absolute path.
    const wrapper = `${dir}/deno`;
    await Deno.writeTextFile(
      wrapper,
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/args\n/usr/bin/env > ${dir}/env\nexec ${Deno.execPath()} "$@"\n`,
    );
    await Deno.chmod(wrapper, 0o755);
    const out = await host({ CODEMODE_DENO_PATH: wrapper });
    assert.equal(out.code, 0, out.stderr);
    const seen = JSON.parse(out.stdout);
    assert.equal(seen.stopReason, "completed", out.stdout);
    // The script can neither read the variable nor learn the wrapper's path.
    assert.equal(seen.result.env, "NotCapable");
    assert.equal(seen.result.execPath, "deno");
    const args = (await Deno.readTextFile(`${dir}/args`)).trim().split("\n");
    for (const flag of ["--no-prompt", "--deny-read", "--deny-write", "--deny-net", "--deny-env", "--deny-run"]) {
      assert.ok(args.includes(flag), `${flag} missing from ${args.join(" ")}`);
    }
    assert.deepEqual(args.filter((a) => a.startsWith("--allow")), []);
    // PWD is the wrapper's /bin/sh's own.
    const env = (await Deno.readTextFile(`${dir}/env`)).trim().split("\n").map((line) => line.split("=")[0])
      .filter((name) => name !== "PWD").sort();
    assert.deepEqual(env, ["DENO_DIR", "DENO_DISABLE_NODE_SHIM", "DENO_EMIT_CACHE_MODE", "NO_COLOR"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a CODEMODE_DENO_PATH that does not exist is one clear error, before any process or temp dir", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "codemode-denopath-tmp-" });
  try {
    const env = { CODEMODE_DENO_PATH: "/nonexistent/deno", TMPDIR: tmp };
    const lib = await host(env);
    assert.deepEqual(JSON.parse(lib.stdout), {
      thrown: "SandboxDenoError",
      message: "The Deno binary that runs sandboxes was not found: /nonexistent/deno " +
        "(set CODEMODE_DENO_PATH, or LocalExecutorOptions.denoPath, to a deno binary)",
    });
    const cli = await host(env, ["run", "-A", "cli.ts", "run", "-", "--json"], "return 1");
    assert.equal(cli.code, 2);
    assert.equal(cli.stdout, "");
    assert.match(cli.stderr, /^codemode run: The Deno binary that runs sandboxes was not found: \/nonexistent\/deno /);
    assert.equal(cli.stderr.trim().split("\n").length, 1, cli.stderr);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(tmp)), [], "a temp dir was left behind");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
