import assert from "node:assert/strict";
import { z } from "zod";
import { type ApprovalRequest, Codemode, defineTool, PolicySet } from "../mod.ts";

function githubTools(ran: string[]) {
  const t = (name: string) =>
    defineTool({
      name,
      input: z.object({ repo: z.string() }),
      handler: ({ repo }) => (ran.push(`${name}:${repo}`), "done"),
    });
  return [t("github.listIssues"), t("github.deleteRepo"), t("github.deleteLabel"), t("github.createIssue")];
}

Deno.test("PolicySet prefers exact names over globs and longer globs over shorter ones", () => {
  const p = new PolicySet({
    "*": "approve",
    "github.*": "allow",
    "github.delete*": "deny",
    "github.deleteLabel": "allow",
  });
  assert.equal(p.policyFor("github.deleteRepo"), "deny");
  assert.equal(p.policyFor("github.deleteLabel"), "allow");
  assert.equal(p.policyFor("github.listIssues"), "allow");
  assert.equal(p.policyFor("db.query"), "approve");
});

Deno.test("PolicySet rejects an unknown policy, naming the rule", () => {
  assert.throws(() => new PolicySet({ "a.b": "maybe" as never }), /Policy for "a\.b" must be allow, deny or approve/);
});

Deno.test("a denied tool fails in the script with a readable error and never runs", async () => {
  const ran: string[] = [];
  await using cm = new Codemode({ tools: githubTools(ran), policies: { "github.delete*": "deny" } });
  const r = await cm.execute(`
    try { await tools.github.deleteRepo({ repo: "x" }); } catch (e) { return e.message; }
  `);
  // Denied tools are invisible: the error and its hint name no denied tool.
  assert.match(String(r.result), /^tools\.github\.deleteRepo is not a tool\./);
  assert.doesNotMatch(String(r.result).slice("tools.github.deleteRepo".length), /delete/i);
  assert.deepEqual(ran, []);
});

Deno.test("denied tools are left out of the declarations the model sees", async () => {
  const cm = new Codemode({ tools: githubTools([]), policies: { "github.delete*": "deny" } });
  const types = await cm.types();
  assert.doesNotMatch(types, /deleteRepo|deleteLabel/);
  assert.match(types, /listIssues/);
});

Deno.test("an approve tool runs only when the approver agrees, and the approver sees the validated call", async () => {
  const ran: string[] = [];
  const asked: ApprovalRequest[] = [];
  await using cm = new Codemode({
    tools: githubTools(ran),
    policies: { "github.createIssue": "approve" },
    approver: (req) => {
      asked.push(req);
      return (req.input as { repo: string }).repo === "ok";
    },
  });
  const r = await cm.execute(`
    const a = await tools.github.createIssue({ repo: "ok" });
    let b;
    try { await tools.github.createIssue({ repo: "no" }); } catch (e) { b = e.message; }
    return [a, b];
  `);
  assert.deepEqual(r.result, [
    "done",
    "tools.github.createIssue was not run: the approver refused it (script.ts:4:30)",
  ]);
  assert.deepEqual(ran, ["github.createIssue:ok"]);
  assert.deepEqual(asked.map((a) => [a.tool, a.input, a.executionId]), [
    ["github.createIssue", { repo: "ok" }, r.executionId],
    ["github.createIssue", { repo: "no" }, r.executionId],
  ]);
});

Deno.test("an approve tool without an approver pauses the execution; one whose approver throws is refused", async () => {
  const ran: string[] = [];
  await using none = new Codemode({ tools: githubTools(ran), policies: { "github.*": "approve" } });
  const r1 = await none.execute(`try { await tools.github.listIssues({ repo: "x" }) } catch (e) { return e.message }`);
  assert.equal(r1.stopReason, "paused");
  assert.deepEqual(r1.paused?.pending.map((p) => [p.tool, p.input, p.reason]), [
    ["github.listIssues", { repo: "x" }, { kind: "policy", rule: "github.*" }],
  ]);
  await using throwing = new Codemode({
    tools: githubTools(ran),
    policies: { "github.*": "approve" },
    approver: () => {
      throw new Error("approval service down");
    },
  });
  const r2 = await throwing.execute(
    `try { await tools.github.listIssues({ repo: "x" }) } catch (e) { return e.message }`,
  );
  assert.equal(
    r2.result,
    "tools.github.listIssues was not run: the approver failed: approval service down (script.ts:1:26)",
  );
  assert.deepEqual(ran, []);
});

Deno.test("an approver that answers something other than true refuses", async () => {
  const ran: string[] = [];
  await using cm = new Codemode({
    tools: githubTools(ran),
    policies: { "github.listIssues": "approve" },
    approver: () => "yes" as unknown as boolean,
  });
  const r = await cm.execute(`try { await tools.github.listIssues({ repo: "x" }) } catch (e) { return e.message }`);
  assert.match(String(r.result), /approver refused/);
  assert.deepEqual(ran, []);
});

Deno.test("prompt() explains how to write the script and includes the types", async () => {
  const cm = new Codemode({ tools: githubTools([]) });
  const p = await cm.prompt({ toolName: "run_script", extra: "Answer in French." });
  assert.match(p, /`run_script` tool/);
  assert.match(p, /return/);
  assert.match(p, /Promise\.all/);
  assert.match(p, /console\.log/);
  assert.ok(p.includes((await cm.types()).trimEnd()));
  assert.match(p, /Answer in French\.$/);
});
