// Abuse of the live view of an execution (`onEvent`, MCP progress and logging, `codemode run`'s
// terminal output): a script that floods log lines and tool calls to flood the MCP client or stall
// the host; a handler that never returns; log text, tool names and errors that carry terminal
// escape sequences (window title, screen clear, cursor moves, a carriage return to overwrite a line,
// bidi overrides) to take over the terminal of the person running `codemode run`; a logging level that
// is not one (`logging/setLevel`, the 2026-07-28 `_meta` key).
// Stopped by: onEvent's bounded queue (dropped events counted), the MCP live report's coalescing (at most one
// progress and one log notification per 250 ms per request, log batches capped at 8,192 characters, the rest
// counted), log text bounded by maxLogBytes before any event, the CLI writing every control character from the
// script as a visible escape, and the SDK's validation of logging levels (an unknown one is refused or ignored).
import assert from "node:assert/strict";
import { EmptyResultSchema, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { defineTool, type ExecutionEvent, MAX_QUEUED_EVENTS } from "../../mod.ts";
import { serveHttp } from "../../src/mcp/server/mod.ts";
import { LIVE_INTERVAL_MS, LiveReport, MAX_LOG_BATCH_CHARS } from "../../src/mcp/server/_live.ts";
import { connectHttp, connectHttpModern, demoCodemode, type ExecuteContent } from "../mcp/server/_helpers.ts";
import { hasPty, runInPty, runPiped, screen, withScriptFile } from "../_pty.ts";
import { sandbox } from "./_canaries.ts";

const FLOOD = `
  let n = 0;
  for (let i = 0; i < 2000; i++) {
    await tools.fast.ping({});
    for (let j = 0; j < 10; j++) console.log("flood", i, j, "x".repeat(80));
    n++;
  }
  return n;
`;

Deno.test("a script flooding log lines and tool calls sends its MCP client a bounded, coalesced stream", async () => {
  const ping = defineTool({ name: "fast.ping", input: z.object({}), handler: () => "pong" });
  await using cm = demoCodemode(117, {
    tools: [ping],
    limits: { maxToolCalls: 5000, maxLogBytes: 4_000_000, timeoutMs: 120_000 },
  });
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client } = await connectHttp(http.url);
    const logs: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
    await client.setLoggingLevel("debug");
    let progress = 0;
    const t0 = performance.now();
    const r = await client.callTool({ name: "execute_code", arguments: { code: FLOOD } }, undefined, {
      onprogress: () => void progress++,
      timeout: 120_000,
    });
    const ms = performance.now() - t0;
    assert.equal((r.structuredContent as unknown as ExecuteContent).result, 2000);
    const bound = Math.ceil(ms / LIVE_INTERVAL_MS) + 2;
    assert.ok(progress <= bound, `${progress} progress notifications in ${Math.round(ms)} ms (4,000 tool events)`);
    assert.ok(logs.length <= bound, `${logs.length} log notifications in ${Math.round(ms)} ms (20,000 lines)`);
    for (const data of logs) assert.ok(data.length <= MAX_LOG_BATCH_CHARS + 100, `a batch of ${data.length}`);
    assert.ok(logs.some((d) => /\[codemode\] \d+ more log lines not sent/.test(d)), "what was not sent is counted");
    await client.close();
  } finally {
    await http.close();
  }
});

/** 100,000 log lines and tool calls in one go, as a flooding script's events arrive between two sends. */
function flood(report: LiveReport): void {
  for (let i = 0; i < 100_000; i++) {
    report.onEvent({ type: "log", executionId: "x", atMs: 1, level: "log", text: "y".repeat(100) });
    report.onEvent({ type: "tool_start", executionId: "x", atMs: 1, callId: `x:${i}`, tool: "t.t" });
    report.onEvent({
      type: "tool_end",
      executionId: "x",
      atMs: 1,
      callId: `x:${i}`,
      tool: "t.t",
      ok: true,
      durationMs: 1,
    });
  }
}

type Sent = { method: string; params: Record<string, unknown> };

Deno.test("the MCP live report holds one batch at most, however many events arrive between two sends", async () => {
  const sent: Sent[] = [];
  const report = new LiveReport({
    progressToken: 1,
    logLevel: () => "debug",
    notify: (n) => (sent.push(n), Promise.resolve()),
  }, 60_000);
  report.onEvent({ type: "start", executionId: "x", atMs: 0, correlationId: "x" });
  await new Promise((resolve) => setTimeout(resolve, 10)); // the first state goes out at once
  assert.deepEqual(sent.map((n) => n.method), ["notifications/progress"]);
  flood(report); // the next send is a minute away: all of it waits, coalesced
  assert.equal(sent.length, 1);
  await report.close();
  assert.deepEqual(sent.map((n) => n.method), [
    "notifications/progress",
    "notifications/progress",
    "notifications/message",
  ]);
  assert.equal(sent[1].params.message, "tools.t.t done (100000 calls, 0.0 s)", "the latest state only");
  const data = String(sent[2].params.data);
  assert.ok(data.length <= MAX_LOG_BATCH_CHARS + 100, `one batch of ${data.length} characters`);
  assert.match(data, /\[codemode\] \d+ more log lines not sent$/);
  report.onEvent({ type: "log", executionId: "x", atMs: 2, level: "log", text: "late" });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(sent.length, 3, "nothing after close");
});

Deno.test("a cancelled request's live report drops what is pending and does not wait on a client that never reads", async () => {
  const sent: Sent[] = [];
  const report = new LiveReport({
    progressToken: 1,
    logLevel: () => "debug",
    notify: (n) => (sent.push(n), new Promise(() => {})),
  }, 60_000);
  report.onEvent({ type: "start", executionId: "x", atMs: 0, correlationId: "x" });
  await new Promise((resolve) => setTimeout(resolve, 10));
  flood(report);
  await report.close(false); // resolves although the first send never finishes
  assert.equal(sent.length, 1, "the pending state is dropped");
});

Deno.test("an onEvent that never settles holds at most MAX_QUEUED_EVENTS, and the flood still ends", async () => {
  await using cm = sandbox({ limits: { maxLogBytes: 4_000_000, timeoutMs: 60_000 } });
  const delivered: ExecutionEvent[] = [];
  const r = await cm.execute(`for (let i = 0; i < 20000; i++) console.log(i); return "done"`, {
    onEvent: (e) => (delivered.push(e), new Promise(() => {})),
  });
  assert.equal(r.result, "done");
  assert.equal(r.logs.length, 20_000);
  assert.deepEqual(delivered.map((e) => e.type), ["start"], "one delivery, then the queue holds");
  assert.ok(MAX_QUEUED_EVENTS < 20_000);
});

const HOSTILE = String.raw`
  console.log("title \x1b]0;pwned\x07 clear \x1b[2J\x1b[H home");
  console.log("overwrite\rFAKE [tool] ok");
  console.log("bidi \u202Eevil\u202C and C1 \x9b31m");
  await tools["a\x1b[31mb"].c({}).catch(() => {});
  throw new Error("bye \x1b[?1049h alt screen");
`;

function assertInert(output: string): void {
  // The only escape sequences are the CLI's own: its line clears.
  const foreign = output.replaceAll("\r\x1b[2K", "");
  assert.ok(!foreign.includes("\x1b"), `a raw ESC reached the terminal: ${JSON.stringify(foreign)}`);
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\x07\x9b\u202e]/.test(foreign), "no raw BEL, CSI or bidi override");
  assert.ok(!foreign.includes("\rFAKE"), "no raw carriage return");
  assert.match(foreign, /title \\x1b\]0;pwned\\x07 clear \\x1b\[2J\\x1b\[H home/);
  assert.match(foreign, /overwrite\\x0dFAKE/);
  assert.match(foreign, /bidi \\u\{202e\}evil\\u\{202c\} and C1 \\x9b31m/);
  assert.match(foreign, /\[tool\] a\\x1b\[31mb\.c failed/);
  assert.match(foreign, /bye \\x1b\[\?1049h alt screen/);
}

Deno.test({
  name: "hostile escape sequences in logs, tool names and errors reach a terminal escaped",
  ignore: !hasPty,
  fn: async () => {
    await withScriptFile(HOSTILE, async (file) => {
      const output = await runInPty([file, "--tools", "examples/demo/tools.ts"]);
      assertInert(output);
      assert.ok(screen(output).length >= 5);
      const piped = await runPiped([file, "--tools", "examples/demo/tools.ts"]);
      assert.equal(piped.code, 1);
      assertInert(piped.stderr);
      assert.ok(!piped.stderr.includes("\x1b"), "through pipes, no escape code at all");
    });
  },
});

Deno.test("a bad logging level is refused: logging/setLevel with an unknown level, a 2026-07-28 _meta level that is not one", async () => {
  await using cm = demoCodemode(118);
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client } = await connectHttp(http.url);
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    await assert.rejects(
      client.request({ method: "logging/setLevel", params: { level: "verbose" } }, EmptyResultSchema),
      /-32602|Invalid|invalid/,
    );
    const r = await client.callTool({ name: "execute_code", arguments: { code: `console.error("e"); return 1` } });
    assert.equal((r.structuredContent as unknown as ExecuteContent).result, 1);
    assert.deepEqual(logs, [], "no level was set: no log lines");
    await client.close();

    const modern = await connectHttpModern(http.url);
    const heard: unknown[] = [];
    modern.setNotificationHandler("notifications/message", (n) => void heard.push(n.params));
    for (const level of ["verbose", { level: "debug" }, "x".repeat(10_000)]) {
      const call = modern.callTool({
        name: "execute_code",
        arguments: { code: `console.error("e"); return 1` },
        _meta: { "io.modelcontextprotocol/logLevel": level },
      });
      // The SDK refuses an envelope with a bad log level, or the level is ignored: never a log line.
      await call.then((res) => assert.equal((res.structuredContent as unknown as ExecuteContent).result, 1), () => {});
    }
    assert.deepEqual(heard, []);
    await modern.close();
  } finally {
    await http.close();
  }
});
