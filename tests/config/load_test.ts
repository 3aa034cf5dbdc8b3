import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/mod.ts";
import { configError, errorLines, tempDir } from "./_helpers.ts";

const noEnv = { env: {} };
const parse = (text: string) => () => parseConfig(text, "codemode.yaml", noEnv);

const FULL = `
tools:
  - ./tools/weather.ts
  - ./tools/
executor:
  maxConcurrent: \${SLOTS}
  maxQueued: 8
  limits:
    timeoutMs: 30000
    memoryMb: 256
policies:
  "github.delete*": deny
  "github.*": approve
  weather.get: allow
mcpServers:
  github:
    command: npx
    args: [-y, "@modelcontextprotocol/server-github"]
    env: { GITHUB_TOKEN: "\${GITHUB_TOKEN}", PORT: 8080 }
    cwd: ./servers
  remote:
    url: https://mcp.example.com/mcp
    headers:
      Authorization: Bearer \${TOKEN}
    startup: eager
`;

Deno.test("a full config is validated, interpolated and resolved against the config file's directory", () => {
  const env = { SLOTS: "4", GITHUB_TOKEN: "gh-2", TOKEN: "t-3" };
  const loaded = parseConfig(FULL, "/srv/app/codemode.yaml", { env });
  assert.equal(loaded.path, "/srv/app/codemode.yaml");
  assert.equal(loaded.dir, "/srv/app");
  assert.deepEqual(loaded.config, {
    tools: ["/srv/app/tools/weather.ts", "/srv/app/tools"],
    executor: { type: "local", maxConcurrent: 4, maxQueued: 8, limits: { timeoutMs: 30000, memoryMb: 256 } },
    policies: { "github.delete*": "deny", "github.*": "approve", "weather.get": "allow" },
    mcpServers: {
      github: {
        command: "npx",
        args: ["-y", "@modelcontextprotocol/server-github"],
        env: { GITHUB_TOKEN: "gh-2", PORT: "8080" },
        cwd: "/srv/app/servers",
        startup: "lazy",
      },
      remote: { url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer t-3" }, startup: "eager" },
    },
    openapi: {},
    typecheck: false,
    observeOutputTypes: true,
  });
});

Deno.test("an empty config gets every default", () => {
  const { config } = parseConfig("# nothing yet\n", "/x/codemode.yaml", noEnv);
  assert.deepEqual(config, {
    tools: [],
    executor: { type: "local", limits: {} },
    policies: {},
    mcpServers: {},
    openapi: {},
    typecheck: false,
    observeOutputTypes: true,
  });
});

Deno.test("typecheck and observeOutputTypes are booleans; anything else names the key", () => {
  const { config } = parseConfig("typecheck: true\nobserveOutputTypes: false\n", "/x/codemode.yaml", noEnv);
  assert.deepEqual([config.typecheck, config.observeOutputTypes], [true, false]);
  assert.deepEqual(errorLines(parse("typecheck: yes please\nobserveOutputTypes: 1\n")), [
    'codemode.yaml:1:12: typecheck: expected boolean, got "yes please"',
    "codemode.yaml:2:21: observeOutputTypes: expected boolean, got 1",
  ]);
});

Deno.test("a wrong type names the file, line, column of the value and the key path", () => {
  assert.deepEqual(errorLines(parse("executor:\n  limits:\n    timeoutMs: 30s\n")), [
    'codemode.yaml:3:16: executor.limits.timeoutMs: expected number, got "30s"',
  ]);
});

Deno.test("an unknown key suggests the closest allowed key at its level", () => {
  assert.deepEqual(errorLines(parse("tools: []\nexecutor:\n  limts:\n    timeoutMs: 1\n")), [
    'codemode.yaml:3:3: executor.limts: unknown key; did you mean "limits"?',
  ]);
  assert.deepEqual(errorLines(parse("mcpServers:\n  gh:\n    comand: npx\n")), [
    'codemode.yaml:3:5: mcpServers.gh.comand: unknown key; did you mean "command"?',
  ]);
  assert.deepEqual(errorLines(parse("executor:\n  type: remote\n  ulr: https://x\n  apiKey: k\n")), [
    'codemode.yaml:3:3: executor.ulr: unknown key; did you mean "url"?',
  ]);
});

Deno.test("an unknown key unlike any allowed key lists the allowed keys", () => {
  assert.deepEqual(errorLines(parse("banana: 1\n")), [
    "codemode.yaml:1:1: banana: unknown key; expected one of tools, executor, service, policies, mcpServers, openapi, logging, metrics, typecheck, observeOutputTypes, sandbox, approvals",
  ]);
});

Deno.test("limits must be positive integers", () => {
  assert.deepEqual(
    errorLines(parse("executor:\n  maxQueued: 99999999999\n  limits:\n    timeoutMs: 0\n    memoryMb: 1.5\n")),
    [
      "codemode.yaml:2:14: executor.maxQueued: expected at most 2147483647, got 99999999999",
      "codemode.yaml:4:16: executor.limits.timeoutMs: expected a positive number, got 0",
      "codemode.yaml:5:15: executor.limits.memoryMb: expected integer, got 1.5",
    ],
  );
});

Deno.test("every Limits field is accepted under executor.limits", () => {
  const text = "executor:\n  limits:\n" + [
    "timeoutMs",
    "memoryMb",
    "maxCodeBytes",
    "maxLogBytes",
    "maxResultBytes",
    "maxOutputBytes",
    "maxToolCalls",
    "toolTimeoutMs",
    "maxLogLineBytes",
  ].map((key, i) => `    ${key}: ${i + 1}\n`).join("");
  const { config } = parseConfig(text, "/x/codemode.yaml", noEnv);
  assert.equal(Object.keys(config.executor.limits).length, 9);
  assert.equal(config.executor.limits.maxLogLineBytes, 9);
});

Deno.test("a policy that is not allow, deny or approve is an error at its value", () => {
  assert.deepEqual(errorLines(parse('policies:\n  "github.delete*": block\n')), [
    'codemode.yaml:2:21: policies["github.delete*"]: expected one of "allow", "deny", "approve", got "block"',
  ]);
});

Deno.test("a remote executor takes a url and an apiKey, and refuses the local executor's settings", () => {
  const text =
    "executor:\n  type: remote\n  url: https://exec:8080\n  apiKey: ${KEY}\n  limits:\n    timeoutMs: 5000\n";
  assert.deepEqual(parseConfig(text, "c.yaml", { env: { KEY: "k" } }).config.executor, {
    type: "remote",
    url: "https://exec:8080",
    apiKey: "k",
    limits: { timeoutMs: 5000 },
  });
  assert.deepEqual(errorLines(parse("executor:\n  type: remote\n  url: ftp://exec\n  maxConcurrent: 2\n")), [
    'codemode.yaml:3:8: executor.url: expected an http(s) or ws(s) URL, got "ftp://exec"',
    'codemode.yaml:4:18: executor.maxConcurrent: only used when executor.type is "local" (the service\'s own is ' +
    "service.maxConcurrent)",
  ]);
  assert.deepEqual(errorLines(parse("executor:\n  type: remote\n")), [
    'codemode.yaml:1:1: executor.url: required when executor.type is "remote"',
  ]);
});

Deno.test("the service section takes keys in both forms and ceilings, and refuses short keys", () => {
  const text = "service:\n  port: 9000\n  apiKeys:\n    - 0123456789abcdef\n    - { id: ci, key: fedcba9876543210 }\n" +
    "  limits:\n    timeoutMs: 60000\n";
  assert.deepEqual(parseConfig(text, "c.yaml", noEnv).config.service, {
    port: 9000,
    apiKeys: ["0123456789abcdef", { id: "ci", key: "fedcba9876543210" }],
    limits: { timeoutMs: 60000 },
  });
  assert.deepEqual(errorLines(parse("service:\n  apiKeys: [short]\n  nope: 1\n")), [
    "codemode.yaml:2:13: service.apiKeys[0]: an API key needs at least 16 characters",
    "codemode.yaml:3:3: service.nope: unknown key; expected one of port, hostname, apiKeys, maxConcurrent, maxQueued, " +
    "limits, shutdownTimeoutMs, pool",
  ]);
});

Deno.test("executor-wide settings sit beside the limits, and limits refuse them", () => {
  assert.deepEqual(errorLines(parse("executor:\n  limits:\n    maxConcurrent: 2\n")), [
    "codemode.yaml:3:5: executor.limits.maxConcurrent: unknown key; expected one of timeoutMs, memoryMb, maxRssMb, " +
    "maxCodeBytes, maxLogBytes, maxLogLineBytes, maxResultBytes, maxOutputBytes, maxToolCalls, maxToolInputBytes, " +
    "maxToolInputValues, toolTimeoutMs",
  ]);
  assert.deepEqual(parseConfig("executor:\n  maxConcurrent: 2\n", "c.yaml", noEnv).config.executor, {
    type: "local",
    maxConcurrent: 2,
    limits: {},
  });
});

Deno.test("a local executor with a url is an error", () => {
  assert.deepEqual(errorLines(parse("executor:\n  url: https://exec\n")), [
    'codemode.yaml:2:8: executor.url: only used when executor.type is "remote"',
  ]);
});

Deno.test("an MCP server needs exactly one of command or url", () => {
  assert.deepEqual(
    errorLines(parse("mcpServers:\n  x:\n    command: npx\n    url: https://a\n    headers: {A: b}\n")),
    [
      'codemode.yaml:2:3: mcpServers.x: exactly one of "command" (stdio) or "url" (HTTP) is required',
      'codemode.yaml:5:5: mcpServers.x.headers: not used by a server with "command"',
    ],
  );
  assert.deepEqual(errorLines(parse("mcpServers:\n  x:\n    startup: eager\n")), [
    'codemode.yaml:2:3: mcpServers.x: exactly one of "command" (stdio) or "url" (HTTP) is required',
  ]);
});

Deno.test("MCP server names must be identifier-like", () => {
  assert.deepEqual(errorLines(parse('mcpServers:\n  "my server":\n    command: x\n')), [
    'codemode.yaml:2:3: mcpServers["my server"]: server names start with a letter or _ and contain only ' +
    'letters, digits, _ and -, got "my server"',
  ]);
});

Deno.test("logging and metrics are read with their defaults; ${VAR} booleans work; wrong values are refused", () => {
  const { config } = parseConfig("logging:\n  level: debug\nmetrics:\n  enabled: ${M}\n", "codemode.yaml", {
    env: { M: "true" },
  });
  assert.deepEqual(config.logging, { level: "debug", audit: true });
  assert.deepEqual(config.metrics, { enabled: true });
  assert.deepEqual(parseConfig("logging: {}\n", "codemode.yaml", noEnv).config.logging, { level: "info", audit: true });
  const bare = parseConfig("tools: []\n", "codemode.yaml", noEnv).config;
  assert.equal("logging" in bare || "metrics" in bare, false, "absent keys stay absent");
  assert.deepEqual(errorLines(parse("logging:\n  level: loud\n  audit: maybe\nmetrics: {}\n")), [
    'codemode.yaml:2:10: logging.level: expected one of "debug", "info", "warn", "error", "silent", got "loud"',
    'codemode.yaml:3:10: logging.audit: expected boolean, got "maybe"',
    "codemode.yaml:4:1: metrics.enabled: required (boolean)",
  ]);
  assert.deepEqual(errorLines(parse("metrics: false\n")), [
    "codemode.yaml:1:10: metrics: expected a mapping, got false",
  ]);
});

Deno.test("tools must be non-empty strings", () => {
  assert.deepEqual(errorLines(parse("tools:\n  - 1\n  - ''\n")), [
    "codemode.yaml:2:5: tools[0]: expected string, got 1",
    "codemode.yaml:3:5: tools[1]: must not be empty",
  ]);
});

Deno.test("YAML syntax errors keep the yaml package's line and column", () => {
  assert.deepEqual(errorLines(parse("executor:\n\ttype: local\n")), [
    "codemode.yaml:2:1: Tabs are not allowed as indentation",
  ]);
  assert.deepEqual(errorLines(parse("logging:\n  level: info\n  level: debug\n")), [
    "codemode.yaml:3:3: Map keys must be unique",
  ]);
});

Deno.test("all problems are reported together, in file order", () => {
  const text = "tool: []\nexecutor:\n  limits:\n    timeoutMs: 30s\npolicies:\n  x: loud\n";
  const lines = errorLines(parse(text));
  assert.deepEqual(lines, [
    'codemode.yaml:1:1: tool: unknown key; did you mean "tools"?',
    'codemode.yaml:4:16: executor.limits.timeoutMs: expected number, got "30s"',
    'codemode.yaml:6:6: policies.x: expected one of "allow", "deny", "approve", got "loud"',
  ]);
  try {
    parseConfig(text, "codemode.yaml", noEnv);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.issues[1], {
      file: "codemode.yaml",
      line: 4,
      column: 16,
      path: "executor.limits.timeoutMs",
      message: 'expected number, got "30s"',
    });
  }
});

Deno.test("loadConfig reads a real file and names it as given in errors", async () => {
  const dir = await tempDir();
  try {
    await Deno.mkdir(join(dir, "conf"));
    await Deno.writeTextFile(join(dir, "conf/codemode.yaml"), "executor:\n  limits:\n    timeoutMs: 30s\n");
    const e = await configError(loadConfig("./conf/codemode.yaml", { cwd: dir, env: {} }));
    assert.equal(e.message, 'conf/codemode.yaml:3:16: executor.limits.timeoutMs: expected number, got "30s"');
    const abs = join(dir, "conf/codemode.yaml");
    const e2 = await configError(loadConfig(abs, { env: {} }));
    assert.ok(e2.message.startsWith(`${abs}:3:16: `));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig of a missing file is a ConfigError naming the path", async () => {
  const dir = await tempDir();
  try {
    const e = await configError(loadConfig("nope/codemode.yaml", { cwd: dir }));
    assert.equal(e.issues[0].file, "nope/codemode.yaml");
    assert.equal(e.message, `nope/codemode.yaml: config file not found (${join(dir, "nope/codemode.yaml")})`);
    const e2 = await configError(loadConfig(dir));
    assert.match(e2.message, /not a file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("relative tool paths resolve against the config file's directory, not the cwd", async () => {
  const dir = await tempDir();
  const before = Deno.cwd();
  try {
    await Deno.mkdir(join(dir, "project/tools"), { recursive: true });
    await Deno.mkdir(join(dir, "elsewhere"));
    await Deno.writeTextFile(
      join(dir, "project/codemode.yaml"),
      "tools:\n  - ./tools/\n  - ../shared/x.ts\n  - /abs/y.ts\nmcpServers:\n  s:\n    command: run\n    cwd: srv\n",
    );
    Deno.chdir(join(dir, "elsewhere"));
    const loaded = await loadConfig("../project/codemode.yaml", { env: {} });
    assert.equal(loaded.path, join(dir, "project/codemode.yaml"));
    assert.equal(loaded.dir, join(dir, "project"));
    assert.deepEqual(loaded.config.tools, [join(dir, "project/tools"), join(dir, "shared/x.ts"), "/abs/y.ts"]);
    assert.equal((loaded.config.mcpServers.s as { cwd?: string }).cwd, join(dir, "project/srv"));
  } finally {
    Deno.chdir(before);
    await Deno.remove(dir, { recursive: true });
  }
});
