// Abuse of the MCP approval door (elicitation): a client that never answers,
// answers that are garbage, an input too big to show, a script that floods
// the person with questions, a client that leaves while a question is open.
// Real sockets and processes, real sandboxes, the official SDK client.
// Stopped by: anything but a valid yes is a refusal; questions are asked one at a time with the input shown bounded;
// `approvalTimeoutMs`, the execution's end or the client leaving withdraws them.
import assert from "node:assert/strict";
import { z } from "zod";
// @ts-types="@modelcontextprotocol/sdk/types"
import { type ElicitRequest, ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client";
import { defineTool } from "../../mod.ts";
import { serveHttp } from "../../src/mcp/server/mod.ts";
import { MAX_QUESTION_INPUT_CHARS } from "../../src/mcp/server/_approval.ts";
import {
  call,
  connectHttp,
  connectStdio,
  type ExecuteContent,
  newClient,
  sandboxes,
  waitFor,
} from "../mcp/server/_helpers.ts";
import { guarded } from "./_guarded.ts";

const TOOLS = "tests/mcp/server/fixtures/approval_tools.ts";

function structured(r: Awaited<ReturnType<typeof call>>): ExecuteContent {
  return r.structuredContent as unknown as ExecuteContent;
}

/**
 * The request ids a connected client was told are cancelled (`notifications/cancelled`), read on
 * the wire: SDK 1.32's client drops a cancellation of request id 0 (typescript-sdk#2283), so its
 * handler's signal cannot tell that the first question was withdrawn.
 */
function cancellations(client: Client): Set<unknown> {
  const ids = new Set<unknown>();
  const transport = client.transport!;
  const onmessage = transport.onmessage!;
  transport.onmessage = (message, extra) => {
    const m = message as { method?: string; params?: { requestId?: unknown } };
    if (m.method === "notifications/cancelled") ids.add(m.params?.requestId);
    onmessage(message, extra);
  };
  return ids;
}

Deno.test("mcp approval: a client that never answers: the call is refused after approvalTimeoutMs (the script's clock stopped meanwhile), the question is withdrawn, the server stays healthy", async () => {
  const memoryMb = 109;
  const client = newClient({ elicitation: {} });
  let question: unknown;
  client.setRequestHandler(ElicitRequestSchema, (_request, extra) => {
    question = extra.requestId;
    return new Promise<ElicitResult>(() => {}); // never answers
  });
  await using conn = await connectStdio(
    // No warm pool: its waiting children would count as sandboxes left.
    ["--tools", TOOLS, "--timeout", "5000", "--memory", String(memoryMb), "--pool", "0"],
    undefined,
    client,
  );
  const cancelled = cancellations(client);
  const r = structured(await call(client, "execute_code", { code: `return await tools.files.delete({ path: "/x" })` }));
  // The script's own timeout does not run while its call waits for a person: the wait ends at approvalTimeoutMs
  // (by default as long as the script's timeout), and the call is refused.
  assert.equal(r.stopReason, "error");
  assert.deepEqual(r.toolCalls.map((c) => c.error), [
    "tools.files.delete was not run: the approval question to the MCP client failed: Request timed out",
  ]);
  await waitFor(() => question !== undefined, 5000, "the question was put before the execution ended");
  // The server withdrew its question (notifications/cancelled), and nothing of the execution is left running.
  await waitFor(() => cancelled.has(question), 5000, "the question is withdrawn");
  await waitFor(async () => (await sandboxes(memoryMb, conn.pid)).length === 0, 5000, "no sandbox is left");
  const next = structured(await call(client, "execute_code", { code: "return 6 * 7" }));
  assert.equal(next.result, 42, "the server is healthy after");
});

Deno.test("mcp approval: the execution ending, or the client leaving, while a question is open withdraws it and leaks nothing", async () => {
  const memoryMb = 111;
  const gate = Promise.withResolvers<void>();
  const { cm, ran } = guarded(memoryMb, [
    defineTool({ name: "gate.wait", input: z.object({}), handler: () => gate.promise.then(() => "open") }),
  ]);
  await using _cm = cm;
  const http = await serveHttp(cm, { port: 0 });
  try {
    const client = newClient({ elicitation: {} });
    const asked = Promise.withResolvers<unknown>();
    client.setRequestHandler(ElicitRequestSchema, (_request, extra) => {
      asked.resolve(extra.requestId);
      return new Promise<ElicitResult>(() => {});
    });
    await connectHttp(http.url, {}, client);
    const cancelled = cancellations(client);
    // The script returns while its call still waits for approval: the execution ends, the question goes.
    const running = call(client, "execute_code", {
      code: `tools.files.delete({ path: "/a" }).catch(() => {}); return await tools.gate.wait({});`,
    });
    const question = await asked.promise;
    gate.resolve();
    const r = structured(await running);
    assert.equal(r.result, "open");
    await waitFor(() => cancelled.has(question), 5000, "the question is withdrawn when the execution ends");

    // The client leaves (drops its connection) while a question is open: the execution is killed, its slot freed.
    const second = Promise.withResolvers<void>();
    client.setRequestHandler(ElicitRequestSchema, () => (second.resolve(), new Promise<ElicitResult>(() => {})));
    void call(client, "execute_code", { code: `return await tools.files.delete({ path: "/b" })` }).catch(() => {});
    await second.promise;
    assert.equal((await sandboxes(memoryMb, Deno.pid)).length, 1);
    await client.close();
    await waitFor(async () => (await sandboxes(memoryMb, Deno.pid)).length === 0, 5000, "the sandbox is killed");
    assert.deepEqual(ran, []);
  } finally {
    await http.close();
  }
});

Deno.test("mcp approval: garbage answers are refusals, with bounded messages, and nothing runs", async () => {
  const { cm, ran } = guarded(113);
  await using _cm = cm;
  const http = await serveHttp(cm, { port: 0 });
  const garbage: unknown[] = [
    { action: "accept", content: { approve: "yes" } }, // not the requested boolean
    { action: "accept", content: { approve: 1 } },
    { action: "accept" }, // accepted, but no answer
    { action: "accept", content: { approve: false, note: "x".repeat(50_000) } },
    { action: "sure", content: { approve: true } }, // not an action
    { approve: true },
    { action: "accept", content: "yes" },
  ];
  // (A result that is not an object is no JSON-RPC response: the transport drops it, and the
  // question stays open until the execution ends, as with a client that never answers.)
  try {
    const client = newClient({ elicitation: {} });
    // The fallback handler sends whatever it returns, unchecked by the client SDK: what a broken client would send.
    client.fallbackRequestHandler = (request) => {
      assert.equal(request.method, "elicitation/create");
      return Promise.resolve(garbage.shift() as never);
    };
    await connectHttp(http.url, {}, client);
    const n = garbage.length;
    const r = structured(
      await call(client, "execute_code", {
        code: `
          const out = [];
          for (let i = 0; i < ${n}; i++) {
            try { out.push(await tools.files.delete({ path: "/" + i })); } catch (e) { out.push(e.message); }
          }
          return out;
        `,
      }),
    );
    const messages = r.result as string[];
    assert.equal(messages.length, n);
    for (const message of messages) {
      assert.match(
        message,
        /^tools\.files\.delete was not run: the (approval question to the MCP client failed|person at the MCP client did not answer yes)/,
      );
      assert.ok(message.length < 600, `a bounded message, got ${message.length} characters`);
    }
    assert.deepEqual(ran, []);
    // An error response is a refusal too.
    client.fallbackRequestHandler = () => Promise.reject(new Error("the dialog crashed"));
    const failed = structured(
      await call(client, "execute_code", {
        code: `try { await tools.files.delete({ path: "/e" }) } catch (e) { return e.message }`,
      }),
    );
    assert.match(
      String(failed.result),
      /^tools\.files\.delete was not run: the approval question to the MCP client failed: .*the dialog crashed/,
    );
    assert.deepEqual(ran, []);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("mcp approval: a huge input is shown bounded in the question, and a flood of calls is asked one at a time", async () => {
  const { cm, ran } = guarded(115);
  await using _cm = cm;
  const http = await serveHttp(cm, { port: 0 });
  try {
    const client = newClient({ elicitation: {} });
    const questions: ElicitRequest["params"][] = [];
    let open = 0;
    let mostOpen = 0;
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      questions.push(request.params);
      mostOpen = Math.max(mostOpen, ++open);
      await Promise.resolve(); // answered later than at once: an overlapping question would show
      open--;
      return { action: "decline" };
    });
    await connectHttp(http.url, {}, client);
    const huge = structured(
      await call(client, "execute_code", {
        code:
          `try { await tools.files.write({ path: "/etc/big", text: "y".repeat(1_000_000) }) } catch (e) { return e.message }`,
      }),
    );
    assert.equal(
      huge.result,
      "tools.files.write was not run: the person at the MCP client declined it (script.ts:1:25)",
    );
    const message = questions[0].message;
    assert.ok(message.length < MAX_QUESTION_INPUT_CHARS + 300, `the question is ${message.length} characters`);
    assert.match(
      message,
      /^A script wants to run tools\.files\.write with this input:\n\n\{\n {2}"path": "\/etc\/big",/,
    );
    assert.match(message, /… \[\d+ more characters not shown\]\n\nAllow this call\?$/);
    assert.ok(JSON.stringify(questions[0]).length < MAX_QUESTION_INPUT_CHARS + 1000, "the whole request is bounded");

    const flood = structured(
      await call(client, "execute_code", {
        code: `
          const all = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => tools.files.delete({ path: "/" + i })));
          return all.filter((s) => s.status === "rejected").length;
        `,
      }),
    );
    assert.equal(flood.result, 40);
    assert.equal(questions.length, 41);
    assert.equal(mostOpen, 1, "one question at a time");
    assert.deepEqual(ran, []);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("mcp approval: approvalTimeoutMs bounds the wait for a 2025-era client's answer, before the script's timeout", async () => {
  const { cm, ran } = guarded(145);
  await using _cm = cm;
  const http = await serveHttp(cm, { port: 0, approvalTimeoutMs: 1000 });
  try {
    const client = newClient({ elicitation: {} });
    client.setRequestHandler(ElicitRequestSchema, () => new Promise<ElicitResult>(() => {})); // never answers
    await connectHttp(http.url, {}, client);
    const r = structured(
      await call(client, "execute_code", {
        code: `try { await tools.files.delete({ path: "/x" }) } catch (e) { return e.message }`,
      }),
    );
    assert.equal(r.stopReason, "completed", "the script went on after the refusal (its own timeout is 30 s)");
    assert.match(
      String(r.result),
      /^tools\.files\.delete was not run: the approval question to the MCP client failed: .*timed out/i,
    );
    assert.deepEqual(ran, []);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("codemode mcp: --approval-timeout and --max-waiting take whole numbers above 0, or stop with the flag named", async () => {
  const { mcpCommand } = await import("../../src/cli/mcp.ts");
  const io = { out: () => {}, err: () => {}, readStdin: () => Promise.resolve(""), cwd: "/nonexistent" };
  for (
    const [flag, value] of [
      ["--approval-timeout", "0"],
      ["--approval-timeout", "1e9x"],
      ["--max-waiting", "-1"],
      ["--max-waiting", "many"],
    ]
  ) {
    await assert.rejects(mcpCommand([flag, value], io), new RegExp(flag));
  }
});
