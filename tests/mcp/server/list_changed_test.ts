// When the catalogue changes (a tool source reloads), clients of both eras hear
// `notifications/tools/list_changed` and `notifications/resources/list_changed`,
// and `execute_code`'s description names the new namespaces. Real HTTP on
// 127.0.0.1 and both official SDK clients; over stdio, an upstream MCP server
// that adds a tool at run time (`tests/mcp/e2e_test.ts`).
import assert from "node:assert/strict";
import { z } from "zod";
import { type AnyTool, defineTool, type ToolSource } from "../../../mod.ts";
import { InMemoryTransport } from "@modelcontextprotocol/server";
import { Client as ModernClient } from "@modelcontextprotocol/client";
import { createMcpServer, serveHttp } from "../../../src/mcp/server/mod.ts";
import { connectHttp, connectHttpModern, demoCodemode, INITIALIZE, post, waitFor } from "./_helpers.ts";

/** A tool source whose tools the test changes, telling Codemode as an MCP client would. */
class ChangingSource implements ToolSource {
  readonly namespace = "extra";
  readonly startup = "eager" as const;
  #tools: AnyTool[] = [tool("extra.one")];
  #changed?: () => void;
  load(): Promise<AnyTool[]> {
    return Promise.resolve(this.#tools);
  }
  onChange(callback: () => void): void {
    this.#changed = callback;
  }
  add(name: string): void {
    this.#tools = [...this.#tools, tool(name)];
    this.#changed?.();
  }
  /** Tells Codemode to reload, with the same tools: a reconnection that found them unchanged. */
  touch(): void {
    this.#changed?.();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function tool(name: string): AnyTool {
  return defineTool({ name, description: `The ${name} tool.`, input: z.object({}), handler: () => name });
}

Deno.test("http: a changed catalogue is announced to a 2025-era session and a 2026-07-28 listen stream", async () => {
  const source = new ChangingSource();
  await using cm = demoCodemode(95, { sources: [source] });
  const http = await serveHttp(cm, { port: 0 });
  try {
    // A 2025-era session's GET stream, raw: once its headers are in, the server holds the stream.
    const init = await post(http.url, INITIALIZE);
    const session = { "Mcp-Session-Id": init.headers.get("mcp-session-id")!, "Mcp-Protocol-Version": "2025-06-18" };
    const initialized = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" });
    assert.equal((await post(http.url, initialized, session)).status, 202);
    const stream = await fetch(http.url, { headers: { ...session, Accept: "text/event-stream" } });
    assert.equal(stream.status, 200);
    const modern = await connectHttpModern(http.url);
    const heard = { modernTools: 0, modernResources: 0 };
    modern.setNotificationHandler("notifications/tools/list_changed", () => void heard.modernTools++);
    modern.setNotificationHandler("notifications/resources/list_changed", () => void heard.modernResources++);
    const subscription = await modern.listen({ toolsListChanged: true, resourcesListChanged: true });
    assert.deepEqual(subscription.honoredFilter, { toolsListChanged: true, resourcesListChanged: true });
    const old = await connectHttp(http.url);
    const described = async () => (await old.client.listTools()).tools[0].description ?? "";
    assert.match(await described(), /extra \(1\)/);

    source.add("extra.two");
    const events = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = "";
    while (!/resources\/list_changed/.test(received) || !/tools\/list_changed/.test(received)) {
      const { value, done } = await events.read();
      assert.ok(!done, `the GET stream ended early: ${received}`);
      received += value;
    }
    await events.cancel();
    await waitFor(() => heard.modernTools > 0 && heard.modernResources > 0, 10_000, "the listen stream hears it");
    assert.match(await described(), /extra \(2\)/);
    const { tools } = await modern.listTools(undefined, { cacheMode: "refresh" });
    assert.match(tools[0].description ?? "", /extra \(2\)/);
    const listed = await modern.readResource({ uri: "codemode://namespaces" });
    const { namespaces } = JSON.parse((listed.contents[0] as { text: string }).text);
    assert.deepEqual(namespaces.find((n: { name: string }) => n.name === "extra").tools, 2);
    await subscription.close();
    await modern.close();
    await old.client.close();
  } finally {
    await http.close();
  }
});

Deno.test("createMcpServer: a reload that leaves the namespaces as they were sends nothing; a change does", async () => {
  const source = new ChangingSource();
  await using cm = demoCodemode(95, { sources: [source] });
  const server = await createMcpServer(cm);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new ModernClient({ name: "in-memory", version: "1" });
  let heard = 0;
  client.setNotificationHandler("notifications/tools/list_changed", () => void heard++);
  await client.connect(clientSide);
  let reloads = 0;
  cm.onCatalogChange(() => reloads++);
  // One channel: a notification the reload sent is delivered before the answer to a later ping.
  source.touch();
  await waitFor(() => reloads === 1, 5000, "the source reloaded");
  await client.ping();
  assert.equal(heard, 0, "the same namespaces and counts: no list_changed");
  source.add("extra.three");
  await waitFor(() => reloads === 2, 5000, "the source reloaded again");
  await client.ping();
  assert.equal(heard, 1);
  assert.match((await client.listTools()).tools[0].description ?? "", /extra \(2\)/);
  await client.close();
  await server.close();
});
