// Approvals under `codemode mcp`: a call that needs approval is put to the
// person at the client whose execute_code made it, through MCP elicitation;
// a client that cannot ask gets a paused result, and its user decides with
// resume_execution. The official SDK client,
// over stdio (a real `codemode mcp` process) and Streamable HTTP.
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { type ElicitRequest, ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client";
import { Codemode, type ExecutionResult } from "../../../mod.ts";
import { serveHttp } from "../../../src/mcp/server/mod.ts";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernHttpTransport,
} from "@modelcontextprotocol/client";
import { fetchKeepingSignals } from "../../../src/mcp/client/_fetch.ts";
import {
  call,
  connectHttp,
  connectStdio,
  connectStdioModern,
  type ExecuteContent,
  MODERN,
  newClient,
  text,
} from "./_helpers.ts";
import { deleteFile, readFile, writeFile } from "./fixtures/approval_tools.ts";

const TOOLS = "tests/mcp/server/fixtures/approval_tools.ts";
/** The structured content of a paused execute_code, with its single pending call's id. */
function pausedOn(
  r: { structuredContent?: unknown; isError?: boolean },
  input: unknown,
): { id: string; continuation: string } {
  const content = r.structuredContent as ExecuteContent & { paused?: ExecutionResult["paused"] };
  assert.equal(content.stopReason, "paused", JSON.stringify(r));
  assert.ok(!r.isError, "a paused result is not an error");
  assert.deepEqual(content.paused!.pending.map((p) => p.input), [input]);
  return { id: content.paused!.pending[0].id, continuation: content.paused!.continuation };
}

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

/** A script that makes the calls one after another and returns their results (or error messages, without the call site). */
function callsScript(calls: string[]): string {
  return `
    const out = [];
    for (const call of [${calls.map((c) => `() => ${c}`).join(", ")}]) {
      try { out.push(await call()); } catch (e) { out.push(e.message.replace(/ \\(script\\.ts:\\d+:\\d+\\)$/, "")); }
    }
    return out;
  `;
}

/** Runs {@linkcode callsScript} with a 2025-era client. */
async function runCalls(client: Client, calls: string[]): Promise<{ results: unknown[]; content: ExecuteContent }> {
  const r = await call(client, "execute_code", { code: callsScript(calls) });
  const content = r.structuredContent as unknown as ExecuteContent;
  assert.equal(content.ok, true, text(r));
  return { results: content.result as unknown[], content };
}

/** The answers the person gives, in order, to the questions of {@linkcode ASKED_CALLS}. */
function answersInOrder(): ElicitResult[] {
  return [yes(), { action: "accept", content: { approve: false } }, { action: "decline" }, yes(), yes(), {
    action: "cancel",
  }];
}

/** Calls that need approval (or not), run one after another by one script. */
const ASKED_CALLS = [
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
];

/** What the script gets for {@linkcode ASKED_CALLS} with {@linkcode answersInOrder}. */
const ASKED_RESULTS = [
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
];

/** The form of the first question, which every era gets the same. */
const DELETE_FORM = {
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
};

/** Checks the questions asked for {@linkcode ASKED_CALLS}: one per call that needed approval, naming the tool, showing the input. */
function assertAsked(questions: { message: string; mode?: string; requestedSchema?: unknown }[]): void {
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
  assert.equal(questions[0].mode, "form");
  assert.deepEqual(questions[0].requestedSchema, DELETE_FORM);
}

/**
 * Runs {@linkcode ASKED_CALLS} (the person answers with `answers`) and checks the results and the questions; then a
 * dismissal is seen to stop the questions of that script only: the next `execute_code` asks again.
 */
async function assertAskedScript(
  answers: ElicitResult[],
  questions: ElicitRequest["params"][],
  run: (calls: string[]) => Promise<{ results: unknown[] }>,
): Promise<void> {
  const { results } = await run(ASKED_CALLS);
  assert.deepEqual(results, ASKED_RESULTS);
  assertAsked(questions);
  answers.push(yes());
  const again = await run([`tools.files.delete({ path: "/tmp/11" })`]);
  assert.deepEqual(again.results, ["deleted /tmp/11"]);
}

Deno.test("stdio: codemode mcp asks the client's user through elicitation, and runs a call only on yes", async () => {
  const answers = answersInOrder();
  const { client, questions } = askingClient(() => answers.shift()!);
  await using _conn = await connectStdio(["--tools", TOOLS], undefined, client);
  await assertAskedScript(answers, questions, (calls) => runCalls(client, calls));
});

Deno.test("stdio: a client without the elicitation capability gets a paused result; its user decides with resume_execution", async () => {
  await using conn = await connectStdio(["--tools", TOOLS]);
  const code = callsScript([
    `tools.files.delete({ path: "/tmp/1" })`,
    `tools.wipeDisk({ disk: "sdb" })`,
    `tools.files.read({ path: "/tmp/2" })`,
  ]);
  const first = await call(conn.client, "execute_code", { code });
  const one = pausedOn(first, { path: "/tmp/1" });
  assert.match(text(first), /call resume_execution with the decisions and this continuation:\ncm1\./);
  const second = await call(conn.client, "resume_execution", {
    continuation: one.continuation,
    decisions: { [one.id]: { approved: true } },
  });
  const two = pausedOn(second, { disk: "sdb" });
  const done = await call(conn.client, "resume_execution", {
    continuation: two.continuation,
    decisions: { [two.id]: { approved: false, reason: "not this disk" } },
  });
  const content = done.structuredContent as unknown as ExecuteContent;
  assert.deepEqual(content.result, [
    "deleted /tmp/1",
    "tools.wipeDisk was not run: not this disk",
    "contents of /tmp/2",
  ]);
  const refused = await call(conn.client, "resume_execution", {
    continuation: two.continuation + "x",
    decisions: { [two.id]: { approved: true } },
  });
  assert.equal(refused.isError, true);
  assert.match(text(refused), /ContinuationError: The continuation was altered or forged/);
});

const paths = (who: string) => [1, 2, 3].map((i) => `tools.files.delete({ path: "/${who}/${i}" })`);
/** Alice's script: three deletes at once, which she approves. */
const ALICE_SCRIPT = `return await Promise.all([${paths("alice")}])`;
/** Bob's calls: three deletes one after another, which he declines. */
const BOB_CALLS = paths("bob");

/** Checks that alice and bob, served at once, got their own answers and were asked only about their own calls. */
function assertEachAskedAboutOwnCalls(
  alice: { result: unknown; questions: { message: string }[] },
  bob: { results: unknown[]; questions: { message: string }[] },
): void {
  assert.deepEqual(alice.result, ["deleted /alice/1", "deleted /alice/2", "deleted /alice/3"]);
  assert.deepEqual(
    bob.results,
    BOB_CALLS.map(() => "tools.files.delete was not run: the person at the MCP client declined it"),
  );
  assert.equal(alice.questions.length, 3);
  assert.ok(alice.questions.every((q) => q.message.includes('"/alice/')), "alice was asked only about her calls");
  assert.equal(bob.questions.length, 3);
  assert.ok(bob.questions.every((q) => q.message.includes('"/bob/')), "bob was asked only about his calls");
}

Deno.test("http: each question goes to the client whose execute_code made the call", async () => {
  await using cm = new Codemode({ tools: [deleteFile, writeFile, readFile] });
  const http = await serveHttp(cm, { port: 0 });
  try {
    const alice = askingClient(yes);
    const bob = askingClient(() => ({ action: "decline" }));
    await connectHttp(http.url, {}, alice.client);
    await connectHttp(http.url, {}, bob.client);
    // Both sessions run at once, each with calls in flight together.
    const [a, b] = await Promise.all([
      call(alice.client, "execute_code", { code: ALICE_SCRIPT }),
      runCalls(bob.client, BOB_CALLS),
    ]);
    assertEachAskedAboutOwnCalls({
      result: (a.structuredContent as { result?: unknown })?.result,
      questions: alice.questions,
    }, {
      results: b.results,
      questions: bob.questions,
    });

    const mute = await connectHttp(http.url);
    pausedOn(await call(mute.client, "execute_code", { code: callsScript([`tools.files.delete({ path: "/x" })`]) }), {
      path: "/x",
    });
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

/**
 * An SDK v2 client that negotiates 2026-07-28 and, given `answer`, declares form elicitation and answers each
 * question with it (its `callTool` fulfils `input_required` and sends the call again), keeping the questions.
 */
function modernAskingClient(answer?: (params: ElicitRequest["params"]) => ElicitResult): {
  client: ModernClient;
  questions: ElicitRequest["params"][];
} {
  const client = new ModernClient({ name: "codemode-test-v2", version: "1.0.0" }, {
    capabilities: answer ? { elicitation: { form: {} } } : {},
    versionNegotiation: { mode: "auto" },
  });
  const questions: ElicitRequest["params"][] = [];
  if (answer) {
    client.setRequestHandler("elicitation/create", (request) => {
      questions.push(request.params as ElicitRequest["params"]);
      return answer(request.params as ElicitRequest["params"]);
    });
  }
  return { client, questions };
}

/** Runs calls with a 2026-07-28 client, as {@linkcode runCalls} does with a 2025-era one. */
async function runModernCalls(client: ModernClient, calls: string[]): Promise<{ results: unknown[]; ok: boolean[] }> {
  assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
  const r = await client.callTool({ name: "execute_code", arguments: { code: callsScript(calls) } });
  const content = r.structuredContent as unknown as ExecuteContent;
  assert.equal(content.ok, true, JSON.stringify(r.content));
  return { results: content.result as unknown[], ok: content.toolCalls.map((c) => c.ok) };
}

Deno.test("stdio: a 2026-07-28 client is asked with input_required, sends the call again with the answer, and a call runs only on yes", async () => {
  const answers = answersInOrder();
  const { client, questions } = modernAskingClient(() => answers.shift()!);
  await using _conn = await connectStdioModern(["--tools", TOOLS], undefined, client);
  await assertAskedScript(answers, questions, (calls) => runModernCalls(client, calls)); // as a 2025-era client
});

Deno.test("http: 2026-07-28 clients are each asked about their own calls; one without elicitation pauses and resumes; a 2025-era session is still asked", async () => {
  await using cm = new Codemode({ tools: [deleteFile, writeFile, readFile] });
  const apiKey = "approval-test-key-0123456789";
  const http = await serveHttp(cm, { port: 0, apiKey });
  const requestInit = { headers: { Authorization: `Bearer ${apiKey}` } };
  const transport = () => new ModernHttpTransport(http.url, { requestInit, fetch: fetchKeepingSignals() });
  try {
    const alice = modernAskingClient(yes);
    const bob = modernAskingClient(() => ({ action: "decline" }));
    const mute = modernAskingClient();
    await Promise.all([
      alice.client.connect(transport()),
      bob.client.connect(transport()),
      mute.client.connect(transport()),
    ]);
    // Both run at once; alice's three calls wait together, and are asked one at a time (three rounds).
    const [a, b, m] = await Promise.all([
      alice.client.callTool({ name: "execute_code", arguments: { code: ALICE_SCRIPT } }),
      runModernCalls(bob.client, BOB_CALLS),
      mute.client.callTool({
        name: "execute_code",
        arguments: { code: callsScript([`tools.files.delete({ path: "/x" })`, `tools.files.read({ path: "/y" })`]) },
      }),
    ]);
    assertEachAskedAboutOwnCalls({
      result: (a.structuredContent as { result?: unknown })?.result,
      questions: alice.questions,
    }, {
      results: b.results,
      questions: bob.questions,
    });
    const paused = pausedOn(m, { path: "/x" });
    const resumed = await mute.client.callTool({
      name: "resume_execution",
      arguments: { continuation: paused.continuation, decisions: { [paused.id]: { approved: true } } },
    });
    assert.deepEqual((resumed.structuredContent as { result?: unknown }).result, ["deleted /x", "contents of /y"]);
    assert.equal(http.waitingCount, 0, "no execution is left waiting");

    const legacy = askingClient(yes);
    await connectHttp(http.url, requestInit.headers, legacy.client);
    const { results } = await runCalls(legacy.client, [`tools.files.delete({ path: "/z" })`]);
    assert.deepEqual(results, ["deleted /z"]);
    assert.equal(legacy.questions.length, 1);
    await Promise.all([alice.client.close(), bob.client.close(), mute.client.close(), legacy.client.close()]);
  } finally {
    await http.close();
  }
});

Deno.test("stdio: codemode mcp --approval-timeout bounds the wait for a user who never answers", async () => {
  const client = newClient({ elicitation: {} });
  client.setRequestHandler(ElicitRequestSchema, () => new Promise<ElicitResult>(() => {})); // never answers
  await using _conn = await connectStdio(["--tools", TOOLS, "--approval-timeout", "1000"], undefined, client);
  const { results } = await runCalls(client, [`tools.files.delete({ path: "/tmp/never" })`]);
  assert.match(
    String(results[0]),
    /^tools\.files\.delete was not run: the approval question to the MCP client failed: .*timed out/i,
  );
});
