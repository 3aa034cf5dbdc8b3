// Abuse of the MCP HTTP server's observability doors: /metrics without the
// key, from a foreign origin or with another method; X-Request-Id values that
// are huge, hold control characters or try to forge log lines.
// Stopped by: `/metrics` sits behind the same bearer key and origin checks; `X-Request-Id` is accepted only when short
// and printable, else ignored and logged by its length.
import assert from "node:assert/strict";
import { Codemode } from "../../mod.ts";
import { type LogEvent, serveHttp } from "../../src/mcp/server/mod.ts";
import { Observability } from "../../src/observability/mod.ts";
import { call, connectHttp, type ExecuteContent, rawRequest } from "../mcp/server/_helpers.ts";
import { sample } from "../observability/_exposition.ts";

const KEY = "test-key-0123456789";
const AUTH = { Authorization: `Bearer ${KEY}` };

async function observed() {
  const lines: string[] = [];
  const events: LogEvent[] = [];
  const observer = new Observability({ logLevel: "debug", logWrite: (l) => void lines.push(l) });
  const cm = new Codemode({ observer });
  const http = await serveHttp(cm, { port: 0, apiKey: KEY, metrics: observer, log: (e) => void events.push(e) });
  return {
    observer,
    http,
    lines,
    events,
    async [Symbol.asyncDispose]() {
      await http.close();
      await cm.close();
    },
  };
}

Deno.test("/metrics needs the bearer key (401), a loopback Host and an allowed Origin (403), and GET (405); refusals are counted", async () => {
  await using s = await observed();
  const url = new URL("/metrics", s.http.url);
  for (const headers of [{}, { Authorization: "Bearer wrong" }, { Authorization: KEY }] as Record<string, string>[]) {
    const res = await fetch(url, { headers });
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.ok(!(await res.text()).includes("codemode_"), "nothing of the metrics leaks");
  }
  const foreign = await fetch(url, { headers: { ...AUTH, Origin: "https://evil.example" } });
  await foreign.body?.cancel();
  assert.equal(foreign.status, 403);
  const host = await rawRequest(s.http.port, [
    "GET /metrics HTTP/1.1",
    "Host: evil.example",
    `Authorization: Bearer ${KEY}`,
  ]);
  assert.equal(host, 403);
  const posted = await fetch(url, { method: "POST", headers: AUTH, body: "x" });
  await posted.body?.cancel();
  assert.equal(posted.status, 405);
  const text = await (await fetch(url, { headers: AUTH })).text();
  assert.equal(sample(text, "codemode_rejected_total", { reason: "auth" }), 3);
  assert.equal(sample(text, "codemode_rejected_total", { reason: "origin" }), 1);
  assert.equal(sample(text, "codemode_rejected_total", { reason: "host" }), 1);
  assert.equal(sample(text, "codemode_rejected_total", { reason: "method" }), 1);
});

Deno.test("a huge, spaced or non-ASCII X-Request-Id is not used, echoed or logged: the correlation id is the execution's", async () => {
  await using s = await observed();
  const values = ["r".repeat(16_000), "a\tb", "two words", "req-\u00e9t\u00e9", `x","level":"error","msg":"forged`];
  for (const value of values) {
    const { client } = await connectHttp(s.http.url, { ...AUTH, "X-Request-Id": value });
    const r = await call(client, "execute_code", { code: "return 1" });
    const content = r.structuredContent as unknown as ExecuteContent & { correlationId: string };
    assert.equal(content.correlationId, content.executionId, JSON.stringify(value.slice(0, 40)));
    await client.close();
    const res = await fetch(new URL("/metrics", s.http.url), { headers: { ...AUTH, "X-Request-Id": value } });
    await res.body?.cancel();
    assert.equal(res.headers.get("x-request-id"), null, "an invalid id is not echoed");
  }
  const logged = s.lines.join("") + JSON.stringify(s.events);
  assert.ok(!logged.includes("r".repeat(200)), "the huge id is not logged");
  assert.ok(!logged.includes("forged"), "no part of a forged id is logged");
  assert.ok(s.lines.every((l) => JSON.parse(l).msg !== "forged"));
  const invalid = s.events.filter((e) => e.event === "request_id_invalid");
  assert.deepEqual(invalid.map((e) => e.length), values.map((v) => v.length), "logged by their length only");
});

Deno.test("an X-Request-Id with control characters sent over raw TCP is refused or ignored, never echoed or logged", async () => {
  await using s = await observed();
  for (const value of ["\x1b[31mred", "a\x01b", "a\x7fb"]) {
    const response = await rawExchange(s.http.port, [
      "GET /metrics HTTP/1.1",
      `Host: 127.0.0.1:${s.http.port}`,
      `Authorization: Bearer ${KEY}`,
      `X-Request-Id: ${value}`,
    ]);
    assert.match(response, /^HTTP\/1\.1 (200|400) /);
    assert.doesNotMatch(response, /^x-request-id:/im, "not echoed");
  }
  const logged = s.lines.join("") + JSON.stringify(s.events);
  assert.ok(!["\x01", "\x1b", "\x7f"].some((c) => logged.includes(c)), "no control character reaches the log raw");
});

/** Sends one raw HTTP/1.1 request (headers fetch would refuse) and returns the whole response. */
async function rawExchange(port: number, head: string[]): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode([...head, "Connection: close", "", ""].join("\r\n")));
  return await new Response(conn.readable).text();
}
