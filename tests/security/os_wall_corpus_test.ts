// The abuse corpus once more, with the OS wall explicitly required: every
// Codemode its tests make through `sandbox()` (`_canaries.ts`) gets
// `osSandbox: "required"`, so a sandbox that would start without the wall
// fails instead of falling back. The default run of the suite uses `auto`,
// which on a host with bubblewrap is the wall too, and elsewhere is Deno's
// wall alone; `CODEMODE_TEST_OS_SANDBOX=off deno test -A tests/security/`
// runs the corpus without the wall.
// Stopped by: Deno's permissions and the OS wall together (bubblewrap namespaces, cgroup limits), required here
import assert from "node:assert/strict";
import { WALL, wallTest } from "./_opened.ts";

/** The corpus files whose sandboxes come from `sandbox()`: scripts that go for the canaries, the host, the protocol. */
const CORPUS = [
  "context_test.ts",
  "fs_test.ts",
  "host_details_test.ts",
  "host_memory_test.ts",
  "imports_test.ts",
  "net_env_test.ts",
  "process_test.ts",
  "protocol_test.ts",
  "resources_test.ts",
  "result_bounds_test.ts",
  "tools_test.ts",
];

Deno.test({
  name: wallTest("the abuse corpus passes with the OS wall required around every sandbox"),
  ignore: WALL.os === "none",
}, async () => {
  const dir = new URL(".", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--parallel", "--no-check", ...CORPUS.map((f) => `${dir}${f}`)],
    env: { CODEMODE_TEST_OS_SANDBOX: "required", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const summary = /^(ok|FAILED) \| (\d+) passed \| (\d+) failed/m.exec(text);
  assert.ok(summary, text.slice(-3000));
  assert.equal(out.code, 0, text.slice(-6000));
  assert.ok(Number(summary[2]) >= 100, `only ${summary[2]} corpus tests ran`);
  assert.equal(summary[3], "0");
});
