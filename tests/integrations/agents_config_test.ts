// Agents in a project's tool modules: `agentTool(...)` makes a normal tool, so
// config discovery finds it like any other, named `agents.<name>`, under the
// config's policies; an agent exported bare is not a tool.
import assert from "node:assert/strict";
import { discoverTools, fromConfig } from "../../src/config/mod.ts";

const FIXTURE = new URL("../config/fixtures/agent_tools.ts", import.meta.url).pathname;

Deno.test("agents wrapped with agentTool in a tool module are discovered as agents.<name>; a bare agent is skipped", async () => {
  const found = await discoverTools([FIXTURE]);
  assert.deepEqual(found.map((t) => [t.tool.name, t.source.slice(FIXTURE.length)]), [
    ["agents.summarize", "#agents.summarize"],
    ["agents.research", "#research"],
  ]);
});

Deno.test("a codemode.yaml's tools and policies apply to agents: a script calls them, and agents.* rules hold", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codemode-agents-config-" });
  try {
    await Deno.writeTextFile(
      `${dir}/codemode.yaml`,
      `tools: [${FIXTURE}]\npolicies:\n  "agents.*": approve\n  agents.summarize: allow\n`,
    );
    const asked: string[] = [];
    await using cm = await fromConfig(`${dir}/codemode.yaml`, { approver: ({ tool }) => (asked.push(tool), true) });
    const r = await cm.execute(`
      const found = await tools.agents.research({ task: "How is Lima?" });
      return await tools.agents.summarize({ task: found.text });
    `);
    assert.equal(r.stopReason, "completed", JSON.stringify(r));
    assert.deepEqual(r.result, { text: "Summary: Lima is warm." });
    assert.deepEqual(asked, ["agents.research"]);
    assert.match(await cm.types(), /Researches a question\./);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
