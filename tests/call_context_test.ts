// What the caller of execute() hands the tool calls: its context as it is,
// an id for every call, and errors that must leave the execution.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool, type ToolContext } from "../mod.ts";
import { fromAiSdkTool } from "../src/config/from_ai_sdk.ts";
import { fromLangChainTool } from "../src/config/from_langchain.ts";

function recorder() {
  const seen: ToolContext[] = [];
  const tool = defineTool({ name: "rec.call", input: z.object({}), handler: (_, ctx) => void seen.push(ctx) });
  return { seen, tool };
}

Deno.test("execute(code, { context }) hands every tool handler that very context as ctx.context", async () => {
  const { seen, tool } = recorder();
  await using cm = new Codemode({ tools: [tool] });
  const context = { userId: "u-1", db: new Map([["k", 1]]) };
  const r = await cm.execute("await Promise.all([tools.rec.call({}), tools.rec.call({})])", { context });
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
  assert.equal(seen.length, 2);
  for (const ctx of seen) assert.equal(ctx.context, context);
  await cm.execute("await tools.rec.call({})");
  assert.equal(seen[2].context, undefined, "each execution has its own context");
});

Deno.test("ctx.toolCallId is <toolCallId>:<n>, n the call's place in toolCalls, discovery and unknown names included", async () => {
  const { seen, tool } = recorder();
  await using cm = new Codemode({ tools: [tool] });
  const code = `
    await tools.$search("rec");
    await tools.rec.call({});
    await tools.nope.missing({}).catch(() => {});
    await tools.rec.call({});
  `;
  const r = await cm.execute(code, { toolCallId: "call_abc" });
  assert.deepEqual(r.toolCalls.map((c) => c.tool), ["$search", "rec.call", "nope.missing", "rec.call"]);
  assert.deepEqual(seen.map((c) => c.toolCallId), ["call_abc:2", "call_abc:4"]);
});

Deno.test("without a toolCallId, call ids start with the execution's id", async () => {
  const { seen, tool } = recorder();
  await using cm = new Codemode({ tools: [tool] });
  const r = await cm.execute("await tools.rec.call({})");
  assert.equal(seen[0].toolCallId, `${r.executionId}:1`);
  assert.equal(seen[0].executionId, r.executionId);
});

Deno.test("an approver's error that rethrow accepts ends the execution and execute() throws it; the tool does not run", async () => {
  class Pause extends Error {}
  const { seen, tool } = recorder();
  await using cm = new Codemode({
    tools: [tool],
    policies: { "rec.call": "approve" },
    approver: () => {
      throw new Pause("ask a human first");
    },
  });
  const pause = cm.execute("try { await tools.rec.call({}) } catch { return 'caught' }", {
    rethrow: (e) => e instanceof Pause,
  });
  await assert.rejects(pause, (e) => e instanceof Pause);
  assert.deepEqual(seen, []);
  // Without rethrow the same approver is a refusal the script can read.
  const r = await cm.execute("try { await tools.rec.call({}) } catch (e) { return e.message }");
  assert.match(String(r.result), /^tools\.rec\.call was not run: the approver failed: ask a human first/);
});

Deno.test("a handler's error that rethrow accepts is thrown by execute() as it is, with the caller's signal still honoured", async () => {
  class Pause extends Error {}
  const pauser = defineTool({
    name: "flow.pause",
    input: z.object({}),
    handler: () => {
      throw new Pause("later");
    },
  });
  await using cm = new Codemode({ tools: [pauser] });
  const controller = new AbortController();
  await assert.rejects(
    cm.execute("await tools.flow.pause({})", { rethrow: (e) => e instanceof Pause, signal: controller.signal }),
    Pause,
  );
  controller.abort();
  const r = await cm.execute("return 1", { signal: controller.signal });
  assert.equal(r.stopReason, "killed", "an aborted caller's signal still ends the run");
});

Deno.test("AI SDK and LangChain tools loaded from config get the call's id and the context", async () => {
  const sdkCalls: { toolCallId: string; context?: unknown }[] = [];
  const sdkTool = fromAiSdkTool("sdk_echo", {
    inputSchema: z.object({}),
    execute: (_: unknown, options: { toolCallId: string; context?: unknown }) => void sdkCalls.push(options),
  });
  const lcConfigs: Record<string, unknown>[] = [];
  const lcTool = fromLangChainTool({
    name: "lc_echo",
    description: "Echoes.",
    schema: { type: "object" },
    invoke: (_: unknown, config: Record<string, unknown>) => Promise.resolve(void lcConfigs.push(config)),
  });
  await using cm = new Codemode({ tools: [sdkTool, lcTool] });
  const context = { configurable: { thread_id: "t" }, tags: ["a"], userId: "u-1", toolCall: { id: "x" } };
  await cm.execute("await tools.sdk_echo({}); await tools.lc_echo({})", { context, toolCallId: "call_1" });
  assert.deepEqual(sdkCalls.map(({ toolCallId, context }) => ({ toolCallId, context })), [
    { toolCallId: "call_1:1", context },
  ]);
  // A LangChain tool gets the RunnableConfig keys of the context and its own signal, nothing else.
  assert.deepEqual(Object.keys(lcConfigs[0]).sort(), ["configurable", "signal", "tags"]);
  assert.equal(lcConfigs[0].configurable, context.configurable);
});

Deno.test("the approver and a tool's own needsApproval check see the call's id and the execution's context", async () => {
  const checks: unknown[] = [];
  const asked: unknown[] = [];
  const tool = defineTool({
    name: "pay.send",
    input: z.object({ amount: z.number() }),
    needsApproval: (input, check) => (checks.push([input.amount, check.toolCallId, check.context]), true),
    handler: () => "sent",
  });
  const approver = ({ toolCallId, context }: { toolCallId?: string; context?: unknown }) => (
    asked.push([toolCallId, context]), true
  );
  await using cm = new Codemode({ tools: [tool], approver });
  const context = { user: "ann" };
  const r = await cm.execute("return await tools.pay.send({ amount: 5 })", { context, toolCallId: "call_9" });
  assert.equal(r.result, "sent", JSON.stringify(r.error));
  assert.deepEqual(checks, [[5, "call_9:1", context]]);
  assert.deepEqual(asked, [["call_9:1", context]]);
});
