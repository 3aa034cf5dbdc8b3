// mcpServers in codemode.yaml → McpToolSources → tools in a Codemode.
import assert from "node:assert/strict";
import { Codemode } from "../../../src/codemode.ts";
import { codemodeOptionsFromConfig, fromConfig } from "../../../src/config/from_config.ts";
import { mcpSourcesFromConfig, McpToolSource } from "../../../src/mcp/client/mod.ts";
import { denoArgs, startHttpServer } from "./_helpers.ts";
import { recordingIo } from "../../_helpers.ts";
import { main } from "../../../cli.ts";

async function project(yaml: string): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-mcp-config-" });
  await Deno.writeTextFile(`${dir}/codemode.yaml`, yaml);
  return { path: `${dir}/codemode.yaml`, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

function stdioYaml(name: string, startup: "lazy" | "eager"): string {
  const args = denoArgs("stdio_server.ts").map((a) => JSON.stringify(a)).join(", ");
  return `  ${name}:
    command: ${JSON.stringify(Deno.execPath())}
    args: [${args}]
    env: { FIXTURE_SECRET: "\${UP_SECRET}" }
    startup: ${startup}
`;
}

Deno.test("mcpSourcesFromConfig builds one source per server, named, with its startup", () => {
  const sources = mcpSourcesFromConfig({
    "my-server": { command: "x", args: [], env: {}, startup: "eager" },
    web: { url: "http://127.0.0.1:9/mcp", headers: {}, startup: "lazy" },
  });
  assert.ok(sources.every((s) => s instanceof McpToolSource));
  assert.deepEqual(sources.map((s) => [s.namespace, s.serverName, s.startup]), [
    ["my_server", "my-server", "eager"],
    ["web", "web", "lazy"],
  ]);
});

Deno.test(
  "codemodeOptionsFromConfig returns MCP sources; their tools work under the config's policies",
  async () => {
    const web = await startHttpServer(0, "cfg-key-123456");
    try {
      await using p = await project(`
policies:
  "*.hang": deny
mcpServers:
${stdioYaml("up", "lazy")}
  web:
    url: ${web.url}
    headers: { x-api-key: "\${WEB_KEY}" }
`);
      const options = await codemodeOptionsFromConfig(p.path, {
        env: { UP_SECRET: "s3cret-value", WEB_KEY: "cfg-key-123456" },
      });
      assert.deepEqual(options.sources.map((s) => s.namespace), ["up", "web"]);
      await using cm = new Codemode({ tools: options.tools, policies: options.policies, sources: options.sources });
      const r = await cm.execute(`
      const [w, e] = await Promise.all([tools.web.weather({ city: "Lima" }), tools.up.echo({ text: "yaml" })]);
      let denied = "";
      try { await tools.up.hang({}); } catch (err) { denied = err.message; }
      return { w, e, denied };
    `);
      const { denied, ...ran } = r.result as { denied: string };
      assert.deepEqual(ran, { w: { city: "Lima", tempC: 20 }, e: "yaml" });
      assert.match(denied, /^tools\.up\.hang is not a tool\./);
      assert.doesNotMatch(await cm.types(), /\bhang\(/);
      assert.match(await cm.types(), /\bstats\(/);
    } finally {
      await web.stop();
    }
  },
);

Deno.test({
  name: "fromConfig connects eager MCP servers before it returns, lazy ones on first need",
  fn: async () => {
    await using p = await project(`mcpServers:\n${stdioYaml("first", "eager")}${stdioYaml("second", "lazy")}`);
    await using cm = await fromConfig(p.path, { env: { UP_SECRET: "s3cret-value" } });
    const namespaces = () => [...new Set(cm.catalog().map((e) => e.path[0]))];
    assert.deepEqual(namespaces(), ["first"]);
    assert.equal((await cm.execute(`return 1`)).result, 1);
    assert.deepEqual(namespaces(), ["first"], "a script that calls no tool of a lazy server does not start it");
    const r = await cm.execute(`return await tools.second.echo({ text: "lazy" })`);
    assert.equal(r.result, "lazy");
  },
});

Deno.test("cli types --config declares a lazy MCP server's tools (it loads every server), and exits 1 naming one that fails", async () => {
  const args = denoArgs("stdio_server.ts").map((a) => JSON.stringify(a)).join(", ");
  const up = `  up:\n    command: ${
    JSON.stringify(Deno.execPath())
  }\n    args: [${args}]\n    env: { FIXTURE_SECRET: "x" }\n`;
  await using p = await project(`mcpServers:\n${up}`);
  const dir = p.path.slice(0, p.path.lastIndexOf("/"));
  const ok = recordingIo(dir);
  assert.equal(await main(["types", "--config", p.path], ok.io), 0, ok.err());
  assert.match(ok.out(), /\n {2}up: \{\n/);
  assert.match(ok.out(), /echo\(input: \{/);
  await using broken = await project(`mcpServers:\n  gone:\n    command: /nonexistent/mcp-server\n`);
  const failed = recordingIo(dir);
  assert.equal(await main(["types", "--config", broken.path], failed.io), 1);
  assert.match(failed.out(), /^\/\/ Not available now: Tool source "gone" failed to load/);
  assert.match(
    failed.err(),
    /codemode types: Tool source "gone" failed to load: could not connect to upstream MCP server "gone"/,
  );
});
