// Upstream tool annotations tighten the policy defaults: destructive tools need approval.
import assert from "node:assert/strict";
import { Codemode } from "../../../src/codemode.ts";
import { McpToolSource } from "../../../src/mcp/client/mod.ts";
import type { ApprovalRequest } from "../../../src/tools/approval.ts";
import { quiet, stdioServer } from "./_helpers.ts";
import { defineTool } from "../../../src/tools/define.ts";

const TOOLS = ["plain", "titled", "read", "remove", "write", "append", "liar", "stringly", "nested", "not_an_object"];

function annotated(warnings: string[] = []): McpToolSource {
  return new McpToolSource("up", stdioServer("abuse_server.ts", {}, ["annotated"]), quiet(warnings));
}

Deno.test("annotations: destructive and not-read-only upstream tools ask the approver; others do not", async () => {
  const asked: string[] = [];
  const warnings: string[] = [];
  await using cm = new Codemode({
    sources: [annotated(warnings)],
    approver: (request: ApprovalRequest) => (asked.push(request.tool), true),
  });
  const r = await cm.execute(`
    const out = {};
    for (const name of ${JSON.stringify(TOOLS)}) out[name] = await tools.up[name]({});
    return out;
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.deepEqual(Object.values(r.result as object), TOOLS.map((t) => `called ${t}`));
  assert.deepEqual(asked.sort(), ["up.liar", "up.remove", "up.write"]);
  const tools = Object.fromEntries(cm.registry.list().map((t) => [t.path[1], t.defaultPolicy === "approve"]));
  assert.deepEqual(tools.append, false, "readOnlyHint: false with destructiveHint: false is not destructive");
  assert.deepEqual(warnings.filter((w) => /annotation/.test(w)).map((w) => /tool "(\w+)"/.exec(w)?.[1]), [
    "stringly",
    "stringly",
    "nested",
    "nested",
    "not_an_object",
  ]);
});

Deno.test("annotations: without an approver a destructive tool pauses the execution; an exact policy allows it, a glob does not", async () => {
  await using cm = new Codemode({ sources: [annotated()], policies: { "up.*": "allow", "up.write": "allow" } });
  const paused = await cm.execute(`
    let refused = "";
    try { await tools.up.remove({}); } catch (e) { refused = e.message; }
    return { refused, written: await tools.up.write({}), read: await tools.up.read({}) };
  `);
  assert.deepEqual(paused.paused?.pending.map((p) => [p.tool, p.reason]), [["up.remove", { kind: "defaultPolicy" }]]);
  const id = paused.paused!.pending[0].id;
  const r = await cm.resume(paused.paused!.continuation, { [id]: { approved: false, reason: "not today" } });
  assert.deepEqual(r.result, {
    refused: "tools.up.remove was not run: not today (script.ts:3:26)",
    written: "called write",
    read: "called read",
  });
  const remove = cm.registry.get("up.remove")!;
  assert.equal(cm.policyOf(remove), "approve");
  assert.match(await cm.types(), /remove\(/, "a tool that needs approval is still declared");
});

Deno.test("defineTool: defaultPolicy is a policy, kept on the tool only when it is not allow", () => {
  const base = { name: "a.b", input: { type: "object" }, handler: () => 1 };
  assert.equal(defineTool({ ...base, defaultPolicy: "approve" }).defaultPolicy, "approve");
  assert.equal("defaultPolicy" in defineTool({ ...base, defaultPolicy: "allow" }), false);
  assert.throws(
    () => defineTool({ ...base, defaultPolicy: "yes" as unknown as "allow" }),
    /tool "a\.b": defaultPolicy must be "allow", "approve" or "deny"/,
  );
});
