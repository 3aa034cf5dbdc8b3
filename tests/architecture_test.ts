// The layout is the architecture: the core imports no face, folders do not
// loop, and the root entry point loads no YAML parser, MCP SDK or framework.
// Checked on the module graph Deno itself builds (`deno info --json`).
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { type ModuleGraph, moduleGraph, ROOT } from "./_module_graph.ts";

/** A module's path in the repository (`src/codemode.ts`), or its npm package name (`npm:zod`). */
function name(specifier: string): string {
  if (specifier.startsWith(ROOT.href)) return specifier.slice(ROOT.href.length);
  // `npm:zod@^4.1.0`, `npm:/ajv@8.20.0/dist/2020.js` → `npm:zod`, `npm:ajv`.
  const npm = /^npm:\/?((?:@[^/]+\/)?[^@/]+)/.exec(specifier);
  return npm ? `npm:${npm[1]}` : specifier;
}

/** Every edge `from → to` between modules of the graph, with whether it is a dynamic import. */
function edges(info: ModuleGraph): { from: string; to: string; dynamic: boolean }[] {
  return info.modules.flatMap((m) =>
    (m.dependencies ?? []).flatMap((d) => {
      const to = d.code?.specifier ?? d.type?.specifier;
      return to ? [{ from: name(m.specifier), to: name(to), dynamic: d.isDynamic === true }] : [];
    })
  );
}

/** The modules an entry point loads when imported (static imports only). */
function staticClosure(entry: string, info: ModuleGraph): Set<string> {
  const all = edges(info).filter((e) => !e.dynamic);
  const seen = new Set([entry]);
  for (const current of seen) for (const e of all) if (e.from === current) seen.add(e.to);
  return seen;
}

const FACES = /^(src\/(config|mcp|integrations|cli|http|observability)\/|cli\.ts$)/;
const FACE_PACKAGES =
  /^npm:(yaml|@modelcontextprotocol\/.*|ai|@ai-sdk\/.*|langchain|@langchain\/.*|prom-client|@opentelemetry\/.*)$/;

Deno.test("importing the root entry point loads the core only: no face, no yaml, MCP SDK or framework", async () => {
  const info = await moduleGraph("mod.ts");
  const loaded = [...staticClosure("mod.ts", info)];
  assert.deepEqual(loaded.filter((m) => FACES.test(m)), []);
  assert.deepEqual(loaded.filter((m) => FACE_PACKAGES.test(m)), []);
  assert.deepEqual(loaded.filter((m) => m.startsWith("npm:")).sort(), ["npm:ajv", "npm:re2js", "npm:zod"]);
  assert.deepEqual(edges(info).filter((e) => e.dynamic), [], "the core has no dynamic import to hide a face behind");
});

/** Where each part may reach (docs/architecture.md): folder or file prefix → prefixes it may import. */
const CORE = [
  "src/codemode.ts",
  "src/codemode_options.ts",
  "src/_tool_calls.ts",
  "src/limits.ts",
  "src/executor.ts",
  "src/format.ts",
  "src/observe.ts",
  "src/_observing.ts",
  "src/events.ts",
  "src/_event_stream.ts",
  "src/_execution_events.ts",
  "src/tools/",
  "src/approvals/",
  "src/typegen/",
  "src/typecheck/",
];
const ALLOWED: [string, string[]][] = [
  ["src/rpc/", ["src/rpc/"]],
  ["src/tools/", ["src/tools/", "src/rpc/"]],
  // Pause and resume: the record, the continuation, the approval gate of a call.
  ["src/approvals/", ["src/approvals/", "src/tools/", "src/rpc/", "src/executor.ts"]],
  ["src/typegen/", ["src/typegen/", "src/tools/"]],
  // The type check: its worker (TypeScript) is started by URL, never imported.
  ["src/typecheck/", ["src/typecheck/", "src/typegen/", "src/tools/", "src/rpc/"]],
  ["src/limits.ts", []],
  ["src/executor.ts", ["src/limits.ts", "src/rpc/"]],
  ["src/observe.ts", ["src/executor.ts", "src/rpc/"]],
  ["src/_observing.ts", ["src/observe.ts", "src/rpc/"]],
  ["src/format.ts", ["src/rpc/"]],
  ["src/events.ts", ["src/rpc/"]],
  ["src/_event_stream.ts", ["src/events.ts"]],
  ["src/_execution_events.ts", ["src/_event_stream.ts", "src/rpc/", "src/tools/", "executor/_bounds.ts"]],
  // The executor service (first: the most specific prefix wins) adds the shared HTTP guards.
  ["executor/service/", ["executor/", "src/rpc/", "src/limits.ts", "src/executor.ts", "src/observe.ts", "src/http/"]],
  ["executor/", ["executor/", "src/rpc/", "src/limits.ts", "src/executor.ts"]],
  ["src/codemode.ts", [...CORE, "src/rpc/", "executor/"]],
  // The options name the executors' own; one tool call's path knows the core's parts, no executor.
  ["src/codemode_options.ts", [...CORE, "executor/"]],
  ["src/_tool_calls.ts", [...CORE, "src/rpc/"]],
  ["src/http/", ["src/http/"]],
  // A leaf: it implements the core's observer interface, and knows no face.
  ["src/observability/", ["src/observability/", "src/observe.ts", "src/executor.ts", "src/rpc/"]],
  ["src/mcp/client/", ["src/mcp/client/", ...CORE, "src/rpc/"]],
  ["src/mcp/", ["src/mcp/", "src/http/", ...CORE, "src/rpc/", "deno.json"]],
  ["src/integrations/", ["src/integrations/", ...CORE, "src/rpc/"]],
  // The OpenAPI source redacts its secrets with the MCP client's redactor.
  ["src/openapi/", ["src/openapi/", "src/mcp/client/", ...CORE]],
  ["src/config/", [
    "src/config/",
    "src/mcp/client/",
    "src/openapi/",
    "src/observability/",
    ...CORE,
    "src/rpc/",
    "executor/",
  ]],
  ["src/cli/", [""]],
  ["cli.ts", [""]],
  ["mod.ts", [...CORE, "src/rpc/", "executor/"]],
];

Deno.test("every import follows the architecture's arrows: faces depend on the core, never the reverse", async () => {
  const entries = Object.values(denoJson.exports);
  const wrong = new Set<string>();
  const checked = new Set<string>();
  for (const entry of entries) {
    const info = await moduleGraph(entry);
    for (const { from, to } of edges(info)) {
      checked.add(`${from} → ${to}`);
      if (to.startsWith("npm:") || to.startsWith("node:") || from.startsWith("npm:")) continue;
      const rule = ALLOWED.find(([prefix]) => from.startsWith(prefix));
      assert.ok(rule, `no rule for ${from}`);
      if (!rule[1].some((prefix) => to.startsWith(prefix))) wrong.add(`${from} → ${to}`);
    }
  }
  assert.deepEqual([...wrong], []);
  // The check saw the graph: faces' edges into the core are among those checked.
  for (const edge of ["src/config/from_config.ts → src/codemode.ts", "src/mcp/server/server.ts → src/format.ts"]) {
    assert.ok(checked.has(edge), edge);
  }
});

Deno.test("every entry point is one of the documented subpaths", () => {
  assert.deepEqual(Object.keys(denoJson.exports), [
    ".",
    "./config",
    "./mcp",
    "./openapi",
    "./ai-sdk",
    "./langchain",
    "./langgraph",
    "./service",
    "./observability",
    "./cli",
  ]);
});

Deno.test("the framework faces are duck-typed: ./ai-sdk loads no AI SDK, ./langchain and ./langgraph not the `langchain` package", async () => {
  const npmOf = async (entry: string) =>
    [...staticClosure(entry, await moduleGraph(entry))].filter((m) => m.startsWith("npm:")).sort();
  // The AI SDK tool, the agents made tools (`agentTool`) and the createAgent middleware are duck-typed to their
  // framework's shapes. `agentTool` makes Codemode tools, so the core's own validators (ajv, re2js) come along.
  const core = ["npm:ajv", "npm:re2js", "npm:zod"];
  assert.deepEqual(await npmOf("src/integrations/ai_sdk.ts"), core);
  assert.deepEqual(await npmOf("src/integrations/langchain.ts"), ["npm:@langchain/core", ...core].sort());
  // The approval node calls LangGraph's own interrupt().
  assert.deepEqual(
    await npmOf("src/integrations/langgraph.ts"),
    ["npm:@langchain/core", "npm:@langchain/langgraph", ...core].sort(),
  );
});

Deno.test("./service loads hono and zod only; RemoteExecutor needs nothing but the WebSocket global and the wire formats", async () => {
  const npmOf = async (entry: string) =>
    [...staticClosure(entry, await moduleGraph(entry))].filter((m) => m.startsWith("npm:")).sort();
  assert.deepEqual(await npmOf("executor/service/mod.ts"), ["npm:hono", "npm:zod"]);
  const remote = [...staticClosure("executor/remote.ts", await moduleGraph("executor/remote.ts"))].sort();
  assert.deepEqual(remote.filter((m) => !m.startsWith("src/rpc/") && !m.startsWith("npm:")), [
    "executor/_remote_run.ts",
    "executor/remote.ts",
    "src/executor.ts",
    "src/limits.ts",
  ]);
  assert.deepEqual(remote.filter((m) => m.startsWith("npm:")), ["npm:zod"]);
});

Deno.test("./observability loads prom-client and @opentelemetry/api only, and no face", async () => {
  const loaded = [...staticClosure("src/observability/mod.ts", await moduleGraph("src/observability/mod.ts"))];
  assert.deepEqual(loaded.filter((m) => FACES.test(m) && !m.startsWith("src/observability/")), []);
  const packages = loaded.filter((m) => m.startsWith("npm:") && !m.startsWith("npm:zod")).sort();
  assert.deepEqual([...new Set(packages)], ["npm:@opentelemetry/api", "npm:prom-client"]);
});

Deno.test("the config loads observability (prom-client, OpenTelemetry) only for a config with logging or metrics", async () => {
  const loaded = [...staticClosure("src/config/mod.ts", await moduleGraph("src/config/mod.ts"))];
  assert.deepEqual(loaded.filter((m) => m.startsWith("src/observability/")), []);
  assert.deepEqual(loaded.filter((m) => /^npm:(prom-client|@opentelemetry\/)/.test(m)), []);
});
