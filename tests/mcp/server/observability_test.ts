// `serveHttp` with an Observability: `GET /metrics` behind the bearer key,
// X-Request-Id as the executions' correlation id (to the handlers, the result,
// the audit trail), the MCP session as the audit's principal. Official SDK
// clients of both eras, real sandboxes.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool, type ToolContext } from "../../../mod.ts";
import { serveHttp } from "../../../src/mcp/server/mod.ts";
import { type AuditRecord, Observability } from "../../../src/observability/mod.ts";
import { HAS_PROMTOOL, promtoolCheck, sample } from "../../observability/_exposition.ts";
import { call, connectHttp, connectHttpModern, type ExecuteContent } from "./_helpers.ts";

const KEY = "test-key-0123456789";
const AUTH = { Authorization: `Bearer ${KEY}` };

function observedServer() {
  const contexts: ToolContext[] = [];
  const records: AuditRecord[] = [];
  const whoami = defineTool({
    name: "ctx.whoami",
    input: z.object({}),
    handler: (_input, ctx) => (contexts.push(ctx), ctx.correlationId ?? null),
  });
  const observer = new Observability({ logLevel: "silent", audit: (r) => void records.push(r) });
  const cm = new Codemode({ tools: [whoami], observer });
  return { cm, observer, contexts, records };
}

Deno.test("http: X-Request-Id is the correlation id of a 2025-era session's execution, and its principal the MCP session", async () => {
  const { cm, contexts, records, observer } = observedServer();
  await using _cm = cm;
  const http = await serveHttp(cm, { port: 0, apiKey: KEY, metrics: observer });
  try {
    const { client, transport } = await connectHttp(http.url, { ...AUTH, "X-Request-Id": "req-2025-a1" });
    const r = await call(client, "execute_code", { code: "return await tools.ctx.whoami({})" });
    const s = r.structuredContent as unknown as ExecuteContent & { correlationId: string };
    assert.deepEqual([s.result, s.correlationId], ["req-2025-a1", "req-2025-a1"]);
    assert.equal(contexts[0].correlationId, "req-2025-a1");
    assert.ok(transport.sessionId);
    assert.deepEqual([records[0].correlationId, records[0].principal], [
      "req-2025-a1",
      `mcp-session:${transport.sessionId}`,
    ]);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("http: a 2026-07-28 request's X-Request-Id reaches the handler; without one the correlation id is the execution's id", async () => {
  const { cm, records, observer } = observedServer();
  await using _cm = cm;
  const http = await serveHttp(cm, { port: 0, apiKey: KEY, metrics: observer });
  try {
    const modern = await connectHttpModern(http.url, { ...AUTH, "X-Request-Id": "req-2026-b2" });
    const r = await modern.callTool({ name: "execute_code", arguments: { code: "return await tools.ctx.whoami({})" } });
    assert.equal((r.structuredContent as { result: unknown }).result, "req-2026-b2");
    assert.equal(records[0].principal, "mcp-http");
    await modern.close();
    const { client } = await connectHttp(http.url, AUTH);
    const plain = (await call(client, "execute_code", { code: "return await tools.ctx.whoami({})" }))
      .structuredContent as unknown as ExecuteContent & { correlationId: string };
    assert.equal(plain.correlationId, plain.executionId);
    assert.equal(plain.result, plain.executionId);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("http: a valid X-Request-Id is echoed on the response", async () => {
  const { cm, observer } = observedServer();
  await using _cm = cm;
  const http = await serveHttp(cm, { port: 0, apiKey: KEY, metrics: observer });
  try {
    const res = await fetch(new URL("/metrics", http.url), { headers: { ...AUTH, "X-Request-Id": "req-echo-1" } });
    await res.body?.cancel();
    assert.equal(res.headers.get("x-request-id"), "req-echo-1");
  } finally {
    await http.close();
  }
});

Deno.test("http: GET /metrics serves the exposition of the executions the MCP clients ran, promtool-clean", async () => {
  const { cm, observer } = observedServer();
  await using _cm = cm;
  const http = await serveHttp(cm, { port: 0, apiKey: KEY, metrics: observer });
  try {
    const { client } = await connectHttp(http.url, AUTH);
    await call(client, "execute_code", { code: "await tools.ctx.whoami({}); return 1" });
    await call(client, "execute_code", { code: "throw new Error('x')" });
    await client.close();
    const res = await fetch(new URL("/metrics", http.url), { headers: AUTH });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    assert.equal(sample(text, "codemode_tool_calls_total", { tool: "ctx.whoami", outcome: "ok" }), 1);
    assert.equal(sample(text, "codemode_executions_total", { outcome: "ok", stop_reason: "completed" }), 1);
    assert.equal(sample(text, "codemode_executions_total", { outcome: "error", stop_reason: "error" }), 1);
    if (HAS_PROMTOOL) {
      const checked = await promtoolCheck(text);
      assert.ok(checked.success, checked.output);
    }
    const head = await fetch(new URL("/metrics", http.url), { method: "HEAD", headers: AUTH });
    assert.deepEqual([head.status, await head.text()], [200, ""]);
  } finally {
    await http.close();
  }
});

Deno.test("http: without the metrics option, /metrics is not served", async () => {
  await using cm = new Codemode();
  const http = await serveHttp(cm, { port: 0 });
  try {
    const res = await fetch(new URL("/metrics", http.url));
    await res.body?.cancel();
    assert.equal(res.status, 404);
  } finally {
    await http.close();
  }
});
