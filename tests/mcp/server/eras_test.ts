// Both protocol eras against `codemode mcp`: a 2025-era client (SDK v1, `initialize`) and a
// 2026-07-28 client (SDK v2, `server/discover`), over stdio (real server processes) and over
// Streamable HTTP (one endpoint, 127.0.0.1), with real sandboxes.
import assert from "node:assert/strict";
import { serveHttp } from "../../../src/mcp/server/mod.ts";
import {
  call,
  connectHttp,
  connectHttpModern,
  connectStdio,
  connectStdioModern,
  DEMO_TOOLS,
  demoCodemode,
  type ExecuteContent,
  MCP_HEADERS,
  MODERN,
  post,
  rpcMessage,
} from "./_helpers.ts";

const KEY = "test-key-eras-0123456789";
const AUTH = { Authorization: `Bearer ${KEY}` };
const DIALECT = "https://json-schema.org/draft/2020-12/schema";
const SCRIPT = `const w = await tools.weather.get({ city: "Oslo" }); return w.tempC;`;

/** `server/discover` as an SDK v2 client sends it. */
const DISCOVER = JSON.stringify({
  jsonrpc: "2.0",
  id: "probe-1",
  method: "server/discover",
  params: {
    _meta: {
      "io.modelcontextprotocol/protocolVersion": MODERN,
      "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
      "io.modelcontextprotocol/clientCapabilities": {},
    },
  },
});

Deno.test("stdio: a 2025-era client (initialize) and a 2026-07-28 client (server/discover) both run scripts", async () => {
  await using old = await connectStdio(["--tools", DEMO_TOOLS]);
  await using modern = await connectStdioModern(["--tools", DEMO_TOOLS]);
  assert.equal(modern.client.getNegotiatedProtocolVersion(), MODERN);
  assert.equal(modern.client.getProtocolEra(), "modern");
  for (const client of [old.client, modern.client]) {
    assert.equal(client.getServerVersion()?.name, "codemode");
    assert.match(client.getInstructions() ?? "", /currency \(1\), db \(1\), weather \(1\)/);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ["execute_code", "search_tools", "get_tool_types"]);
    // JSON Schema 2020-12, the dialect both revisions name as the default, stated in every input schema.
    assert.deepEqual(tools.map((t) => t.inputSchema.$schema), [DIALECT, DIALECT, DIALECT]);
  }
  const r = await modern.client.callTool({ name: "execute_code", arguments: { code: SCRIPT } });
  assert.equal((r.structuredContent as unknown as ExecuteContent).result, 4);
  const o = await call(old.client, "execute_code", { code: SCRIPT });
  assert.equal((o.structuredContent as unknown as ExecuteContent).result, 4);
});

Deno.test("http: one endpoint serves a 2025-era client with a session and a 2026-07-28 client without one", async () => {
  await using cm = demoCodemode(111);
  const http = await serveHttp(cm, { port: 0, apiKey: KEY });
  try {
    const old = await connectHttp(http.url, AUTH);
    const modern = await connectHttpModern(http.url, AUTH);
    assert.equal(modern.getNegotiatedProtocolVersion(), MODERN);
    assert.equal(http.sessionCount, 1, "only the 2025-era client has a session");
    const [a, b] = await Promise.all([
      call(old.client, "execute_code", { code: SCRIPT }),
      modern.callTool({ name: "execute_code", arguments: { code: SCRIPT } }),
    ]);
    assert.equal((a.structuredContent as unknown as ExecuteContent).result, 4);
    assert.equal((b.structuredContent as unknown as ExecuteContent).result, 4);
    const search = await modern.callTool({ name: "search_tools", arguments: { query: "currency" } });
    assert.equal((search.structuredContent as { matches: { name: string }[] }).matches[0].name, "currency.convert");
    const { tools } = await modern.listTools();
    assert.equal(tools[0].inputSchema.$schema, DIALECT);
    assert.match(tools[0].description ?? "", /Namespaces \(tool count\): currency \(1\), db \(1\), weather \(1\)/);
    await modern.close();
    await old.client.close();
    assert.equal(http.sessionCount, 1, "the v1 client does not end its session on close (it never DELETEs)");
  } finally {
    await http.close();
  }
});

Deno.test("http: server/discover is answered with 2026-07-28 (before the SDK v2 it was -32601); the key still applies", async () => {
  await using cm = demoCodemode(111);
  const http = await serveHttp(cm, { port: 0, apiKey: KEY });
  try {
    const headers = { "Mcp-Protocol-Version": MODERN, "Mcp-Method": "server/discover" };
    assert.equal((await post(http.url, DISCOVER, headers)).status, 401);
    const res = await post(http.url, DISCOVER, { ...headers, ...AUTH });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers.get("mcp-session-id"), null, "no session in the 2026-07-28 era");
    const { result } = rpcMessage(res.body);
    assert.ok(result, res.body);
    assert.ok((result.supportedVersions as string[]).includes(MODERN), JSON.stringify(result));
    const meta = result._meta as Record<string, { name: string }>;
    assert.equal(meta["io.modelcontextprotocol/serverInfo"].name, "codemode");
    assert.match(String(result.instructions), /Namespaces: currency \(1\), db \(1\), weather \(1\)/);
    assert.equal(http.sessionCount, 0);
  } finally {
    await http.close();
  }
});

Deno.test("http: a request that claims 2026-07-28 without the _meta envelope is refused, and opens no session", async () => {
  await using cm = demoCodemode(111);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const list = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    const res = await post(http.url, list, {
      ...MCP_HEADERS,
      "Mcp-Protocol-Version": MODERN,
      "Mcp-Method": "tools/list",
    });
    assert.equal(res.status, 400, res.body);
    assert.equal(rpcMessage(res.body).error?.code, -32602);
    assert.match(rpcMessage(res.body).error?.message ?? "", /envelope/);
    assert.equal(http.sessionCount, 0);
  } finally {
    await http.close();
  }
});
