// Approvals under `codemode mcp`: a call that needs approval is put to the
// person at the client whose execute_code made it, through MCP elicitation;
// a client that cannot ask gets a clear refusal. The official SDK client,
// over stdio (a real `codemode mcp` process) and Streamable HTTP.
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { type ElicitRequest, ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client";
import { Codemode } from "../../../mod.ts";
import { serveHttp } from "../../../src/mcp/server/mod.ts";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernHttpTransport,
} from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio";
import {
  call,
  connectHttp,
  connectStdio,
  type ExecuteContent,
  MODERN,
  newClient,
  ROOT,
  SERVE,
  text,
} from "./_helpers.ts";
import { deleteFile, readFile, writeFile } from "./fixtures/approval_tools.ts";

const TOOLS = "tests/mcp/server/fixtures/approval_tools.ts";
const NO_CAPABILITY = "it needs approval, and this MCP client cannot ask (no elicitation capability)";
const MODERN_ERA = `it needs approval, and this MCP client speaks protocol revision ${MODERN}, where a server ` +
  "cannot ask while a tool runs (it can only end the call with input_required, and a script cannot wait across calls)";

/** A client that declares elicitation and answers each question with `answer(params)`, keeping the questions. */
function askingClient(answer: (params: ElicitRequest["params"]) => ElicitResult): {
  client: Client;
  questions: ElicitRequest["params"][];
} {
  const client = newClient({ elicitation: {} });
  const questions: ElicitRequest["params"][] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    questions.push(request.params);
    return answer(request.params);
  });
  return { client, questions };
}

const yes = (): ElicitResult => ({ action: "accept", content: { approve: true } });

/** Runs a script whose calls' results (or error messages, without the call site) are returned in order. */
async function runCalls(client: Client, calls: string[]): Promise<{ results: unknown[]; content: ExecuteContent }> {
  const code = `
    const out = [];
    for (const call of [${calls.map((c) => `() => ${c}`).join(", ")}]) {
      try { out.push(await call()); } catch (e) { out.push(e.message.replace(/ \\(script\\.ts:\\d+:\\d+\\)$/, "")); }
    }
    return out;
  `;
  const r = await call(client, "execute_code", { code });
  const content = r.structuredContent as unknown as ExecuteContent;
  assert.equal(content.ok, true, text(r));
  return { results: content.result as unknown[], content };
}

Deno.test("stdio: codemode mcp asks the client's user through elicitation, and runs a call only on yes", async () => {
  const answers: ElicitResult[] = [
    yes(),
    { action: "accept", content: { approve: false } },
    { action: "decline" },
    yes(),
    yes(),
    { action: "cancel" },
  ];
  const { client, questions } = askingClient(() => answers.shift()!);
  await using _conn = await connectStdio(["--tools", TOOLS], undefined, client);
  const { results } = await runCalls(client, [
    `tools.files.delete({ path: "/tmp/1" })`,
    `tools.files.delete({ path: "/tmp/2" })`,
    `tools.files.delete({ path: "/tmp/3" })`,
    `tools.files.write({ path: "/tmp/4", text: "ok" })`, // its check says no approval is needed
    `tools.files.write({ path: "/etc/5", text: "hi" })`,
    `tools.files.read({ path: "/tmp/6" })`,
    `tools.wipeDisk({ disk: "sdb" })`, // an AI SDK tool with needsApproval: true
    `tools.files.delete({ path: "/tmp/8" })`, // dismissed
    `tools.files.delete({ path: "/tmp/9" })`, // not asked after a dismissal
    `tools.files.read({ path: "/tmp/10" })`,
  ]);
  assert.deepEqual(results, [
    "deleted /tmp/1",
    "tools.files.delete was not run: the person at the MCP client did not answer yes",
    "tools.files.delete was not run: the person at the MCP client declined it",
    "wrote 2 characters to /tmp/4",
    "wrote 2 characters to /etc/5",
    "contents of /tmp/6",
    "wiped sdb",
    "tools.files.delete was not run: the person at the MCP client dismissed the question",
    "tools.files.delete was not run: the person at the MCP client dismissed an earlier question of this script",
    "contents of /tmp/10",
  ]);
  // One question per call that needed approval, each naming the tool and showing its validated input.
  assert.deepEqual(questions.map((q) => /run (tools\.\S+) with/.exec(q.message)?.[1]), [
    "tools.files.delete",
    "tools.files.delete",
    "tools.files.delete",
    "tools.files.write",
    "tools.wipeDisk",
    "tools.files.delete",
  ]);
  assert.match(questions[0].message, /"path": "\/tmp\/1"/);
  assert.match(questions[3].message, /"path": "\/etc\/5",\n {2}"text": "hi"/);
  const form = questions[0] as ElicitRequest["params"] & { requestedSchema: unknown };
  assert.equal(form.mode, "form");
  assert.deepEqual(form.requestedSchema, {
    type: "object",
    properties: {
      approve: {
        type: "boolean",
        title: "Run tools.files.delete",
        description: "Yes runs tools.files.delete once, with the input shown; no refuses it.",
        default: false,
      },
    },
    required: ["approve"],
  });
  // A dismissal stops the questions of that script only: the next execute_code asks again.
  answers.push(yes());
  const again = await runCalls(client, [`tools.files.delete({ path: "/tmp/11" })`]);
  assert.deepEqual(again.results, ["deleted /tmp/11"]);
});

Deno.test("stdio: a client without the elicitation capability gets a clear refusal, and nothing runs", async () => {
  await using conn = await connectStdio(["--tools", TOOLS]);
  const { results, content } = await runCalls(conn.client, [
    `tools.files.delete({ path: "/tmp/1" })`,
    `tools.wipeDisk({ disk: "sdb" })`,
    `tools.files.read({ path: "/tmp/2" })`,
  ]);
  assert.deepEqual(results, [
    `tools.files.delete was not run: ${NO_CAPABILITY}`,
    `tools.wipeDisk was not run: ${NO_CAPABILITY}`,
    "contents of /tmp/2",
  ]);
  assert.deepEqual(content.toolCalls.map((c) => [c.tool, c.ok]), [
    ["files.delete", false],
    ["wipeDisk", false],
    ["files.read", true],
  ]);
});

Deno.test("http: each question goes to the client whose execute_code made the call", async () => {
  await using cm = new Codemode({ tools: [deleteFile, writeFile, readFile] });
  const http = await serveHttp(cm, { port: 0 });
  try {
    const alice = askingClient(yes);
    const bob = askingClient(() => ({ action: "decline" }));
    await connectHttp(http.url, {}, alice.client);
    await connectHttp(http.url, {}, bob.client);
    const paths = (who: string) => [1, 2, 3].map((i) => `tools.files.delete({ path: "/${who}/${i}" })`);
    // Both sessions run at once, each with calls in flight together.
    const [a, b] = await Promise.all([
      call(alice.client, "execute_code", { code: `return await Promise.all([${paths("alice")}])` }),
      runCalls(bob.client, paths("bob")),
    ]);
    assert.deepEqual((a.structuredContent as { result: unknown }).result, [
      "deleted /alice/1",
      "deleted /alice/2",
      "deleted /alice/3",
    ]);
    assert.deepEqual(
      b.results,
      [1, 2, 3].map(() => "tools.files.delete was not run: the person at the MCP client declined it"),
    );
    assert.equal(alice.questions.length, 3);
    assert.ok(alice.questions.every((q) => q.message.includes('"/alice/')), "alice was asked only about her calls");
    assert.equal(bob.questions.length, 3);
    assert.ok(bob.questions.every((q) => q.message.includes('"/bob/')), "bob was asked only about his calls");

    const mute = await connectHttp(http.url);
    const { results } = await runCalls(mute.client, [`tools.files.delete({ path: "/x" })`]);
    assert.deepEqual(results, [`tools.files.delete was not run: ${NO_CAPABILITY}`]);
    await Promise.all([alice.client.close(), bob.client.close(), mute.client.close()]);
  } finally {
    await http.close();
  }
});

Deno.test("http: a Codemode with an approver of its own keeps it; the client is not asked", async () => {
  const asked: string[] = [];
  await using cm = new Codemode({ tools: [deleteFile], approver: ({ tool }) => (asked.push(tool), true) });
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client, questions } = askingClient(() => ({ action: "decline" }));
    await connectHttp(http.url, {}, client);
    const { results } = await runCalls(client, [`tools.files.delete({ path: "/x" })`]);
    assert.deepEqual(results, ["deleted /x"]);
    assert.deepEqual(asked, ["files.delete"]);
    assert.deepEqual(questions, []);
    await client.close();
  } finally {
    await http.close();
  }
});

/** An SDK v2 client that declares form elicitation and negotiates 2026-07-28 with our server. */
function modernAskingClient(): ModernClient {
  return new ModernClient({ name: "codemode-test-v2", version: "1.0.0" }, {
    capabilities: { elicitation: { form: {} } },
    versionNegotiation: { mode: "auto" },
  });
}

/** Runs calls with a 2026-07-28 client, as {@linkcode runCalls} does with a 2025-era one. */
async function runModernCalls(client: ModernClient, calls: string[]): Promise<{ results: unknown[]; ok: boolean[] }> {
  const code = `
    const out = [];
    for (const call of [${calls.map((c) => `() => ${c}`).join(", ")}]) {
      try { out.push(await call()); } catch (e) { out.push(e.message.replace(/ \\(script\\.ts:\\d+:\\d+\\)$/, "")); }
    }
    return out;
  `;
  assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
  const r = await client.callTool({ name: "execute_code", arguments: { code } });
  const content = r.structuredContent as unknown as ExecuteContent;
  assert.equal(content.ok, true, JSON.stringify(r.content));
  return { results: content.result as unknown[], ok: content.toolCalls.map((c) => c.ok) };
}

const MODERN_CALLS = [`tools.files.delete({ path: "/tmp/1" })`, `tools.files.read({ path: "/tmp/2" })`];

Deno.test("stdio and http: a 2026-07-28 client, which cannot be asked mid-call, gets a refusal naming why", async () => {
  const expected = [`tools.files.delete was not run: ${MODERN_ERA}`, "contents of /tmp/2"];
  // stdio: a real `codemode mcp` process.
  const stdio = modernAskingClient();
  await stdio.connect(
    new ModernStdioTransport({
      command: Deno.execPath(),
      args: ["run", "-A", SERVE, "--tools", TOOLS],
      cwd: ROOT,
      stderr: "ignore",
      env: { ...Deno.env.toObject(), NO_COLOR: "1" },
    }),
  );
  try {
    assert.deepEqual(await runModernCalls(stdio, MODERN_CALLS), { results: expected, ok: [false, true] });
  } finally {
    await stdio.close();
  }
  // http: the same endpoint still asks a 2025-era session.
  await using cm = new Codemode({ tools: [deleteFile, writeFile, readFile] });
  const http = await serveHttp(cm, { port: 0 });
  try {
    const modern = modernAskingClient();
    await modern.connect(new ModernHttpTransport(http.url));
    assert.deepEqual(await runModernCalls(modern, MODERN_CALLS), { results: expected, ok: [false, true] });
    const legacy = askingClient(yes);
    await connectHttp(http.url, {}, legacy.client);
    const { results } = await runCalls(legacy.client, [MODERN_CALLS[0]]);
    assert.deepEqual(results, ["deleted /tmp/1"]);
    assert.equal(legacy.questions.length, 1);
    await Promise.all([modern.close(), legacy.client.close()]);
  } finally {
    await http.close();
  }
});
