// Live progress and logs of `execute_code`, as the official SDK clients receive them: a 2025-era
// client (SDK v1) over stdio and Streamable HTTP, a 2026-07-28 client (SDK v2) over both; in order,
// coalesced, level-filtered, and all sent before the call's response.
import assert from "node:assert/strict";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client";
import { type Client as ModernClient, Client as ModernClientClass } from "@modelcontextprotocol/client";
import { serveHttp } from "../../../src/mcp/server/mod.ts";
import { LIVE_INTERVAL_MS } from "../../../src/mcp/server/_live.ts";
import {
  connectHttp,
  connectHttpModern,
  connectStdio,
  connectStdioModern,
  DEMO_TOOLS,
  demoCodemode,
  type ExecuteContent,
} from "./_helpers.ts";

// Three calls in a row with a log line between each; a debug line, a warning and an error.
const SCRIPT = `
  console.debug("starting");
  const out = [];
  for (const city of ["Oslo", "Lima", "Pune"]) {
    const w = await tools.weather.get({ city });
    console.log("got", city, w.tempC);
    out.push(w.tempC);
  }
  console.warn("almost done");
  console.error("an error line");
  return out;
`;

/** The lines of SCRIPT at info and above, as the notifications carry them. */
const INFO_LINES = ["got Oslo 4", "got Lima 22", "got Pune 31", "[warn] almost done", "[error] an error line"];

interface Heard {
  progress: { progress: number; message?: string }[];
  logs: { level: string; data: unknown }[];
}

function listenV1(client: Client): Heard {
  const heard: Heard = { progress: [], logs: [] };
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    heard.logs.push({ level: n.params.level, data: n.params.data });
  });
  return heard;
}

/** The log lines of every notifications/message, in order. */
function lines(heard: Heard): string[] {
  return heard.logs.flatMap((l) => String(l.data).split("\n"));
}

/** What every live report must be: progress rising, the last one the end, and coalesced over `ms`. */
function assertReport(heard: Heard, ms: number, calls: number): void {
  assert.ok(heard.progress.length >= 1, "at least one progress notification");
  const values = heard.progress.map((p) => p.progress);
  assert.deepEqual(values, [...values].sort((a, b) => a - b), "progress only rises");
  assert.equal(new Set(values).size, values.length, "progress strictly rises");
  assert.match(heard.progress.at(-1)!.message ?? "", new RegExp(`^completed \\(${calls} calls, \\d+\\.\\d s\\)$`));
  // At most one of each kind per interval, plus the last state sent before the response.
  const bound = Math.ceil(ms / LIVE_INTERVAL_MS) + 2;
  assert.ok(heard.progress.length <= bound, `${heard.progress.length} progress notifications in ${ms} ms`);
  assert.ok(heard.logs.length <= bound, `${heard.logs.length} log notifications in ${ms} ms`);
}

async function callV1(client: Client, heard: Heard, code = SCRIPT): Promise<{ ms: number; s: ExecuteContent }> {
  const t0 = performance.now();
  const r = await client.callTool({ name: "execute_code", arguments: { code } }, undefined, {
    onprogress: (p) => void heard.progress.push({ progress: p.progress, message: p.message }),
  });
  return { ms: performance.now() - t0, s: r.structuredContent as unknown as ExecuteContent };
}

async function nothingAfter(client: { ping(): Promise<unknown> }, heard: Heard): Promise<void> {
  const before = JSON.stringify(heard);
  await client.ping(); // a round trip on the same connection: a late notification would be in before its answer
  assert.equal(JSON.stringify(heard), before, "nothing arrives after the response");
}

Deno.test("stdio, 2025-era client: progress with a progressToken, log lines at or above the level set, all before the response", async () => {
  await using conn = await connectStdio(["--tools", DEMO_TOOLS]);
  const heard = listenV1(conn.client);
  await conn.client.setLoggingLevel("info");
  const { ms, s } = await callV1(conn.client, heard);
  assert.deepEqual(s.result, [4, 22, 31]);
  assertReport(heard, ms, 3);
  // Every line at info or above, in the order written; the debug line is below the level.
  assert.deepEqual(lines(heard), INFO_LINES);
  assert.ok(heard.logs.every((l) => ["info", "warning", "error"].includes(l.level)));
  await nothingAfter(conn.client, heard);

  await conn.client.setLoggingLevel("error");
  const again: Heard = listenV1(conn.client);
  await callV1(conn.client, again);
  assert.deepEqual(lines(again), ["[error] an error line"]);
  assert.ok(again.logs.every((l) => l.level === "error"));
});

Deno.test("stdio, 2025-era client: without a progressToken nor logging/setLevel, nothing is sent", async () => {
  await using conn = await connectStdio(["--tools", DEMO_TOOLS]);
  const heard = listenV1(conn.client);
  let progress = 0;
  conn.client.fallbackNotificationHandler = () => Promise.resolve(void progress++);
  const r = await conn.client.callTool({ name: "execute_code", arguments: { code: SCRIPT } });
  assert.deepEqual((r.structuredContent as unknown as ExecuteContent).result, [4, 22, 31]);
  assert.equal(heard.logs.length, 0, "no log lines to a client that did not enable logging");
  assert.equal(progress, 0, "no other notification either");
});

Deno.test("Streamable HTTP, 2025-era session: progress and log lines on the request's stream", async () => {
  await using cm = demoCodemode(113);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client } = await connectHttp(http.url);
    const heard = listenV1(client);
    await client.setLoggingLevel("debug");
    const { ms, s } = await callV1(client, heard);
    assert.deepEqual(s.result, [4, 22, 31]);
    assertReport(heard, ms, 3);
    assert.deepEqual(lines(heard), ["[debug] starting", ...INFO_LINES]);
    await nothingAfter(client, heard);
    await client.close();
  } finally {
    await http.close();
  }
});

async function callModern(client: ModernClient, heard: Heard, level?: string): Promise<number> {
  client.setNotificationHandler("notifications/message", (n) => {
    heard.logs.push({ level: n.params.level, data: n.params.data });
  });
  const t0 = performance.now();
  const r = await client.callTool({
    name: "execute_code",
    arguments: { code: SCRIPT },
    ...(level ? { _meta: { "io.modelcontextprotocol/logLevel": level } } : {}),
  }, {
    onprogress: (p) => void heard.progress.push({ progress: p.progress, message: p.message }),
  });
  assert.deepEqual((r.structuredContent as unknown as ExecuteContent).result, [4, 22, 31]);
  return performance.now() - t0;
}

Deno.test("stdio, 2026-07-28 client: progress, and log lines at the level its request's _meta names", async () => {
  await using conn = await connectStdioModern(["--tools", DEMO_TOOLS]);
  const heard: Heard = { progress: [], logs: [] };
  const ms = await callModern(conn.client, heard, "warning");
  assertReport(heard, ms, 3);
  assert.deepEqual(lines(heard), ["[warn] almost done", "[error] an error line"]);
  const none: Heard = { progress: [], logs: [] };
  await callModern(conn.client, none);
  assert.equal(none.logs.length, 0, "no log level in _meta: no log lines");
});

Deno.test("Streamable HTTP, 2026-07-28 client: progress and log lines on the request's stream", async () => {
  await using cm = demoCodemode(114);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const client = await connectHttpModern(http.url);
    const heard: Heard = { progress: [], logs: [] };
    const ms = await callModern(client, heard, "info");
    assertReport(heard, ms, 3);
    assert.deepEqual(lines(heard), INFO_LINES);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("stdio, 2026-07-28 client with an approval: the first request hears the script until input_required, the retry the rest", async () => {
  const client = new ModernClientClass({ name: "codemode-test-v2", version: "1.0.0" }, {
    capabilities: { elicitation: { form: {} } },
    versionNegotiation: { mode: "auto" },
  });
  let asked = 0;
  client.setRequestHandler("elicitation/create", () => (asked++, { action: "accept", content: { approve: true } }));
  await using _conn = await connectStdioModern(
    ["--tools", "tests/mcp/server/fixtures/approval_tools.ts"],
    undefined,
    client,
  );
  const heard: Heard = { progress: [], logs: [] };
  client.setNotificationHandler("notifications/message", (n) => {
    heard.logs.push({ level: n.params.level, data: n.params.data });
  });
  const r = await client.callTool({
    name: "execute_code",
    arguments: {
      code:
        `console.log("before"); const d = await tools.files.delete({ path: "/x" }); console.log("after", d); return d`,
    },
    _meta: { "io.modelcontextprotocol/logLevel": "info" },
  }, { onprogress: (p) => void heard.progress.push({ progress: p.progress, message: p.message }) });
  assert.equal((r.structuredContent as unknown as ExecuteContent).result, "deleted /x", JSON.stringify(r));
  assert.equal(asked, 1, "one input_required, one retry");
  assert.deepEqual(lines(heard), ["before", "after deleted /x"]);
  assert.match(heard.progress.at(-1)?.message ?? "", /^completed \(1 calls, \d+\.\d s\)$/);
});
