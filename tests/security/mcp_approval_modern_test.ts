// Abuse of the 2026-07-28 approval door (input_required, then the call sent again with the answer and
// requestState): forged, altered, replayed and borrowed requestState; a client that never comes back;
// more waiting executions than the cap; answers that are garbage or missing; a client that leaves
// while its retry is served. A raw client over real sockets (the hostile one), real sandboxes.
// Stopped by: HMAC-sealed `requestState` bound to the client's `Authorization` and the code, single use,
// `approvalTimeoutMs`, `maxWaitingExecutions`.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool, type ExecutionResult } from "../../mod.ts";
import { type HttpMcpServer, type LogEvent, serveHttp } from "../../src/mcp/server/mod.ts";
import type { HttpServeOptions } from "../../src/mcp/server/http.ts";
import { INVALID_STATE_MESSAGE } from "../../src/mcp/server/_input_required.ts";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernHttpTransport,
} from "@modelcontextprotocol/client";
import { fetchKeepingSignals } from "../../src/mcp/client/_fetch.ts";
import {
  connectStdioModern,
  modernRequest,
  type RpcMessage,
  rpcMessage,
  sandboxes,
  waitFor,
} from "../mcp/server/_helpers.ts";
import { guarded } from "./_guarded.ts";

const ELICITATION = { elicitation: { form: {} } };
let nextId = 1;

/** Sends `execute_code` as a 2026-07-28 client that declares elicitation; `retry` adds requestState and inputResponses. */
async function execute(
  url: URL,
  code: string,
  retry: { requestState?: unknown; inputResponses?: unknown } = {},
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<RpcMessage> {
  const params = { name: "execute_code", arguments: { code }, ...retry };
  const { body, headers } = modernRequest(nextId++, "tools/call", params, {
    name: "execute_code",
    capabilities: ELICITATION,
  });
  const res = await fetch(url, { method: "POST", headers: { ...headers, ...init.headers }, body, signal: init.signal });
  return rpcMessage(await res.text());
}

/** The question and ticket of an `input_required` answer. */
function asked(m: RpcMessage): { requestState: string; message: string } {
  const result = m.result as {
    resultType?: string;
    requestState?: string;
    inputRequests?: { approval?: { method: string; params: { message: string; mode: string } } };
  };
  assert.equal(result?.resultType, "input_required", JSON.stringify(m).slice(0, 500));
  const question = result.inputRequests?.approval;
  assert.equal(question?.method, "elicitation/create");
  assert.equal(question?.params.mode, "form");
  assert.equal(typeof result.requestState, "string");
  return { requestState: result.requestState!, message: question!.params.message };
}

/** The structured content of a final `execute_code` result. */
function final(m: RpcMessage): { ok: boolean; stopReason: string; result?: unknown } {
  assert.ok(m.result && m.result.resultType !== "input_required", JSON.stringify(m).slice(0, 500));
  return m.result.structuredContent as { ok: boolean; stopReason: string; result?: unknown };
}

/** Asserts the one refusal every bad requestState gets (a tool error), and that it does not echo the state. */
function assertRefused(m: RpcMessage, state: unknown): void {
  if (typeof state !== "string") {
    // The SDK's own check, before any handler: a JSON-RPC error.
    assert.equal(m.error?.code, -32602, JSON.stringify(m).slice(0, 500));
    assert.match(m.error?.message ?? "", /Invalid or expired requestState/);
    return;
  }
  assert.equal(m.result?.isError, true, JSON.stringify(m).slice(0, 500));
  assert.deepEqual(m.result?.content, [{ type: "text", text: INVALID_STATE_MESSAGE }]);
  assert.equal(m.result?.structuredContent, undefined);
  if (state.length > 8) assert.ok(!JSON.stringify(m).includes(state), "the state is not echoed");
}

const YES = { approval: { action: "accept", content: { approve: true } } };
const DECLINE = { approval: { action: "decline" } };

/** Flips one character of a string at `index` (from the end when negative). */
function flip(s: string, index: number): string {
  const i = index < 0 ? s.length + index : index;
  return s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
}

/** A server over {@linkcode guarded} tools, with its log and the results of its executions. */
async function guardedServer(memoryMb: number, options: Partial<HttpServeOptions> = {}, extra = guarded(memoryMb)) {
  const events: LogEvent[] = [];
  const results: ExecutionResult[] = [];
  const http: HttpMcpServer = await serveHttp(extra.cm, {
    port: 0,
    log: (e) => events.push(e),
    onExecution: (p) => void p.then((r) => results.push(r)),
    ...options,
  });
  return {
    http,
    ran: extra.ran,
    events,
    results,
    async [Symbol.asyncDispose]() {
      await http.close();
      await extra.cm.close();
    },
  };
}

const DELETE_X = `return await tools.files.delete({ path: "/x" })`;

Deno.test("mcp approval 2026-07-28: forged, altered, borrowed requestState is refused with one message; the real one works, once", async () => {
  await using s = await guardedServer(131);
  await using other = await guardedServer(131);
  const first = asked(await execute(s.http.url, DELETE_X));
  assert.match(
    first.message,
    /^A script wants to run tools\.files\.delete with this input:\n\n\{\n {2}"path": "\/x"\n\}/,
  );
  const ticket = first.requestState;
  const [body, mac] = [ticket.slice(0, ticket.lastIndexOf(".")), ticket.slice(ticket.lastIndexOf(".") + 1)];
  const forged: unknown[] = [
    "garbage",
    "",
    "v1.e30.AAAA",
    `v1.${btoa(JSON.stringify({ p: { r: "x", n: 0, c: "y" }, exp: 9e9 })).replaceAll("=", "")}.${mac}`,
    flip(ticket, 8), // the payload altered
    flip(ticket, -2), // the MAC altered
    `${body}.${mac}${mac}`,
    "x".repeat(100_000),
    42,
    { r: "x" },
  ];
  for (const state of forged) {
    assertRefused(await execute(s.http.url, DELETE_X, { requestState: state, inputResponses: YES }), state);
  }
  // The real ticket with another script, from another principal, or at another server (another key): refused too.
  const otherCode = `return await tools.files.delete({ path: "/etc" })`;
  assertRefused(await execute(s.http.url, otherCode, { requestState: ticket, inputResponses: YES }), ticket);
  const someoneElse = { headers: { Authorization: "Bearer someone-else" } }; // no key is required here: any passes
  assertRefused(
    await execute(s.http.url, DELETE_X, { requestState: ticket, inputResponses: YES }, someoneElse),
    ticket,
  );
  assertRefused(await execute(other.http.url, DELETE_X, { requestState: ticket, inputResponses: YES }), ticket);
  assert.deepEqual(s.ran, [], "nothing ran");
  const reasons = new Set(s.events.filter((e) => e.event === "request_state_refused").map((e) => e.reason));
  assert.deepEqual([...reasons].sort(), ["another_call", "bind", "mac", "malformed"]);
  assert.equal(s.http.waitingCount, 1, "the script still waits for its answer");

  const done = final(await execute(s.http.url, DELETE_X, { requestState: ticket, inputResponses: YES }));
  assert.equal(done.result, "deleted /x");
  assert.deepEqual(s.ran, ["/x"]);
  assertRefused(await execute(s.http.url, DELETE_X, { requestState: ticket, inputResponses: YES }), ticket);
  assert.deepEqual(s.ran, ["/x"], "a replay runs nothing");
  assert.equal(s.http.waitingCount, 0);
});

Deno.test("mcp approval 2026-07-28: each requestState is good once: a replay mid-script and two retries at once get one answer", async () => {
  await using s = await guardedServer(131);
  const code =
    `const a = await tools.files.delete({ path: "/1" }); const b = await tools.files.delete({ path: "/2" }); return [a, b];`;
  const one = asked(await execute(s.http.url, code));
  const two = asked(await execute(s.http.url, code, { requestState: one.requestState, inputResponses: YES }));
  assert.match(two.message, /"path": "\/2"/);
  assert.notEqual(two.requestState, one.requestState);
  assertRefused(
    await execute(s.http.url, code, { requestState: one.requestState, inputResponses: YES }),
    one.requestState,
  );
  const both = await Promise.all(
    [1, 2].map(() => execute(s.http.url, code, { requestState: two.requestState, inputResponses: YES })),
  );
  const answered = both.filter((m) => !m.result?.isError);
  assert.equal(answered.length, 1, JSON.stringify(both).slice(0, 800));
  assert.deepEqual(final(answered[0]).result, ["deleted /1", "deleted /2"]);
  assertRefused(both.find((m) => m.result?.isError)!, two.requestState);
  assert.deepEqual(s.ran, ["/1", "/2"]);
});

Deno.test("mcp approval 2026-07-28: a client that never sends the call again: after approvalTimeoutMs the call is refused, the sandbox killed, the requestState refused", async () => {
  const memoryMb = 133;
  await using s = await guardedServer(memoryMb, { approvalTimeoutMs: 1000 });
  // The script would go on for minutes after a refusal: it is killed, not left running.
  const code = `try { await tools.files.delete({ path: "/x" }) } catch { while (true) {} }`;
  const { requestState } = asked(await execute(s.http.url, code));
  await waitFor(() => s.events.some((e) => e.event === "approval_expired"), 20_000, "the wait expires");
  await waitFor(() => s.results.length === 1, 20_000, "the execution ends");
  const [result] = s.results;
  assert.equal(result.stopReason, "killed");
  assert.deepEqual(result.toolCalls.map((c) => c.error), [
    "tools.files.delete was not run: no answer came: the MCP client did not send execute_code again within 1000 ms (approvalTimeoutMs)",
  ]);
  await waitFor(async () => (await sandboxes(memoryMb, Deno.pid)).length === 0, 10_000, "no sandbox is left");
  assert.equal(s.http.waitingCount, 0);
  assertRefused(await execute(s.http.url, code, { requestState, inputResponses: YES }), requestState);
  assert.deepEqual(s.ran, []);
});

Deno.test("mcp approval 2026-07-28: past maxWaitingExecutions a call that needs approval is refused at once; close() ends the waiting ones", async () => {
  const memoryMb = 135;
  await using s = await guardedServer(memoryMb, { maxWaitingExecutions: 2 });
  const script = (path: string) =>
    `try { return await tools.files.delete({ path: "${path}" }) } catch (e) { return e.message }`;
  const a = asked(await execute(s.http.url, script("/a")));
  asked(await execute(s.http.url, script("/b")));
  assert.equal(s.http.waitingCount, 2);
  const c = final(await execute(s.http.url, script("/c")));
  assert.match(
    String(c.result),
    /^tools\.files\.delete was not run: it needs approval, and 2 executions already wait for their MCP clients' answers \(the most this server keeps waiting: maxWaitingExecutions\); try again later/,
  );
  assert.equal(s.http.waitingCount, 2, "the refused one did not wait");
  // An answer frees a place.
  const declined = final(
    await execute(s.http.url, script("/a"), { requestState: a.requestState, inputResponses: DECLINE }),
  );
  assert.match(String(declined.result), /^tools\.files\.delete was not run: the person at the MCP client declined it/);
  asked(await execute(s.http.url, script("/d")));
  assert.equal((await sandboxes(memoryMb, Deno.pid)).length, 2, "the two waiting scripts are alive");
  await s.http.close();
  assert.equal(s.http.waitingCount, 0);
  await waitFor(async () => (await sandboxes(memoryMb, Deno.pid)).length === 0, 10_000, "close() killed them");
  assert.deepEqual(s.ran, []);
});

Deno.test("mcp approval 2026-07-28: garbage answers are refusals; a missing one is asked again with a new requestState", async () => {
  await using s = await guardedServer(137);
  const code = `
    const out = [];
    for (let i = 0; i < 4; i++) {
      try { out.push(await tools.files.delete({ path: "/" + i })); } catch (e) { out.push(e.message); }
    }
    return out;
  `;
  let question = asked(await execute(s.http.url, code));
  const answer = async (inputResponses: unknown) =>
    await execute(s.http.url, code, { requestState: question.requestState, inputResponses });
  // No answer, or none the SDK reads as one (not an object, an unknown action, a wrapped response): the same
  // question again, with a new ticket; the old one is spent.
  const missing = [
    undefined,
    {},
    { approval: "yes" },
    { approval: { action: "sure" } },
    { approval: { method: "elicitation/create", result: { action: "accept", content: { approve: true } } } },
    [YES.approval],
    7,
  ];
  for (const inputResponses of missing) {
    const again = asked(await answer(inputResponses));
    assert.equal(again.message, question.message);
    assertRefused(await answer(YES), question.requestState);
    question = again;
  }
  // Answers of the wrong kind, or with the wrong value: refusals, one per call.
  const garbage = [
    { approval: { action: "accept", content: { approve: "yes" } } },
    { approval: { roots: [] } },
    { approval: { action: "accept" } },
  ];
  for (const inputResponses of garbage) question = asked(await answer(inputResponses));
  const done = final(
    await answer({ approval: { action: "accept", content: { approve: false, note: "x".repeat(50_000) } } }),
  );
  const messages = done.result as string[];
  assert.deepEqual(messages.map((m) => m.replace(/ \(script\.ts:\d+:\d+\)$/, "")), [
    "tools.files.delete was not run: the person at the MCP client did not answer yes",
    "tools.files.delete was not run: the MCP client's answer is not an elicitation result",
    "tools.files.delete was not run: the person at the MCP client did not answer yes",
    "tools.files.delete was not run: the person at the MCP client did not answer yes",
  ]);
  assert.deepEqual(s.ran, []);
});

Deno.test("mcp approval 2026-07-28: a client that leaves while its retry is served has the execution killed", async () => {
  const memoryMb = 139;
  const started = Promise.withResolvers<void>();
  const tools = guarded(memoryMb, [
    defineTool({ name: "work.start", input: z.object({}), handler: () => (started.resolve(), "started") }),
  ]);
  await using s = await guardedServer(memoryMb, {}, tools);
  const code = `await tools.files.delete({ path: "/x" }); await tools.work.start({}); while (true) {}`;
  const { requestState } = asked(await execute(s.http.url, code));
  const leave = new AbortController();
  const retry = execute(s.http.url, code, { requestState, inputResponses: YES }, { signal: leave.signal }).catch((
    e: Error,
  ) => e);
  await started.promise; // the answer was delivered and the script went on
  leave.abort();
  assert.ok(await retry instanceof Error);
  await waitFor(() => s.results.length === 1, 10_000, "the execution ends");
  assert.equal(s.results[0].stopReason, "killed");
  await waitFor(async () => (await sandboxes(memoryMb, Deno.pid)).length === 0, 10_000, "the sandbox is killed");
  assert.equal(s.http.waitingCount, 0);
  assert.deepEqual(s.ran, ["/x"]);
});

Deno.test("mcp approval 2026-07-28 (stdio): a client that closes the connection while its script waits for an answer leaves no sandbox", async () => {
  const memoryMb = 141;
  const asked = Promise.withResolvers<void>();
  const client = new ModernClient({ name: "never-answers", version: "1" }, {
    capabilities: ELICITATION,
    versionNegotiation: { mode: "auto" },
  });
  // The person does not answer (until the end): the server has answered input_required, and the script waits.
  const answer = Promise.withResolvers<never>();
  client.setRequestHandler("elicitation/create", () => (asked.resolve(), answer.promise));
  const conn = await connectStdioModern(
    ["--tools", "tests/mcp/server/fixtures/approval_tools.ts", "--memory", String(memoryMb), "--pool", "0"],
    undefined,
    client,
  );
  const pending = client.callTool({ name: "execute_code", arguments: { code: DELETE_X } }).catch((e: Error) => e);
  await asked.promise;
  assert.equal((await sandboxes(memoryMb, conn.pid)).length, 1, "the script waits, alive");
  await conn[Symbol.asyncDispose](); // closes stdin; waits for the server to exit
  await waitFor(async () => (await sandboxes(memoryMb)).length === 0, 10_000, "no sandbox outlives the server");
  answer.reject(new Error("the dialog closed"));
  assert.ok(await pending instanceof Error);
});

Deno.test("mcp approval 2026-07-28: an SDK v2 client that gives up at its round cap leaves the execution waiting until approvalTimeoutMs", async () => {
  const memoryMb = 143;
  // Long enough for the client's immediate retries on a busy machine; the end is waited for, not timed.
  await using s = await guardedServer(memoryMb, { approvalTimeoutMs: 10_000 });
  const client = new ModernClient({ name: "two-rounds", version: "1" }, {
    capabilities: ELICITATION,
    versionNegotiation: { mode: "auto" },
    inputRequired: { maxRounds: 2 },
  });
  client.setRequestHandler("elicitation/create", () => ({ action: "accept", content: { approve: true } }));
  await client.connect(new ModernHttpTransport(s.http.url, { fetch: fetchKeepingSignals() }));
  const code = `for (const p of ["/1", "/2", "/3"]) await tools.files.delete({ path: p }); return "all"`;
  const gaveUp = await client.callTool({ name: "execute_code", arguments: { code } }).catch((e: Error) => e);
  assert.ok(gaveUp instanceof Error);
  assert.match(gaveUp.message, /still required input after 2 rounds/);
  assert.deepEqual(s.ran, ["/1", "/2"], "two answers were used; the third question was never answered");
  assert.equal(s.http.waitingCount, 1);
  await waitFor(() => s.results.length === 1, 40_000, "the execution ends at approvalTimeoutMs");
  assert.equal(s.results[0].stopReason, "killed");
  assert.equal(s.http.waitingCount, 0);
  await waitFor(async () => (await sandboxes(memoryMb, Deno.pid)).length === 0, 10_000, "no sandbox is left");
  await client.close();
});

Deno.test("mcp approval 2026-07-28: approvalTimeoutMs and maxWaitingExecutions must be positive integers", async () => {
  const { cm } = guarded(131);
  await using _cm = cm;
  for (const bad of [{ approvalTimeoutMs: 0 }, { approvalTimeoutMs: 1.5 }, { maxWaitingExecutions: -1 }]) {
    await assert.rejects(() => serveHttp(cm, { port: 0, ...bad }), RangeError);
  }
});
