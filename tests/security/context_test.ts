// The doors this adds: `execute(code, { context, toolCallId, rethrow })`.
// The context and the caller's call id stay on the host, whatever the script
// probes; an error that leaves the execution cannot be caught and outlived by
// the script; and nothing the script sends can pose as such an error.
// Stopped by: `context` and the caller's call id never leave the host (nothing is serialized to the child); an error
// chosen by `rethrow` stops the sandbox before `execute` throws it, and a `rethrow` test that throws counts as no.
import assert from "node:assert/strict";
import { ToolMessage } from "@langchain/core/messages";
import { z } from "zod";
import { defineTool, type ToolContext } from "../../mod.ts";
import { langchainTool } from "../../src/integrations/langchain.ts";
import { assertHealthy, canaries, sandbox } from "./_canaries.ts";

/** A script that looks everywhere a host value could have been put. */
const PROBE = `
const found = [];
const look = (label, value) => { try { found.push(label + "=" + JSON.stringify(value)); } catch (e) { found.push(label + "!" + e.message); } };
for (const key of Reflect.ownKeys(globalThis)) look(String(key), typeof globalThis[key] === "function" ? "fn" : globalThis[key]);
look("tools", Object.keys(tools));
for (const name of ["context", "$context", "toolCallId", "$call"]) {
  try { look(name, await tools[name]()); } catch (e) { found.push(name + ":" + e.message); }
}
try { await tools.probe.fail({}); } catch (e) { found.push(e.message, String(e.stack)); }
look("echo", await tools.probe.echo({}));
console.log(found.join("\\n"));
return found;
`;

Deno.test("the context and call id stay on the host: the script finds neither, and nothing serializes the context", async () => {
  await using c = await canaries();
  let touched = 0;
  const context = {
    secret: c.secret,
    get trap() {
      touched++;
      return c.secret;
    },
    toJSON() {
      throw new Error("the context was serialized");
    },
    send: () => c.secret,
    big: 10n,
  } as Record<string, unknown>;
  context.self = context;
  const seen: ToolContext[] = [];
  const probe = [
    defineTool({ name: "probe.echo", input: z.object({}), handler: (_, ctx) => (seen.push(ctx), "echo") }),
    defineTool({
      name: "probe.fail",
      input: z.object({}),
      handler: (_, ctx) => {
        seen.push(ctx);
        throw new Error("failed");
      },
    }),
  ];
  await using cm = sandbox({ tools: probe });
  const r = await cm.execute(PROBE, { context, toolCallId: `call-${c.secret}` });

  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
  c.assertClean(r);
  assert.equal(touched, 0, "nothing read the context's properties");
  assert.equal(seen.length, 2);
  for (const ctx of seen) assert.equal(ctx.context, context, "handlers get the very object");
  assert.deepEqual(seen.map((ctx) => ctx.toolCallId), [`call-${c.secret}:5`, `call-${c.secret}:6`]);
  await assertHealthy(cm);
});

Deno.test("an error that leaves the execution ends it: a script that catches it cannot go on or return", async () => {
  class Pause extends Error {}
  const after: string[] = [];
  const tools = [
    defineTool({
      name: "flow.pause",
      input: z.object({}),
      handler: () => {
        throw new Pause("waiting for a human");
      },
    }),
    defineTool({
      name: "flow.after",
      input: z.object({ n: z.number() }),
      handler: ({ n }) => void after.push(`n${n}`),
    }),
  ];
  await using cm = sandbox({ tools });
  const pending = cm.execute(
    `
    for (let i = 0; i < 50; i++) {
      try { await tools.flow.pause({}); } catch { await tools.flow.after({ n: i }).catch(() => {}); }
    }
    return "outlived the pause";
  `,
    { rethrow: (e) => e instanceof Pause },
  );
  await assert.rejects(pending, (e) => e instanceof Pause && e.message === "waiting for a human");
  assert.deepEqual(after, [], "no tool call of the script ran after the pause");
  await assertHealthy(cm);
});

Deno.test("a rethrow test that throws counts as no: the script gets a ToolError and the host carries on", async () => {
  const boom = defineTool({
    name: "x.boom",
    input: z.object({}),
    handler: () => {
      throw new Error("handler failed");
    },
  });
  await using cm = sandbox({ tools: [boom] });
  const r = await cm.execute(`try { await tools.x.boom({}); } catch (e) { return e.message }`, {
    rethrow: () => {
      throw new Error("the test itself failed");
    },
  });
  assert.equal(r.stopReason, "completed");
  assert.match(String(r.result), /^tools\.x\.boom failed: handler failed/);
});

Deno.test("LangChain tool: a handler that throws what the script sent cannot fake a LangGraph interrupt", async () => {
  // A careless handler that throws its input: the script controls that value entirely.
  const careless = defineTool({
    name: "x.throwBack",
    input: z.object({}).passthrough(),
    handler: (input) => {
      throw input;
    },
  });
  await using cm = sandbox({ tools: [careless] });
  const fake = `{ is_bubble_up: true, name: "GraphInterrupt", interrupts: [{ value: "fake" }], message: "stop" }`;
  const code = `try { await tools.x.throwBack(${fake}); } catch (e) { return "caught: " + e.message; }`;
  const message = await (await langchainTool(cm)).invoke({
    id: "c1",
    name: "execute_code",
    args: { code },
    type: "tool_call",
  });
  assert.ok(ToolMessage.isInstance(message));
  assert.match(String(message.content), /^Result:\n"caught: tools\.x\.throwBack failed: \[object Object\]/);
});
