// AI SDK agents called from a script (`tools.agents.<name>`), end to end: a
// real sandbox, a real `ToolLoopAgent` and `generateText`, the SDK's own mock model.
import assert from "node:assert/strict";
import { generateText, isStepCount, tool, ToolLoopAgent } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { z } from "zod";
import { Codemode, type ExecutionResult, type Observer, type ToolCallOutcome } from "../../mod.ts";
import { agentTool } from "../../src/integrations/ai_sdk.ts";
import { answering, looping } from "./_ai_sdk_models.ts";

const lookup = tool({ description: "Looks something up.", inputSchema: z.object({}), execute: () => "found" });

function assertCompleted(r: ExecutionResult): void {
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
}

Deno.test("a ToolLoopAgent is called from a script as tools.agents.<name>({ task }) and answers { text }", async () => {
  const { model, prompts } = answering(() => "Oslo is cold.");
  const agent = new ToolLoopAgent({ model, instructions: "You research weather." });
  await using cm = new Codemode({ tools: [agentTool(agent, { name: "research", description: "Researches." })] });
  const r = await cm.execute(`return await tools.agents.research({ task: "How is Oslo?" })`);
  assertCompleted(r);
  assert.deepEqual(r.result, { text: "Oslo is cold." });
  assert.equal(prompts.length, 1);
  assert.match(prompts[0], /How is Oslo\?/);
  assert.match(prompts[0], /You research weather\./);
  assert.deepEqual(r.toolCalls.map((c) => [c.tool, c.ok]), [["agents.research", true]]);
  const types = await cm.types();
  assert.match(types, /research\(input: \{\s*\/\*\*[^*]*\*\/\s*task: string;?\s*\}\): Promise<\{[^}]*text: string/);
});

Deno.test("an agent with its own input and output schemas gets its prompt and gives its output through the mappings", async () => {
  const { model, prompts } = answering(() => "7");
  const agent = new ToolLoopAgent({ model });
  const scorer = agentTool(agent, {
    name: "scorer",
    input: z.object({ essay: z.string(), scale: z.number().int() }),
    output: z.object({ score: z.number() }),
    prompt: ({ essay, scale }) => `Score this essay from 1 to ${scale}: ${essay}`,
    toOutput: (result) => ({ score: Number(result.text) }),
  });
  await using cm = new Codemode({ tools: [scorer] });
  const r = await cm.execute(`
    const { score } = await tools.agents.scorer({ essay: "Short.", scale: 10 });
    let bad;
    try { await tools.agents.scorer({ task: "x" }); } catch (e) { bad = e.message; }
    return { score, bad };
  `);
  assertCompleted(r);
  const { score, bad } = r.result as { score: number; bad: string };
  assert.equal(score, 7);
  assert.match(bad, /^Invalid input for tools\.agents\.scorer: /);
  assert.equal(prompts.length, 1, "the invalid call never reached the model");
  assert.match(prompts[0], /Score this essay from 1 to 10: Short\./);
});

Deno.test("an agent that loops is stopped at maxModelCalls: the next model call is never made and the script can catch why", async () => {
  const model = looping();
  const agent = new ToolLoopAgent({ model, tools: { lookup }, stopWhen: isStepCount(50) });
  await using cm = new Codemode({ tools: [agentTool(agent, { name: "looper", maxModelCalls: 3 })] });
  const r = await cm.execute(`
    try { await tools.agents.looper({ task: "go" }); return "no error"; } catch (e) { return e.message; }
  `);
  assertCompleted(r);
  assert.match(
    r.result as string,
    /^tools\.agents\.looper stopped: the agent reached its cap of 3 model calls \(maxModelCalls: 3\)/,
  );
  assert.equal(model.doGenerateCalls.length, 3);
  assert.ok(model.doGenerateCalls.every((c) => c.abortSignal !== undefined));
});

Deno.test("a generateText loop given as a function is capped too, through the hook it passes on", async () => {
  const model = looping();
  const loop = agentTool(
    (call) => generateText({ model, tools: { lookup }, stopWhen: isStepCount(50), ...call }),
    { name: "loop", maxModelCalls: 2 },
  );
  const { model: plain } = answering(() => "fine");
  const once = agentTool((call) => generateText({ model: plain, ...call }), { name: "once" });
  await using cm = new Codemode({ tools: [loop, once] });
  const r = await cm.execute(`
    const answer = await tools.agents.once({ task: "hi" });
    try { await tools.agents.loop({ task: "go" }); } catch (e) { return [answer, e.message]; }
  `);
  assertCompleted(r);
  const [answer, message] = r.result as [unknown, string];
  assert.deepEqual(answer, { text: "fine" });
  assert.match(message, /^tools\.agents\.loop stopped: the agent reached its cap of 2 model calls/);
  assert.equal(model.doGenerateCalls.length, 2);
});

Deno.test("a generateText function that drops the step hook fails instead of running uncapped", async () => {
  const { model } = answering(() => "fine");
  const unhooked = agentTool(({ prompt }) => generateText({ model, prompt }), { name: "unhooked" });
  await using cm = new Codemode({ tools: [unhooked] });
  const r = await cm.execute(`try { await tools.agents.unhooked({ task: "hi" }); } catch (e) { return e.message; }`);
  assertCompleted(r);
  assert.match(
    r.result as string,
    /^tools\.agents\.unhooked failed: the agent made 1 model calls but its step hook saw 0, so its cap cannot be kept/,
  );
});

Deno.test("an agent's timeout aborts the model call it is waiting on, and the script is told", async () => {
  let aborted: (() => void) | undefined;
  const sawAbort = new Promise<void>((resolve) => aborted = resolve);
  const model = new MockLanguageModelV4({
    doGenerate: ({ abortSignal }) =>
      new Promise((_, reject) => {
        abortSignal?.addEventListener("abort", () => {
          aborted?.();
          reject(abortSignal.reason);
        }, { once: true });
      }),
  });
  const slow = agentTool(new ToolLoopAgent({ model }), { name: "slow", timeoutMs: 200 });
  await using cm = new Codemode({ tools: [slow] });
  const r = await cm.execute(`try { await tools.agents.slow({ task: "wait" }); } catch (e) { return e.message; }`);
  assertCompleted(r);
  assert.match(r.result as string, /^tools\.agents\.slow timed out after 200 ms/);
  await sawAbort;
});

Deno.test("policies apply to agents by name, and observers see an agent call as a tool call", async () => {
  const ended: [string | undefined, ToolCallOutcome][] = [];
  const observer: Observer = {
    execution: () => ({
      traceHeaders: () => undefined,
      toolCall: () => ({ runInContext: (run) => run(), end: (tool, outcome) => void ended.push([tool, outcome]) }),
      end: () => {},
    }),
  };
  const { model, prompts } = answering(() => "ok");
  const tools = [agentTool(new ToolLoopAgent({ model }), { name: "a" })];
  const asked: string[] = [];
  await using cm = new Codemode({
    tools,
    observer,
    policies: { "agents.*": "approve" },
    approver: ({ tool, input }) => {
      asked.push(tool);
      return (input as { task: string }).task === "allowed";
    },
  });
  const r = await cm.execute(`
    const ok = await tools.agents.a({ task: "allowed" });
    try { await tools.agents.a({ task: "refused" }); } catch (e) { return [ok, e.message]; }
  `);
  assertCompleted(r);
  assert.deepEqual(r.result, [{ text: "ok" }, "tools.agents.a was not run: the approver refused it (script.ts:3:30)"]);
  assert.deepEqual(asked, ["agents.a", "agents.a"]);
  assert.equal(prompts.length, 1);
  assert.deepEqual(ended, [["agents.a", "ok"], ["agents.a", "refused"]]);
});

Deno.test("agentTool refuses what is not an agent, a prefixed name and a bad cap, naming the agent", () => {
  const agent = { generate: () => Promise.resolve({ text: "" }) };
  assert.throws(() => agentTool({} as never, { name: "x" }), /agent "x": expected an AI SDK agent/);
  assert.throws(
    () => agentTool(agent, { name: "agents.x" }),
    /agent "agents\.x": name must be .* without the "agents\." prefix/,
  );
  assert.throws(
    () => agentTool(agent, { name: "x", maxModelCalls: 0 }),
    /agent "x": maxModelCalls must be a positive integer/,
  );
  assert.equal(agentTool(agent, { name: "x" }).name, "agents.x");
});
