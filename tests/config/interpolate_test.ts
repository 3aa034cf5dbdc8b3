import assert from "node:assert/strict";
import { denoEnv, interpolateString, interpolateValues, parseConfig } from "../../src/config/mod.ts";
import { errorLines } from "./_helpers.ts";

const HEADER = (value: string) =>
  `mcpServers:\n  api:\n    url: https://api.example:8080/mcp\n    headers:\n      Authorization: ${value}\n`;
const headerOf = (config: ReturnType<typeof parseConfig>["config"]) =>
  (config.mcpServers.api as { headers: Record<string, string> }).headers.Authorization;

Deno.test("a set variable is substituted into a config value", () => {
  const { config } = parseConfig(HEADER("Bearer ${API_KEY}"), "/x/codemode.yaml", { env: { API_KEY: "secret-1" } });
  assert.equal(headerOf(config), "Bearer secret-1");
});

Deno.test("a default is used when the variable is unset", () => {
  assert.equal(interpolateString("${PORT:-8080}", {}), "8080");
  assert.equal(interpolateString("${PORT:-8080}", { PORT: "9000" }), "9000");
});

Deno.test("a default is used when the variable is set but empty", () => {
  assert.equal(interpolateString("${HOST:-localhost}", { HOST: "" }), "localhost");
  assert.equal(interpolateString("[${HOST}]", { HOST: "" }), "[]");
});

Deno.test("a missing variable is an error naming the variable and the key that used it", () => {
  assert.deepEqual(errorLines(() => parseConfig(HEADER("${API_KEY}"), "codemode.yaml", { env: {} })), [
    "codemode.yaml:5:22: mcpServers.api.headers.Authorization: environment variable API_KEY is not set",
  ]);
});

Deno.test("every missing variable is reported, each at its own key", () => {
  const text = "mcpServers:\n  gh:\n    command: npx\n    env:\n      A: ${A_TOKEN}\n      B: x-${B_TOKEN}\n";
  assert.deepEqual(errorLines(() => parseConfig(text, "codemode.yaml", { env: {} })), [
    "codemode.yaml:5:10: mcpServers.gh.env.A: environment variable A_TOKEN is not set",
    "codemode.yaml:6:10: mcpServers.gh.env.B: environment variable B_TOKEN is not set",
  ]);
});

Deno.test("$$ escapes a literal dollar sign", () => {
  assert.equal(interpolateString("price: $$5, $${NOT_A_VAR}", {}), "price: $5, ${NOT_A_VAR}");
});

Deno.test("shell syntax is never evaluated: $(...), backticks and bare $VAR stay literal", () => {
  const text = 'mcpServers:\n  s:\n    command: echo\n    args: ["$(whoami)", "`id`", "$HOME", "a $ b"]\n';
  const { config } = parseConfig(text, "/x/codemode.yaml", { env: { HOME: "/root" } });
  const server = config.mcpServers.s;
  assert.ok("command" in server);
  assert.deepEqual(server.args, ["$(whoami)", "`id`", "$HOME", "a $ b"]);
});

Deno.test("keys are not interpolated, only string values", () => {
  const r = interpolateValues({ "${KEY}": "${VALUE}", n: 3, b: true, list: ["${VALUE}"] }, { KEY: "k", VALUE: "v" });
  assert.deepEqual(r, { value: { "${KEY}": "v", n: 3, b: true, list: ["v"] }, issues: [] });
});

Deno.test("malformed references are errors", () => {
  assert.throws(() => interpolateString("${UNCLOSED", {}), /unclosed "\$\{"/);
  assert.throws(() => interpolateString("${1BAD}", {}), /invalid reference "\$\{1BAD\}"/);
  assert.throws(() => interpolateString("${A-b}", {}), /invalid reference/);
});

Deno.test("variables from a record are own properties only, never inherited ones", () => {
  assert.throws(() => interpolateString("${constructor}", {}), /constructor is not set/);
  assert.throws(() => interpolateString("${toString}", {}), /toString is not set/);
});

Deno.test("the env source may be a function", () => {
  const asked: string[] = [];
  const env = (name: string) => {
    asked.push(name);
    return name === "A" ? "1" : undefined;
  };
  assert.equal(interpolateString("${A}${B:-2}", env), "12");
  assert.deepEqual(asked, ["A", "B"]);
});

Deno.test("an interpolated number or boolean is accepted where the schema expects one", () => {
  const text = "executor:\n  maxConcurrent: ${SLOTS}\n  limits:\n    timeoutMs: ${TIMEOUT:-5000}\n";
  const { config } = parseConfig(text, "/x/codemode.yaml", { env: { SLOTS: "4" } });
  assert.equal(config.executor.limits.timeoutMs, 5000);
  assert.deepEqual(config.executor, { type: "local", maxConcurrent: 4, limits: { timeoutMs: 5000 } });
});

Deno.test("by default variables come from Deno.env", () => {
  Deno.env.set("CODEMODE_CONFIG_TEST_KEY", "from-deno-env");
  try {
    const { config } = parseConfig(HEADER("${CODEMODE_CONFIG_TEST_KEY}"), "/x/codemode.yaml");
    assert.equal(headerOf(config), "from-deno-env");
    assert.equal(denoEnv()("CODEMODE_CONFIG_TEST_KEY"), "from-deno-env");
  } finally {
    Deno.env.delete("CODEMODE_CONFIG_TEST_KEY");
  }
});

Deno.test("without env permission the error says which variable and how to allow it", async () => {
  const root = new URL("../../", import.meta.url);
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/no_env.ts`;
    await Deno.writeTextFile(
      script,
      `import { parseConfig } from ${JSON.stringify(new URL("src/config/mod.ts", root).href)};
      try {
        parseConfig("mcpServers:\\n  x:\\n    url: https://x\\n    headers:\\n      A: \${SECRET_KEY}\\n", "c.yaml");
      } catch (e) {
        console.log((e as Error).message);
      }`,
    );
    const run = async (...permissions: string[]) => {
      const config = new URL("deno.json", root).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-prompt", "--allow-read", ...permissions, "--config", config, script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return new TextDecoder().decode(out.stdout);
    };
    // The yaml package itself reads LOG_TOKENS and LOG_STREAM while parsing.
    const text = await run("--allow-env=LOG_TOKENS,LOG_STREAM");
    assert.match(text, /c\.yaml:5:10: mcpServers\.x\.headers\.A: cannot read environment variable SECRET_KEY/);
    assert.match(text, /--allow-env=SECRET_KEY/);
    assert.match(await run(), /^c\.yaml: the yaml parser reads the environment variables LOG_TOKENS and LOG_STREAM/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
