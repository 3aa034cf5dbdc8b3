// Agents called from a script (`tools.agents.<name>`) run on the host: what
// the script may learn of them, and what it may make them do. Their errors
// reach it as one line without the host's message, stack or cause; it cannot
// raise their model-call cap or outlast their timeout, however the agent loops;
// and an output that fails its schema never reaches it.
// Stopped by: agentTool's one-line errors, its model-call hook that aborts past the cap, the tool timeout's abort signal and output validation
import assert from "node:assert/strict";
import { isStepCount, tool, ToolLoopAgent } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { agentTool } from "../../src/integrations/ai_sdk.ts";
import { agentTool as graphAgentTool } from "../../src/integrations/langgraph.ts";
import { looping, USAGE } from "../integrations/_ai_sdk_models.ts";
import { sandbox } from "./_canaries.ts";

const INSTALL_DIR = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** An error as a provider or a graph node might throw it on the host: a secret and host paths in message, stack and cause. */
function hostError(secret: string): Error {
  const error = new Error(`401 from https://api.example.com/v1?key=${secret} (config ${INSTALL_DIR}/codemode.yaml)`, {
    cause: new Error(`token ${secret}`),
  });
  error.name = "APICallError";
  error.stack = `APICallError: key=${secret}\n    at post (${INSTALL_DIR}/node_modules/ai/dist/index.js:1:1)`;
  return error;
}

const READ_ERROR = `
  try { await tools.agents.failing({ task: "go" }); return "no error"; }
  catch (e) { return { message: e.message, stack: String(e.stack), cause: String(e.cause), keys: Object.keys(e) }; }
`;

function assertNothingOfTheHost(result: unknown, secret: string): void {
  const text = JSON.stringify(result);
  assert.ok(!text.includes(secret), `the secret reached the script: ${text}`);
  assert.ok(!text.includes(INSTALL_DIR), `a host path reached the script: ${text}`);
}

Deno.test("an AI SDK agent's error reaches the script as its class name only: no message, stack, cause or host path", async () => {
  const secret = `secret-${crypto.randomUUID()}`;
  const model = new MockLanguageModelV4({ doGenerate: () => Promise.reject(hostError(secret)) });
  const seen: unknown[] = [];
  const logged = agentTool(new ToolLoopAgent({ model }), { name: "failing" });
  await using cm = sandbox({ tools: [logged] });
  const r = await cm.execute(READ_ERROR);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.equal(
    (r.result as { message: string }).message,
    "tools.agents.failing failed: the agent threw APICallError (script.ts:2:28)",
  );
  assertNothingOfTheHost(r, secret);
  // The host can still see the whole error, through describeError.
  const described = agentTool(new ToolLoopAgent({ model }), {
    name: "failing",
    describeError: (e) => (seen.push(e), "the provider refused the call"),
  });
  await using cm2 = sandbox({ tools: [described] });
  const r2 = await cm2.execute(READ_ERROR);
  assert.match(
    (r2.result as { message: string }).message,
    /^tools\.agents\.failing failed: the provider refused the call/,
  );
  assertNothingOfTheHost(r2, secret);
  assert.match((seen[0] as Error).message, new RegExp(secret));
});

Deno.test("a LangGraph node's error reaches the script as its class name only", async () => {
  const secret = `secret-${crypto.randomUUID()}`;
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("fail", () => Promise.reject(hostError(secret)))
    .addEdge(START, "fail")
    .compile();
  await using cm = sandbox({ tools: [graphAgentTool(graph, { name: "failing" })] });
  const r = await cm.execute(READ_ERROR);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.match(
    (r.result as { message: string }).message,
    /^tools\.agents\.failing failed: the agent threw APICallError/,
  );
  assertNothingOfTheHost(r, secret);
});

Deno.test("a script cannot raise an agent's cap: extra input is refused, and every call, even in parallel, stops at the cap", async () => {
  const model = looping();
  const lookup = tool({ inputSchema: z.object({}), execute: () => "found" });
  const agent = new ToolLoopAgent({ model, tools: { lookup }, stopWhen: isStepCount(1000) });
  await using cm = sandbox({ tools: [agentTool(agent, { name: "looper", maxModelCalls: 2 })] });
  const r = await cm.execute(`
    const asks = [{ task: "go", maxModelCalls: 1000 }, { task: "go", stopWhen: 1000 }];
    const refused = [];
    for (const ask of asks) { try { await tools.agents.looper(ask); } catch (e) { refused.push(e.message); } }
    const runs = await Promise.allSettled([1, 2, 3].map(() => tools.agents.looper({ task: "go" })));
    return { refused, capped: runs.map((run) => run.status === "rejected" && run.reason.message) };
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  const { refused, capped } = r.result as { refused: string[]; capped: string[] };
  assert.equal(refused.length, 2);
  for (const message of refused) {
    assert.match(message, /^Invalid input for tools\.agents\.looper: .*[Uu]nrecognized key/);
  }
  for (const message of capped) assert.match(message, /^tools\.agents\.looper stopped: the agent reached its cap of 2/);
  assert.equal(model.doGenerateCalls.length, 3 * 2);
});

Deno.test("an agent that keeps looping cannot outlast its timeout: the loop ends or is held at its next step", async () => {
  let late = 0;
  let n = 0;
  const model = new MockLanguageModelV4({
    doGenerate: ({ abortSignal }) => {
      // As a provider's fetch does: a call whose signal is already aborted sends nothing and rejects.
      if (abortSignal?.aborted) return (late++, Promise.reject(abortSignal.reason));
      return Promise.resolve({
        content: [{ type: "tool-call", toolCallId: `c${++n}`, toolName: "lookup", input: "{}" }],
        finishReason: { unified: "tool-calls", raw: undefined },
        usage: USAGE,
        warnings: [],
      });
    },
  });
  const lookup = tool({
    inputSchema: z.object({}),
    // Each lookup takes a little time, so the loop is a loop over time, not a spin.
    execute: () => new Promise((resolve) => setTimeout(() => resolve("found"), 5)),
  });
  // The run is over once the loop has ended, or its next step has started after the abort (and is held back there).
  let signal: AbortSignal | undefined;
  let over: () => void = () => {};
  const runOver = new Promise<void>((resolve) => over = resolve);
  const inner = new ToolLoopAgent({
    model,
    tools: { lookup },
    stopWhen: isStepCount(100_000),
    onStepStart: () => void (signal?.aborted && over()),
  });
  const agent = {
    generate: (call: { abortSignal: AbortSignal }) => {
      signal = call.abortSignal;
      return inner.generate(call as Parameters<typeof inner.generate>[0]).finally(over);
    },
  };
  await using cm = sandbox({ tools: [agentTool(agent, { name: "looper", timeoutMs: 300, maxModelCalls: 100_000 })] });
  const r = await cm.execute(`try { await tools.agents.looper({ task: "go" }); } catch (e) { return e.message; }`);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.match(r.result as string, /^tools\.agents\.looper timed out after 300 ms/);
  assert.ok(n >= 1);
  await runOver;
  // A model call the step under way had not yet sent when the timeout hit goes out with a dead signal; none after it.
  assert.ok(late <= 1, `${late} model calls after the timeout`);
});

Deno.test("an agent's output that fails its schema is refused, and none of it reaches the script", async () => {
  const secret = `secret-${crypto.randomUUID()}`;
  const leaky = { generate: () => Promise.resolve({ text: { token: secret } as unknown as string }) };
  const mapped = agentTool(leaky, {
    name: "mapped",
    output: z.object({ score: z.number() }),
    toOutput: () => ({ score: secret as unknown as number }),
  });
  await using cm = sandbox({ tools: [agentTool(leaky, { name: "leaky" }), mapped] });
  const r = await cm.execute(`
    const out = [];
    for (const call of [tools.agents.leaky, tools.agents.mapped]) {
      try { out.push(await call({ task: "go" })); } catch (e) { out.push(e.message); }
    }
    return out;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  const [leakyMessage, mappedMessage] = r.result as string[];
  assert.match(leakyMessage, /^tools\.agents\.leaky returned output that does not match its schema: text: /);
  assert.match(mappedMessage, /^tools\.agents\.mapped returned output that does not match its schema: score: /);
  assertNothingOfTheHost(r, secret);
});
