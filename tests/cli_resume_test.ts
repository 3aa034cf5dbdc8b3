// `codemode run` pauses on a call that needs approval, writing the continuation to a 0600 file;
// `codemode resume` continues it in a new process (same codemode.yaml, its approvals.key from the
// environment) with a decision per call. Real CLI subprocesses throughout.
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const MOD = JSON.stringify(new URL("../mod.ts", import.meta.url).href);
const KEY = "cli-test-key-with-more-than-32-characters";

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: ROOT,
    env: { CODEMODE_APPROVALS_KEY: KEY, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

async function project(): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "codemode-cli-resume-test-" }));
  const log = JSON.stringify(join(dir, "ran.log"));
  await Deno.writeTextFile(
    join(dir, "tools.ts"),
    `import { defineTool } from ${MOD};\nimport { z } from "zod";\n` +
      `const ran = (what: string) => Deno.writeTextFileSync(${log}, what + "\\n", { append: true });\n` +
      `export const list = defineTool({ name: "files.list", input: z.object({}), handler: () => (ran("list"), ["a", "b"]) });\n` +
      `export const remove = defineTool({ name: "files.remove", input: z.object({ name: z.string() }), ` +
      `handler: ({ name }) => (ran("remove " + name), "removed " + name) });\n`,
  );
  await Deno.writeTextFile(
    join(dir, "codemode.yaml"),
    "tools: [./tools.ts]\npolicies:\n  files.remove: approve\napprovals:\n  key: ${CODEMODE_APPROVALS_KEY}\n",
  );
  await Deno.writeTextFile(
    join(dir, "script.ts"),
    `const names = await tools.files.list({});\n` +
      `return await Promise.all(names.map((name) => tools.files.remove({ name }).catch((e) => e.message)));\n`,
  );
  return dir;
}

Deno.test("codemode run pauses (exit 3, a 0600 continuation file); codemode resume continues in a new process", async () => {
  const dir = await project();
  try {
    const file = join(dir, "pending.continuation");
    const config = ["--config", join(dir, "codemode.yaml")];
    const run = await cli(["run", join(dir, "script.ts"), ...config, "--continuation", file]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /paused: 2 calls wait for approval/);
    assert.match(run.stderr, /tools\.files\.remove\(\{"name":"a"\}\)\s+\(policy "files\.remove": approve\)/);
    const ids = [...run.stderr.matchAll(/^ {2}(ap_\S+) {2}tools\.files\.remove\(\{"name":"(\w)"\}\)/gm)];
    assert.deepEqual(ids.map((m) => m[2]), ["a", "b"]);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    assert.equal(await Deno.readTextFile(join(dir, "ran.log")), "list\n");

    const resumed = await cli([
      "resume",
      file,
      ...config,
      "--approve",
      ids[0][1],
      "--reject",
      `${ids[1][1]}=b stays`,
      "--json",
    ]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const result = JSON.parse(resumed.stdout);
    assert.deepEqual(result.result, ["removed a", "tools.files.remove was not run: b stays (script.ts:2:58)"]);
    assert.equal(await Deno.readTextFile(join(dir, "ran.log")), "list\nremove a\n", "nothing ran twice");
    await assert.rejects(Deno.stat(file), Deno.errors.NotFound, "a spent continuation is removed");

    const again = await cli(["resume", file, ...config, "--approve", ids[0][1]]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /Cannot read the continuation/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("codemode resume refuses a tampered continuation, another key, and decisions for unknown ids (exit 2)", async () => {
  const dir = await project();
  try {
    const file = join(dir, "c.txt");
    const config = ["--config", join(dir, "codemode.yaml")];
    const run = await cli(["run", join(dir, "script.ts"), ...config, "--continuation", file, "--json"]);
    assert.equal(run.code, 3, run.stderr);
    const paused = JSON.parse(run.stdout).paused;
    const all = paused.pending.flatMap((p: { id: string }) => ["--approve", p.id]);
    const token: string = paused.continuation;
    assert.equal((await Deno.readTextFile(file)).trim(), token);

    const other = await cli(["resume", file, ...config, ...all], { CODEMODE_APPROVALS_KEY: "x".repeat(40) });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /sealed with another key than this Codemode's approvals\.key/);

    const unknown = await cli(["resume", file, ...config, ...all, "--approve", "ap_nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No pending approval "ap_nope"/);

    await Deno.writeTextFile(file, token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA"));
    const tampered = await cli(["resume", file, ...config, ...all]);
    assert.equal(tampered.code, 2);
    assert.match(tampered.stderr, /altered or forged/);
    assert.equal(await Deno.readTextFile(join(dir, "ran.log")), "list\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("codemode run says when no approvals.key is configured: no other process could resume the continuation", async () => {
  const dir = await project();
  try {
    await Deno.writeTextFile(join(dir, "codemode.yaml"), "tools: [./tools.ts]\npolicies:\n  files.remove: approve\n");
    const file = join(dir, "c.txt");
    const run = await cli([
      "run",
      join(dir, "script.ts"),
      "--config",
      join(dir, "codemode.yaml"),
      "--continuation",
      file,
    ]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /no approvals\.key is configured, so no other process can resume this continuation/);
    const ids = [...run.stderr.matchAll(/^ {2}(ap_\S+) /gm)].flatMap((m) => ["--approve", m[1]]);
    const resumed = await cli(["resume", file, "--config", join(dir, "codemode.yaml"), ...ids]);
    assert.equal(resumed.code, 2);
    assert.match(resumed.stderr, /configure approvals\.key .* to resume across restarts/);
    assert.equal(await Deno.readTextFile(join(dir, "ran.log")), "list\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
