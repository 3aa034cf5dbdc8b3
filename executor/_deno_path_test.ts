import assert from "node:assert/strict";
import { DENO_PATH_ENV, missingDeno, SandboxDenoError, sandboxDenoPath } from "./_deno_path.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("sandboxDenoPath: the denoPath option wins, then CODEMODE_DENO_PATH, then this process's deno", () => {
  const named = env({ [DENO_PATH_ENV]: "/opt/deno/bin/deno" });
  assert.equal(sandboxDenoPath({ denoPath: "/x/deno", env: named, standalone: false }), "/x/deno");
  assert.equal(sandboxDenoPath({ env: named, standalone: true }), "/opt/deno/bin/deno");
  assert.equal(sandboxDenoPath({ env: env({}), standalone: false, execPath: "/usr/bin/deno" }), "/usr/bin/deno");
});

Deno.test("sandboxDenoPath: a compiled binary never runs sandboxes with itself, it takes the first deno on PATH", () => {
  const isExecutable = (path: string) => path === "/b/deno" || path === "/c/deno";
  const found = sandboxDenoPath({
    env: env({ PATH: "/a:/b:/c" }),
    standalone: true,
    execPath: "/usr/local/bin/codemode",
    isExecutable,
  });
  assert.equal(found, "/b/deno");
});

Deno.test("sandboxDenoPath: a compiled binary with no deno on PATH gets an error saying what to set", () => {
  const found = sandboxDenoPath({ env: env({ PATH: "/a" }), standalone: true, isExecutable: () => false });
  assert.ok(found instanceof SandboxDenoError);
  assert.match(found.message, /compiled codemode binary/);
  assert.match(found.message, /CODEMODE_DENO_PATH/);
});

Deno.test("missingDeno names a path that does not exist, and passes a real binary or a bare name", () => {
  assert.match(missingDeno("/nonexistent/deno")?.message ?? "", /not found: \/nonexistent\/deno .*CODEMODE_DENO_PATH/);
  assert.equal(missingDeno(Deno.execPath()), undefined);
  assert.equal(missingDeno("deno"), undefined);
});
