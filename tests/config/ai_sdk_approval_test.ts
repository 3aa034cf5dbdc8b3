// AI SDK tools that set `needsApproval`, imported through codemode.yaml's
// `tools:` and the CLI's `--tools`: never run without an approver's yes.
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../cli.ts";
import { fromConfig } from "../../src/config/mod.ts";
import type { ApprovalRequest, Codemode } from "../../mod.ts";
import { recordingIo } from "../_helpers.ts";
import { tempDir } from "./_helpers.ts";
import { log } from "./fixtures/ai_sdk_approval_tools.ts";

const FIXTURE = new URL("./fixtures/ai_sdk_approval_tools.ts", import.meta.url).pathname;

const SCRIPT = `
  const out = [];
  const calls = [
    () => tools.deleteFile({ path: "/tmp/a" }),
    () => tools.transfer({ amount: 50, to: "bob" }),
    () => tools.transfer({ amount: 500, to: "eve" }),
    () => tools.readFile({ path: "/tmp/b" }),
  ];
  for (const call of calls) {
    try { out.push(await call()); } catch (e) { out.push(e.message.replace(/ \\(script\\.ts:\\d+:\\d+\\)$/, "")); }
  }
  return out;
`;

/** Writes a codemode.yaml naming the fixture, with optional policies, and loads it. */
async function configured(policies: string, approver?: (r: ApprovalRequest) => boolean): Promise<Codemode> {
  const dir = await tempDir();
  const path = join(dir, "codemode.yaml");
  await Deno.writeTextFile(path, `tools:\n  - ${FIXTURE}\n${policies}`);
  try {
    return await fromConfig(path, { approver });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function reset(): void {
  log.ran.length = 0;
  log.checks.length = 0;
}

Deno.test("an AI SDK tool with needsApproval pauses the run without an approver; a function asks only when it says so", async () => {
  reset();
  await using cm = await configured("");
  const context = { user: "ann" };
  // Each call that needs approval pauses the run; rejected, the script reads the reason and goes on.
  let r = await cm.execute(SCRIPT, { context });
  const waited: string[] = [];
  while (r.stopReason === "paused") {
    const { continuation, pending } = r.paused!;
    waited.push(...pending.map((p) => `${p.tool} ${JSON.stringify(p.input)}`));
    r = await cm.resume(
      continuation,
      Object.fromEntries(pending.map((p) => [p.id, { approved: false, reason: "no" }])),
      {
        context,
      },
    );
  }
  assert.deepEqual(waited, ['deleteFile {"path":"/tmp/a"}', 'transfer {"amount":500,"to":"eve"}']);
  assert.deepEqual(r.result, [
    "tools.deleteFile was not run: no",
    "sent",
    "tools.transfer was not run: no",
    "contents of /tmp/b",
  ]);
  assert.deepEqual(log.ran, [{ transfer: [50, "bob"] }, { readFile: "/tmp/b" }], "each ran once");
  // The function gets the AI SDK's options as the handler would: the call's id, no messages, the execution's context.
  type Options = { messages?: unknown; context?: unknown; toolCallId?: unknown };
  const seen = log.checks.map(({ input, options }) => {
    const { messages, context, toolCallId } = options as Options;
    return [input, messages, context, toolCallId];
  });
  assert.deepEqual(seen.map(([input]) => input), [{ amount: 50, to: "bob" }, { amount: 500, to: "eve" }]);
  for (const [, messages, given, id] of seen) {
    assert.deepEqual([messages, given], [[], context]);
    assert.match(String(id), /^[0-9a-f-]{36}:\d+$/);
  }
  const policies = ["deleteFile", "transfer", "readFile"].map((name) => cm.policyOf(cm.registry.get(name)!));
  assert.deepEqual(policies, ["approve", "approve", "allow"]);
});

Deno.test("with an approver, an AI SDK tool that needs approval runs on its yes; an allow policy does not loosen it", async () => {
  reset();
  const asked: unknown[] = [];
  await using cm = await configured(
    `policies:\n  deleteFile: allow\n  "*": allow\n`,
    ({ tool, input }) => (asked.push([tool, input]), tool === "deleteFile"),
  );
  const r = await cm.execute(SCRIPT);
  assert.deepEqual(r.result, [
    "deleted /tmp/a",
    "sent",
    "tools.transfer was not run: the approver refused it",
    "contents of /tmp/b",
  ]);
  assert.deepEqual(asked, [["deleteFile", { path: "/tmp/a" }], ["transfer", { amount: 500, to: "eve" }]]);
});

Deno.test("a deny policy still hides an AI SDK tool that needs approval", async () => {
  reset();
  await using cm = await configured(`policies:\n  deleteFile: deny\n`, () => true);
  assert.doesNotMatch(await cm.types(), /deleteFile/);
  const r = await cm.execute(`try { await tools.deleteFile({ path: "/" }) } catch (e) { return e.message }`);
  assert.match(String(r.result), /^tools\.deleteFile is not a tool\./);
  assert.deepEqual(log.ran, []);
});

Deno.test("cli run --tools pauses at an AI SDK tool that needs approval (the CLI has no approver) and runs nothing", async () => {
  reset();
  const dir = await tempDir();
  try {
    const t = recordingIo(dir, `return await tools.deleteFile({ path: "/tmp/a" })`);
    assert.equal(await main(["run", "-", "--tools", FIXTURE, "--json"], t.io), 3, t.err());
    const result = JSON.parse(t.out());
    assert.equal(result.stopReason, "paused");
    assert.deepEqual(result.paused.pending.map((p: { tool: string; input: unknown }) => [p.tool, p.input]), [
      ["deleteFile", { path: "/tmp/a" }],
    ]);
    assert.ok((await Deno.stat(join(dir, "codemode.continuation"))).isFile, "the continuation is kept for a person");
    assert.deepEqual(log.ran, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
