// Abuse tests for upstream tool annotations (a new door: they now shape policy). They are
// hostile input: an upstream can use them to make its own tools need approval, never to make
// a denied tool callable or a tool that needs approval run without it.
// Stopped by: annotations can only tighten policy (`defaultPolicy: approve`); `deny` and explicit rules always win.
import assert from "node:assert/strict";
import { Codemode } from "../../src/codemode.ts";
import { McpToolSource } from "../../src/mcp/client/mod.ts";
import { PolicySet, type ToolPolicy } from "../../src/tools/policy.ts";
import { quiet, stdioServer } from "../mcp/client/_helpers.ts";

const annotated = () => new McpToolSource("up", stdioServer("abuse_server.ts", {}, ["annotated"]), quiet());

Deno.test("mcp annotations abuse: a tool claiming to be read-only stays denied, or needing approval, as configured", async () => {
  const asked: string[] = [];
  await using cm = new Codemode({
    sources: [annotated()],
    policies: { "up.drop_tables": "deny", "up.*": "approve" },
    approver: ({ tool }) => (asked.push(tool), false),
  });
  const r = await cm.execute(`
    const tried = {};
    for (const name of ["drop_tables", "read", "append", "plain"]) {
      try { tried[name] = await tools.up[name]({}); } catch (e) { tried[name] = e.message.replace(/ \\(script.*/, ""); }
    }
    return tried;
  `);
  assert.deepEqual(r.result, {
    drop_tables: "tools.up.drop_tables is not a tool. Did you mean: tools.up.append, tools.up.liar, tools.up.nested?",
    read: "tools.up.read was not run: the approver refused it",
    append: "tools.up.append was not run: the approver refused it",
    plain: "tools.up.plain was not run: the approver refused it",
  });
  assert.deepEqual(asked, ["up.read", "up.append", "up.plain"]);
  assert.doesNotMatch(await cm.types(), /drop_tables/);
});

Deno.test("mcp annotations abuse: malformed hints (strings, objects, arrays, a string for the whole) loosen nothing", async () => {
  await using cm = new Codemode({
    sources: [annotated()],
    policies: { "up.stringly": "deny", "up.nested": "approve" },
  });
  await cm.loadTools();
  const policy = (name: string) => cm.policyOf(cm.registry.get(`up.${name}`)!);
  assert.equal(policy("stringly"), "deny");
  assert.equal(policy("nested"), "approve");
  assert.equal(policy("not_an_object"), "allow");
  assert.equal(policy("liar"), "approve", "read-only and destructive at once: the stricter reading");
});

Deno.test("mcp annotations abuse: for every rule and default, a tool's own default is never looser than the rules", () => {
  const rank: Record<ToolPolicy, number> = { allow: 0, approve: 1, deny: 2 };
  const options: (ToolPolicy | undefined)[] = [undefined, "allow", "approve", "deny"];
  for (const exact of options) {
    for (const glob of options) {
      const rules: Record<string, ToolPolicy> = {};
      if (exact) rules["up.t"] = exact;
      if (glob) rules["up.*"] = glob;
      const set = new PolicySet(rules);
      const ruled = set.policyFor("up.t");
      for (const defaultPolicy of options) {
        const got = set.policyOfTool({ name: "up.t", path: ["up", "t"], defaultPolicy });
        assert.ok(rank[got] >= rank[ruled], `${JSON.stringify({ exact, glob, defaultPolicy })}: ${got} < ${ruled}`);
        if (exact) assert.equal(got, exact, "an exact rule is the host's explicit choice");
        else if (defaultPolicy) assert.ok(rank[got] >= rank[defaultPolicy]);
      }
    }
  }
});
