// The LangChain run config reaches the tools the script calls: a LangChain
// tool converted by Codemode runs as a child of the execute_code run (seen by a
// real LangChain tracer), with the parent's configurable, and every handler
// gets the config as ctx.context and its own call id.
import assert from "node:assert/strict";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { tool } from "@langchain/core/tools";
import { RunCollectorCallbackHandler } from "@langchain/core/tracers/run_collector";
import { z } from "zod";
import { Codemode, defineTool, type ToolContext } from "../../mod.ts";
import { fromLangChainTool } from "../../src/config/from_langchain.ts";
import { langchainTool } from "../../src/integrations/langchain.ts";
import type { ExecutionResult } from "../../src/integrations/langchain.ts";

/** A LangChain tool that answers with what its own run config held (input typed loosely, as tool modules are). */
const whoAmI = tool(
  (_input: unknown, config: RunnableConfig) =>
    JSON.stringify({ user: config.configurable?.user ?? null, tags: config.tags ?? [] }),
  { name: "who_am_i", description: "The calling user.", schema: z.object({ verbose: z.boolean().optional() }) },
);

const CODE = `
const first = await tools.who_am_i({});
const second = await tools.who_am_i({});
return { first, second };
`;

Deno.test("a LangChain tool the script calls is traced as a child of the execute_code run and sees its configurable", async () => {
  await using cm = new Codemode({ tools: [fromLangChainTool(whoAmI)] });
  const tracer = new RunCollectorCallbackHandler();
  const message = await (await langchainTool(cm)).invoke(
    { id: "call_42", name: "execute_code", args: { code: CODE }, type: "tool_call" },
    { callbacks: [tracer], configurable: { user: "ada" }, tags: ["agent"] },
  );
  await awaitAllCallbacks();

  assert.ok(ToolMessage.isInstance(message));
  const result = message.artifact as ExecutionResult;
  assert.equal(result.ok, true, JSON.stringify(result.error));
  // The nested tool got the parent's configurable and tags, and its result is data, not a ToolMessage.
  assert.deepEqual(result.result, {
    first: { user: "ada", tags: ["agent"] },
    second: { user: "ada", tags: ["agent"] },
  });
  assert.equal(tracer.tracedRuns.length, 1, "one root run: execute_code");
  const [root] = tracer.tracedRuns;
  assert.equal(root.name, "execute_code");
  assert.equal(root.run_type, "tool");
  assert.deepEqual(root.child_runs?.map((r) => [r.name, r.run_type, r.parent_run_id]), [
    ["who_am_i", "tool", root.id],
    ["who_am_i", "tool", root.id],
  ]);
});

Deno.test("handlers get the child run config as ctx.context and call ids made from the tool call's id", async () => {
  const seen: Pick<ToolContext, "toolCallId" | "context">[] = [];
  const probe = defineTool({
    name: "probe.call",
    input: z.object({}),
    handler: (_, ctx) => void seen.push({ toolCallId: ctx.toolCallId, context: ctx.context }),
  });
  await using cm = new Codemode({ tools: [probe] });
  const controller = new AbortController();
  await (await langchainTool(cm)).invoke(
    {
      id: "call_7",
      name: "execute_code",
      args: { code: "await tools.probe.call({}); await tools.probe.call({});" },
      type: "tool_call",
    },
    { configurable: { thread_id: "t-1" }, metadata: { team: "a" }, signal: controller.signal },
  );
  assert.deepEqual(seen.map((s) => s.toolCallId), ["call_7:1", "call_7:2"]);
  const config = seen[0].context as RunnableConfig & { toolCall?: unknown };
  assert.equal(config.configurable?.thread_id, "t-1");
  assert.equal(config.metadata?.team, "a");
  // What belongs to execute_code's own run is not handed down.
  assert.equal(config.toolCall, undefined);
  assert.equal(config.signal, undefined);
  assert.equal(seen[1].context, seen[0].context, "one config for the whole execution");
});
