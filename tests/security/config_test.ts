// codemode.yaml abuse: alias bombs, huge files, deep nesting, recursive env
// expansion, shell syntax, paths that leave the config directory, non-string
// and `__proto__` keys, and documents that are not mappings. Every case must
// end in a bounded, clearly worded ConfigError (or a safe, literal value).
// Stopped by: the config loader: a 1 MiB size cap, YAML with at most 100 aliases and 32 levels, a strict zod schema,
// `${VAR}` interpolation with no shell and no re-expansion, and errors that name file, line and key.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/mod.ts";

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e;
  }
  assert.fail("expected a ConfigError");
}

const parse = (text: string) => () => parseConfig(text, "codemode.yaml", { env: {} });

Deno.test("a billion-laughs alias bomb is refused quickly instead of expanded", () => {
  const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [name, prev] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"], ["f", "e"], ["g", "f"], ["h", "g"]]) {
    rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  rows.push(`tools: *h`);
  const e = errorOf(parse(rows.join("\n") + "\n"));
  assert.equal(e.issues.length, 1);
  assert.match(e.message, /^codemode\.yaml:2:\d+: Excessive alias count .* \(more than 100 alias expansions\)$/);
});

Deno.test("a few aliases in an ordinary config still work", () => {
  const text = `mcpServers:
  a: &server
    command: npx
    env: &env { MODE: prod }
  b:
    command: node
    env: *env
`;
  const { config } = parseConfig(text, "/x/codemode.yaml", { env: {} });
  assert.deepEqual((config.mcpServers.b as { env: unknown }).env, { MODE: "prod" });
});

Deno.test("a 10 MB config file is refused by size before it is read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "codemode.yaml");
    const line = "# padding padding padding padding padding padding padding padding padding\n";
    await Deno.writeTextFile(file, "tools: []\n" + line.repeat(Math.ceil(10_000_000 / line.length)));
    await assert.rejects(
      loadConfig(file, { env: {} }),
      (e: ConfigError) =>
        e instanceof ConfigError && e.issues[0].line === 0 &&
        /^.*codemode\.yaml: config file is 100\d{5} bytes; the limit is 1048576$/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an oversized in-memory config is refused too, and the cap is configurable", () => {
  const e = errorOf(() => parseConfig("a".repeat(2_000_000), "big.yaml", { env: {} }));
  assert.equal(e.message, "big.yaml: config is larger than 1048576 bytes");
  // Multi-byte characters count as the bytes they take.
  const e2 = errorOf(() => parseConfig(`tools: ["${"é".repeat(60)}"]`, "c.yaml", { env: {}, maxBytes: 100 }));
  assert.equal(e2.message, "c.yaml: config is larger than 100 bytes");
});

Deno.test("deeply nested input is refused without exhausting the stack", () => {
  const depth = 100_000;
  const e = errorOf(parse(`tools: ${"[".repeat(depth)}${"]".repeat(depth)}\n`));
  assert.match(e.message, /^codemode\.yaml:1:\d+: .*\(the document is nested too deeply\)$/m);
  const e2 = errorOf(parse(`policies: ${"[".repeat(40)}${"]".repeat(40)}\n`));
  assert.match(e2.message, /nested deeper than 32 levels/);
});

Deno.test("an env value that looks like a reference is never expanded again", () => {
  const env = { A: "${SECRET}", B: "$${SECRET}", SECRET: "top-secret" };
  const text = `mcpServers:\n  s:\n    command: run\n    args: ["\${A}", "\${B}", "\${MISSING:-\${SECRET}}"]\n`;
  const { config } = parseConfig(text, "/x/codemode.yaml", { env });
  const server = config.mcpServers.s;
  assert.ok("command" in server);
  // The default ends at the first "}", so "${MISSING:-${SECRET}" is "${SECRET" plus a literal "}".
  assert.deepEqual(server.args, ["${SECRET}", "$${SECRET}", "${SECRET}"]);
  assert.ok(!JSON.stringify(config).includes("top-secret"));
});

Deno.test("shell syntax in values stays literal text and runs nothing", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const marker = join(dir, "pwned");
    const text = `mcpServers:\n  s:\n    command: "$(touch ${marker})"\n    args: ["\`touch ${marker}\`"]\n`;
    const { config } = parseConfig(text, "/x/codemode.yaml", { env: {} });
    assert.equal((config.mcpServers.s as { command: string }).command, `$(touch ${marker})`);
    assert.throws(() => Deno.statSync(marker), Deno.errors.NotFound);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a tools path that leaves the config directory is allowed but reported resolved and absolute", () => {
  // Tool modules are trusted host code: whoever writes codemode.yaml may already run code on the host.
  const { config } = parseConfig(
    "tools:\n  - ../../../etc/tools.ts\n  - ./a/../../b/\n",
    "/srv/app/conf/codemode.yaml",
    {
      env: {},
    },
  );
  assert.deepEqual(config.tools, ["/etc/tools.ts", "/srv/app/b"]);
});

Deno.test("non-string keys are errors at the key", () => {
  const e = errorOf(parse("policies:\n  1: allow\n  true: deny\n  ? [a, b]\n  : deny\n  null: allow\n"));
  assert.deepEqual(e.message.split("\n"), [
    "codemode.yaml:2:3: policies: keys must be strings, got number 1 (quote it to make it a string)",
    "codemode.yaml:3:3: policies: keys must be strings, got boolean true (quote it to make it a string)",
    "codemode.yaml:4:5: policies: keys must be strings, got a list",
    "codemode.yaml:6:3: policies: keys must be strings, got null",
  ]);
});

Deno.test("a __proto__ key is refused and pollutes nothing", () => {
  const e = errorOf(parse('mcpServers:\n  __proto__:\n    command: evil\npolicies:\n  "__proto__": allow\n'));
  assert.deepEqual(e.message.split("\n"), [
    'codemode.yaml:2:3: mcpServers.__proto__: the key "__proto__" is not allowed',
    'codemode.yaml:5:3: policies.__proto__: the key "__proto__" is not allowed',
  ]);
  assert.equal(({} as Record<string, unknown>).command, undefined);
});

Deno.test("a config that is a YAML list, or a scalar, is an error at the document's start", () => {
  assert.equal(errorOf(parse("- tools\n- executor\n")).message, "codemode.yaml:1:1: expected a mapping, got a list");
  assert.equal(errorOf(parse("just text\n")).message, 'codemode.yaml:1:1: expected a mapping, got "just text"');
});

Deno.test("custom tags are refused instead of constructing anything", () => {
  const e = errorOf(parse("tools: !!js/function 'return process'\n"));
  assert.match(e.message, /^codemode\.yaml:1:8: Unresolved tag: tag:yaml\.org,2002:js\/function/);
});

Deno.test("header values cannot smuggle extra headers with line breaks", () => {
  const e = errorOf(parse('mcpServers:\n  r:\n    url: https://a\n    headers:\n      X-A: "a\\r\\nX-Evil: 1"\n'));
  assert.equal(
    e.message,
    'codemode.yaml:5:12: mcpServers.r.headers["X-A"]: header values must not contain line breaks',
  );
});

Deno.test("a secret in a value is not echoed in unrelated errors", () => {
  const e = errorOf(() =>
    parseConfig("executor:\n  type: remote\n  url: https://x\n  apiKey: ${KEY}\n  limts: {}\n", "c.yaml", {
      env: { KEY: "top-secret" },
    })
  );
  assert.equal(e.message, 'c.yaml:5:3: executor.limts: unknown key; did you mean "limits"?');
});

Deno.test("logging and metrics take only their documented keys and values: no file, path, port or injected level", () => {
  const env = { LEVEL: "debug\n  file: /etc/passwd", YES: "yes" };
  const text = [
    "logging:",
    "  level: ${LEVEL}",
    "  file: /etc/shadow",
    "metrics:",
    "  enabled: ${YES}",
    "  path: /",
    "  port: 80",
    "",
  ].join("\n");
  const e = errorOf(() => parseConfig(text, "codemode.yaml", { env }));
  assert.deepEqual(e.message.split("\n"), [
    'codemode.yaml:2:10: logging.level: expected one of "debug", "info", "warn", "error", "silent", got "debug\\n  file: /etc/passwd"',
    "codemode.yaml:3:3: logging.file: unknown key; expected one of level, audit",
    'codemode.yaml:5:12: metrics.enabled: expected boolean, got "yes"',
    "codemode.yaml:6:3: metrics.path: unknown key; expected one of enabled",
    "codemode.yaml:7:3: metrics.port: unknown key; expected one of enabled",
  ]);
  const huge = errorOf(parse(`logging:\n  level: ${"x".repeat(100_000)}\n`));
  assert.ok(huge.message.length < 300, "a huge value is cut in the message");
  assert.equal(errorOf(parse('logging:\n  level: { "__proto__": { "polluted": 1 } }\n')).issues.length, 1);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
