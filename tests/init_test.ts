import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { main } from "../cli.ts";
import { recordingIo } from "./_helpers.ts";

const io = (cwd: string) => recordingIo(cwd);

const FILES = [
  "deno.json",
  "codemode.yaml",
  "tools.ts",
  "example_script.ts",
  "agent.ts",
  ".env.example",
  "docker-compose.yml",
];

Deno.test("init writes a starter project whose script runs against its tools", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codemode-init-test-" });
  try {
    const t = io(dir);
    assert.equal(await main(["init", "--yes"], t.io), 0, t.err());
    for (const f of FILES) await Deno.stat(`${dir}/${f}`);
    // Exactly these files. The compose file runs docker/executor's image: tests/deploy/ checks its settings
    // (hardening_test.ts) and brings it up on a real engine (engine/docker_engine.ts).
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir), (e) => e.name)).sort(), [...FILES].sort());
    await assertEnvExampleListsOnlyWhatIsRead(dir);
    assert.match(
      t.out(),
      /Next:\n {2}cd .*\n {2}deno task codemode run example_script\.ts --config codemode\.yaml\n {2}deno task agent/,
    );
    const config = JSON.parse(await Deno.readTextFile(`${dir}/deno.json`));
    assert.match(config.imports["@codemode/core"], /^jsr:@codemode\/core@\^\d+\.\d+\.\d+$/);
    assert.deepEqual(
      config.links,
      [fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "")],
      "links this checkout",
    );
    for (const flags of [["--config", "codemode.yaml"], ["--tools", "tools.ts"], []]) {
      const run = io(dir);
      assert.equal(await main(["run", "example_script.ts", ...flags, "--json"], run.io), 0, run.err());
      const result = JSON.parse(run.out());
      // The tools module keeps its notes in memory, and this process imports it once.
      assert.equal(result.result[0], "Call the plumber about the leak", flags.join(" "));
      assert.ok(result.result.includes("Book the dentist"), flags.join(" "));
      assert.deepEqual(result.toolCalls.map((c: { tool: string }) => c.tool), ["notes.add", "notes.list"]);
    }
    const agent = await denoIn(dir, ["task", "agent"]);
    assert.equal(agent.code, 0, agent.stderr);
    const agentOut = agent.stdout;
    assert.match(agentOut, /declare const tools/, "agent.ts prints the prompt");
    assert.match(agentOut, /"stopReason": "completed"/, "agent.ts runs the script through fromConfig()");
    // The project's own `codemode` task: the CLI of the package it imports (here the linked checkout).
    const cli = await denoIn(dir, [
      "task",
      "--quiet",
      "codemode",
      "run",
      "example_script.ts",
      "--config",
      "codemode.yaml",
      "--json",
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).toolCalls.map((c: { tool: string }) => c.tool), [
      "notes.add",
      "notes.list",
    ]);
    const types = io(dir);
    assert.equal(await main(["types"], types.io), 0, types.err());
    assert.match(types.out(), /notes: \{/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function denoIn(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Every `NAME=` in .env.example is read by the generated project: `${NAME` in its config or `Deno.env.get("NAME")`. */
async function assertEnvExampleListsOnlyWhatIsRead(dir: string): Promise<void> {
  const env = await Deno.readTextFile(`${dir}/.env.example`);
  const keys = [...env.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)].map((m) => m[1]);
  const sources = await Promise.all(
    ["codemode.yaml", "agent.ts", "tools.ts", "docker-compose.yml"].map((f) => Deno.readTextFile(`${dir}/${f}`)),
  );
  const read = (key: string) =>
    sources.some((s) => s.includes("${" + key) || s.includes(`Deno.env.get(${JSON.stringify(key)})`));
  assert.deepEqual(keys.filter((key) => !read(key)), [], ".env.example lists variables the project never reads");
}

Deno.test("init refuses to overwrite existing files unless --force", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codemode-init-test-" });
  try {
    await Deno.writeTextFile(`${dir}/codemode.yaml`, "mine: true\n");
    const t = io(dir);
    assert.equal(await main(["init", ".", "--yes"], t.io), 2);
    assert.match(t.err(), /Refusing to overwrite codemode\.yaml/);
    assert.equal(await Deno.readTextFile(`${dir}/codemode.yaml`), "mine: true\n");
    assert.equal(await main(["init", ".", "--yes", "--force"], io(dir).io), 0);
    assert.match(await Deno.readTextFile(`${dir}/codemode.yaml`), /tools:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("init into a new directory creates it, and bad flags exit 2", async () => {
  const parent = await Deno.makeTempDir({ prefix: "codemode-init-test-" });
  try {
    assert.equal(await main(["init", "sub/project", "-y"], io(parent).io), 0);
    await Deno.stat(`${parent}/sub/project/tools.ts`);
    const bad = io(parent);
    assert.equal(await main(["init", "--nope"], bad.io), 2);
    assert.match(bad.err(), /Unknown option '--nope'/);
    const help = io(parent);
    assert.equal(await main(["init", "--help"], help.io), 0);
    assert.match(help.out(), /--force/);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
