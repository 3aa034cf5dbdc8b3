// End to end: `cli.ts mcp --config codemode.yaml` whose config names a local
// tool module and an upstream MCP server, driven by the official SDK client.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
// @ts-types="@modelcontextprotocol/sdk/types"
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { call, connectStdio, connectStdioModern, type ExecuteContent, ROOT, waitFor } from "./server/_helpers.ts";

const UPSTREAM = fileURLToPath(new URL("./client/fixtures/stdio_server.ts", import.meta.url));
const DEMO = fileURLToPath(new URL("../../examples/demo/tools.ts", import.meta.url));

async function project(): Promise<{ config: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-mcp-e2e-" });
  await Deno.writeTextFile(
    `${dir}/codemode.yaml`,
    `tools: [${DEMO}]
executor:
  limits:
    timeoutMs: 30000
mcpServers:
  up:
    command: ${Deno.execPath()}
    args: [run, -A, ${UPSTREAM}]
    env: { FIXTURE_SECRET: "\${E2E_SECRET:-s3cr3t-value-1234}" }
`,
  );
  return { config: `${dir}/codemode.yaml`, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

Deno.test("cli.ts mcp: one script calls a local tool and an upstream MCP tool; search and types see both", async () => {
  await using p = await project();
  await using conn = await connectStdio(["mcp", "--config", p.config], [`${ROOT}cli.ts`]);
  const { tools } = await conn.client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ["execute_code", "get_tool_types", "search_tools"]);

  const r = await call(conn.client, "execute_code", {
    code: `
      const [local, upstream] = await Promise.all([tools.weather.get({ city: "Lima" }), tools.up.weather({ city: "Oslo" })]);
      return { local: local.tempC, upstream: upstream.tempC };
    `,
  });
  const content = r.structuredContent as unknown as ExecuteContent;
  assert.equal(content.stopReason, "completed", JSON.stringify(content.error));
  assert.deepEqual(content.result, { local: 22, upstream: 20 });
  assert.deepEqual(content.toolCalls.map((c) => c.tool).sort(), ["up.weather", "weather.get"]);

  const search = await call(conn.client, "search_tools", { query: "weather", limit: 5 });
  const names = (search.structuredContent as { matches: Array<{ name: string }> }).matches.map((m) => m.name);
  assert.ok(names.includes("up.weather") && names.includes("weather.get"), names.join());
  const types = await call(conn.client, "get_tool_types", { names: ["up"] });
  assert.match(JSON.stringify(types.content), /weather\(input: \{/);

  const failing = await call(conn.client, "execute_code", { code: `return await tools.up.fail({ city: "Lima" })` });
  assert.equal(failing.isError, true);
  assert.match(
    (failing.structuredContent as unknown as ExecuteContent).error?.message ?? "",
    /no weather station in Lima/,
  );
  const timeout = await call(conn.client, "execute_code", { code: `while (true) {}` });
  assert.equal((timeout.structuredContent as unknown as ExecuteContent).stopReason, "timeout");
  assert.doesNotMatch(JSON.stringify([r, search, types, failing, timeout]), /s3cr3t-value-1234/);
});

Deno.test("cli.ts mcp: an upstream server that adds a tool makes stdio clients of both eras hear tools/list_changed", async () => {
  await using p = await project();
  const args = ["mcp", "--config", p.config];
  await using old = await connectStdio(args, [`${ROOT}cli.ts`]);
  await using modern = await connectStdioModern(args, [`${ROOT}cli.ts`]);
  let heardOld = 0;
  let heardModern = 0;
  old.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void heardOld++);
  modern.client.setNotificationHandler("notifications/tools/list_changed", () => void heardModern++);
  await modern.client.listen({ toolsListChanged: true });
  const before = (await old.client.listTools()).tools[0].description ?? "";
  const count = Number(/up \((\d+)\)/.exec(before)?.[1]);
  assert.ok(count > 0, before);
  for (const [client, name] of [[old.client, "late_one"], [modern.client, "late_two"]] as const) {
    const r = await client.callTool({
      name: "execute_code",
      arguments: { code: `return await tools.up.add_tool({ name: "${name}" })` },
    });
    assert.equal((r.structuredContent as unknown as ExecuteContent).stopReason, "completed");
  }
  // Each server process has its own upstream: each adds one tool there, and hears of its own change.
  await waitFor(() => heardOld > 0 && heardModern > 0, 20_000, "both clients hear tools/list_changed");
  assert.match((await old.client.listTools()).tools[0].description ?? "", new RegExp(`up \\(${count + 1}\\)`));
  const { tools } = await modern.client.listTools(undefined, { cacheMode: "refresh" });
  assert.match(tools[0].description ?? "", new RegExp(`up \\(${count + 1}\\)`));
});
