// Pause and resume under attack: a child that knows the nonce forges the
// values it "read" (malformed, oversized, overflowing) and the frames that may
// pause a run (a block while a call runs); a holder of a continuation alters
// it, forges one, swaps in another execution's decisions or names ids that do
// not exist, or resumes it twice (at once, or in another host) to run its approved calls again; a model reads the token hoping to see tool results the script
// never returned; an MCP client sends resume_execution garbage.
// Stopped by: every `reads` field and wait frame is parsed by zod on the host (kinds, sizes, counts) and a
// record past approvals.maxContinuationBytes cannot pause; a pause needs the child blocked AND every call in
// flight waiting for approval; continuations are AES-256-GCM sealed (key derived by HKDF from approvals.key,
// version and key id authenticated), size-checked before anything else and expire; decisions must name exactly
// the token's own random approval ids; a continuation resumes once (`approvals.claim`, by default this process's
// memory of what it resumed; over shared storage, once across hosts).
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, type ContinuationClaim, ContinuationError, defineTool } from "../../mod.ts";
import { configSchema } from "../../src/config/schema.ts";
import { serveHttp } from "../../src/mcp/server/mod.ts";
import { compromisedSandbox } from "./_compromised.ts";
import { call, connectHttp, text } from "../mcp/server/_helpers.ts";

const KEY = "security-test-key-with-32-or-more-chars";
const SECRET = "s3cr3t-token-the-script-never-returns";

function tools(ran: string[]) {
  return [
    defineTool({
      name: "vault.read",
      input: z.object({}),
      handler: () => (ran.push("read"), { secret: SECRET }),
    }),
    defineTool({
      name: "ops.wipe",
      input: z.object({ disk: z.string() }),
      needsApproval: true,
      handler: ({ disk }) => (ran.push(`wipe ${disk}`), "wiped"),
    }),
  ];
}

/** A script of the compromised child that sends one call whose `reads` is the JavaScript expression given. */
const callFrame = (reads: string) =>
  `forge({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { tool: "vault.read", input: {}, reads: ${reads} } });
   await new Promise((r) => setTimeout(r, 500)); return "real";`;

Deno.test("a child's forged read values are parsed on the host: a malformed, oversized or over-long list is a protocol error", async () => {
  const ran: string[] = [];
  await using cm = await compromisedSandbox({ tools: tools(ran), approvals: { key: KEY } });
  const forged = [
    `[["x", 1]]`, // an unknown kind
    `[["d", "not a number"]]`,
    `[["u", "not-a-uuid"]]`,
    `[["g", "zz"]]`, // not hex
    `[["g", "ab".repeat(65_537)]]`, // more bytes than getRandomValues can fill
    `Array.from({ length: 100_001 }, () => ["r", 0.5])`, // more values than a frame may carry
    `{ d: 1 }`,
    `"too many"`,
  ];
  for (const reads of forged) {
    const r = await cm.execute(callFrame(reads));
    assert.equal(r.stopReason, "error", reads);
    assert.equal(r.error?.name, "ProtocolError");
  }
  assert.deepEqual(ran, [], "no forged frame ran a tool");
});

Deno.test("a child cannot make a run pause by claiming to block while a call that needs no approval runs, nor resume what never paused", async () => {
  const ran: string[] = [];
  await using cm = await compromisedSandbox({ tools: tools(ran), approvals: { key: KEY } });
  const r = await cm.execute(`
    forge({ jsonrpc: "2.0", method: "wait", params: {} });
    const a = call("vault.read", {});
    forge({ jsonrpc: "2.0", method: "wait", params: { reads: [] } });
    return a.result;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
  assert.deepEqual(r.result, { secret: SECRET });
  assert.equal(r.paused, undefined);
});

Deno.test("a child that says its record overflowed cannot pause: the call that needs approval is refused, saying why", async () => {
  const ran: string[] = [];
  await using cm = await compromisedSandbox({ tools: tools(ran), approvals: { key: KEY } });
  const r = await cm.execute(`
    forge({ jsonrpc: "2.0", method: "wait", params: { reads: "overflow" } });
    return call("ops.wipe", { disk: "sda" }).error.message;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
  assert.match(String(r.result), /^tools\.ops\.wipe was not run: .*cannot pause: it recorded more than \d+ characters/);
  assert.deepEqual(ran, []);
});

Deno.test("a continuation is sealed: it shows no tool result, and any change, forgery, other key or swap is refused", async () => {
  const ran: string[] = [];
  await using cm = new Codemode({ tools: tools(ran), approvals: { key: KEY } });
  const code =
    `const { secret } = await tools.vault.read({}); await tools.ops.wipe({ disk: "sdb" }); return secret.length;`;
  const a = await cm.execute(code);
  const b = await cm.execute(code);
  const token = a.paused!.continuation;
  const decoded = atob(token.split(".")[2].replaceAll("-", "+").replaceAll("_", "/"));
  assert.ok(!token.includes(SECRET) && !decoded.includes(SECRET), "the tool result is not readable in the token");
  assert.ok(!decoded.includes("vault.read"), "nor the calls' names");

  const [pa] = a.paused!.pending;
  const [pb] = b.paused!.pending;
  assert.notEqual(pa.id, pb.id);
  const refusals: [string, Record<string, unknown>, RegExp][] = [
    [token, { [pb.id]: { approved: true } }, /No pending approval/], // another execution's decisions
    [
      token,
      JSON.parse(`{"${pa.id}":{"approved":true},"__proto__":{"approved":true}}`),
      /No pending approval "__proto__"/,
    ],
    [token, { [pa.id]: { approved: 1 } }, /must be \{ approved: true \}/],
    [token, { [pa.id]: { approved: false, reason: 42 } }, /reason .* must be a string/],
    [token.replace(/\.[^.]+$/, "." + "A".repeat(400)), { [pa.id]: { approved: true } }, /altered or forged/],
    ["cm1." + token.split(".")[1] + ".", { [pa.id]: { approved: true } }, /altered or forged/],
    [token + ".extra", { [pa.id]: { approved: true } }, /Not a Codemode continuation/],
  ];
  for (const [bad, decisions, message] of refusals) {
    await assert.rejects(
      cm.resume(bad, decisions as never),
      (e) => e instanceof ContinuationError && message.test(e.message),
      String(message),
    );
  }
  await assert.rejects(cm.resume(token, "yes" as never), /must be an object/);
  await assert.rejects(
    cm.resume(
      token,
      Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`ap_${i}`, { approved: true as const }])),
    ),
    /More than 1000/,
  );
  assert.deepEqual(ran, ["read", "read"], "nothing ran past the pause, and nothing ran again");
  // The genuine decisions still work: the run pauses nowhere else and reads the vault from the record.
  const done = await cm.resume(token, { [pa.id]: { approved: true } });
  assert.equal(done.result, SECRET.length);
  assert.deepEqual(ran, ["read", "read", "wipe sdb"]);
});

Deno.test("resume_execution over MCP refuses forged continuations and unknown ids as tool errors, and runs nothing", async () => {
  const ran: string[] = [];
  await using cm = new Codemode({ tools: tools(ran), approvals: { key: KEY } });
  const http = await serveHttp(cm, { port: 0 });
  try {
    const { client } = await connectHttp(http.url);
    const paused = await call(client, "execute_code", { code: `return await tools.ops.wipe({ disk: "sdc" })` });
    const { continuation, pending } =
      (paused.structuredContent as { paused: { continuation: string; pending: { id: string }[] } }).paused;
    const attempts: [Record<string, unknown>, RegExp][] = [
      [
        { continuation: "cm1.AAAA.BBBB", decisions: { [pending[0].id]: { approved: true } } },
        /altered or forged|another key/,
      ],
      [{ continuation, decisions: { ap_unknown: { approved: true } } }, /No pending approval "ap_unknown"/],
      [{ continuation, decisions: {} }, /No decision for/],
    ];
    for (const [args, message] of attempts) {
      const r = await call(client, "resume_execution", args);
      assert.equal(r.isError, true);
      assert.match(text(r), message);
    }
    const invalid = await client.callTool({ name: "resume_execution", arguments: { continuation: 42 } }).catch((e) =>
      e
    );
    assert.ok(invalid instanceof Error || (invalid as { isError?: boolean }).isError, "a malformed call is refused");
    assert.deepEqual(ran, []);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("codemode.yaml approvals.key must be long enough, and the error never quotes it", () => {
  const parsed = configSchema.safeParse({ approvals: { key: "short-secret-value" } });
  assert.equal(parsed.success, false);
  const message = JSON.stringify(parsed.error);
  assert.match(message, /at least 32 characters/);
  assert.ok(!message.includes("short-secret-value"));
  assert.throws(() => new Codemode({ approvals: { key: "short" } }), /at least 32 characters/);
  assert.equal(configSchema.safeParse({ approvals: { maxContinuationBytes: 10 } }).success, false);
});

Deno.test("an MCP server with pause: false refuses a client that cannot ask, and serves no resume_execution", async () => {
  const ran: string[] = [];
  await using cm = new Codemode({ tools: tools(ran), approvals: { key: KEY } });
  const http = await serveHttp(cm, { port: 0, pause: false });
  try {
    const { client } = await connectHttp(http.url);
    assert.ok(!(await client.listTools()).tools.some((t) => t.name === "resume_execution"));
    const r = await call(client, "execute_code", {
      code: `try { await tools.ops.wipe({ disk: "sdd" }) } catch (e) { return e.message }`,
    });
    assert.match(text(r), /tools\.ops\.wipe was not run: it needs approval, and this MCP client cannot ask/);
    assert.deepEqual(ran, []);
    await client.close();
  } finally {
    await http.close();
  }
});

Deno.test("a continuation resumes once: again, or twice at once, is refused and the approved call ran once", async () => {
  const ran: string[] = [];
  await using cm = new Codemode({ tools: tools(ran), approvals: { key: KEY } });
  const first = await cm.execute(`return await tools.ops.wipe({ disk: "d1" })`);
  const { continuation, pending } = first.paused!;
  const decisions = { [pending[0].id]: { approved: true as const } };
  const both = await Promise.allSettled([cm.resume(continuation, decisions), cm.resume(continuation, decisions)]);
  assert.deepEqual(both.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  const refused = both.find((r) => r.status === "rejected") as PromiseRejectedResult;
  assert.ok(refused.reason instanceof ContinuationError);
  assert.match(refused.reason.message, /resumed already/);
  await assert.rejects(cm.resume(continuation, decisions), /resumed already/);
  assert.deepEqual(ran, ["wipe d1"]);
});

Deno.test("a claim over shared storage makes a continuation resume once across hosts", async () => {
  const ran: string[] = [];
  const table = new Set<string>(); // a table with a unique key, shared by the hosts
  const claim: ContinuationClaim = (id) => !table.has(id) && Boolean(table.add(id));
  const host = () => new Codemode({ tools: tools(ran), approvals: { key: KEY, claim } });
  const first = host();
  const paused = (await first.execute(`return await tools.ops.wipe({ disk: "d2" })`)).paused!;
  const decisions = { [paused.pending[0].id]: { approved: true as const } };
  assert.equal((await first.resume(paused.continuation, decisions)).result, "wiped");
  await first.close();
  await using second = host();
  await assert.rejects(second.resume(paused.continuation, decisions), /resumed already/);
  assert.deepEqual(ran, ["wipe d2"]);
});

Deno.test("decisions that do not fit a continuation do not use it up", async () => {
  const ran: string[] = [];
  await using cm = new Codemode({ tools: tools(ran), approvals: { key: KEY } });
  const { continuation, pending } = (await cm.execute(`return await tools.ops.wipe({ disk: "d3" })`)).paused!;
  await assert.rejects(cm.resume(continuation, { ap_unknown: { approved: true } }), /No pending approval/);
  assert.equal((await cm.resume(continuation, { [pending[0].id]: { approved: true } })).result, "wiped");
});
