// The AI SDK face of pause and resume: a script that reaches a call needing
// approval pauses; the model calls resume_execution, which needs approval, so
// generateText stops with the SDK's own tool-approval-request; answered with a
// tool-approval-response, the execution resumes by replay (in a new Codemode
// over the same key and store: a restarted host), and no tool runs twice.
import assert from "node:assert/strict";
import { generateText, isStepCount, type ModelMessage, type ToolApprovalResponse } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { z } from "zod";
import { Codemode, defineTool, type PausedExecution } from "../../mod.ts";
import {
  aiSdkResumeTool,
  aiSdkTool,
  type ContinuationStore,
  memoryContinuations,
} from "../../src/integrations/ai_sdk.ts";
import { USAGE } from "./_ai_sdk_models.ts";

const KEY = "a test key of the host, 32 chars or more, from the env";
const CODE = `
await tools.log.note({ text: "before" });
const sent = await tools.mail.send({ to: "ana" });
await tools.log.note({ text: "after" });
return sent;
`;

function host(ran: { notes: string[]; sent: string[] }): Codemode {
  return new Codemode({
    tools: [
      defineTool({
        name: "mail.send",
        input: z.object({ to: z.string() }),
        needsApproval: true,
        handler: ({ to }) => (ran.sent.push(to), `sent to ${to}`),
      }),
      defineTool({
        name: "log.note",
        input: z.object({ text: z.string() }),
        handler: ({ text }) => void ran.notes.push(text),
      }),
    ],
    approvals: { key: KEY },
  });
}

// A model that runs the script, then asks to resume the execution its result names, then answers.
function model(): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    doGenerate: (options) => {
      const prompt = JSON.stringify(options.prompt);
      const asked = /call resume_execution with \{\\+"executionId\\+":\\+"([0-9a-f-]+)\\+"\}/.exec(prompt)?.[1];
      // It answers once the resumed result (the tool's own output) is in its prompt.
      const resumed = /sent to ana/.test(prompt);
      const call = (toolName: string, input: unknown) => ({
        content: [{ type: "tool-call" as const, toolCallId: `c-${toolName}`, toolName, input: JSON.stringify(input) }],
        finishReason: { unified: "tool-calls" as const, raw: undefined },
        usage: USAGE,
        warnings: [],
      });
      if (resumed) {
        return Promise.resolve({
          content: [{ type: "text" as const, text: "Done." }],
          finishReason: { unified: "stop" as const, raw: undefined },
          usage: USAGE,
          warnings: [],
        });
      }
      return Promise.resolve(
        asked ? call("resume_execution", { executionId: asked }) : call("execute_code", { code: CODE }),
      );
    },
  });
}

async function toolsOf(cm: Codemode, continuations: ContinuationStore) {
  return {
    execute_code: await aiSdkTool(cm, { continuations }),
    resume_execution: aiSdkResumeTool(cm, { continuations }),
  };
}

// A store that outlives a host, as a database table would.
function sharedStore(): ContinuationStore & { rows: Map<string, string> } {
  const rows = new Map<string, string>();
  return {
    rows,
    set: (id, paused) => void rows.set(id, JSON.stringify(paused)),
    take(id) {
      const row = rows.get(id);
      rows.delete(id);
      return row === undefined ? undefined : JSON.parse(row) as PausedExecution;
    },
  };
}

Deno.test("AI SDK: a paused script ends in the SDK's tool-approval-request; approved, it resumes in a new host", async () => {
  const ran = { notes: [] as string[], sent: [] as string[] };
  const store = sharedStore();
  const messages: ModelMessage[] = [{ role: "user", content: "Write to Ana" }];

  const first = host(ran);
  const step1 = await generateText({
    model: model(),
    tools: await toolsOf(first, store),
    stopWhen: isStepCount(5),
    messages,
  });
  await first.close();

  const requests = step1.content.filter((part) => part.type === "tool-approval-request");
  assert.equal(requests.length, 1, "the SDK stopped at the resume call, asking for approval");
  assert.equal(requests[0].toolCall.toolName, "resume_execution");
  assert.deepEqual(ran, { notes: ["before"], sent: [] }, "nothing that needs approval ran");
  const executionId = (requests[0].toolCall.input as { executionId: string }).executionId;
  const paused = JSON.parse(store.rows.get(executionId)!) as PausedExecution;
  assert.deepEqual(paused?.pending.map((p) => [p.tool, p.input]), [["mail.send", { to: "ana" }]]);

  const approval: ToolApprovalResponse = {
    type: "tool-approval-response",
    approvalId: requests[0].approvalId,
    approved: true,
  };
  const second = host(ran);
  await using _ = second;
  const step2 = await generateText({
    model: model(),
    tools: await toolsOf(second, store),
    stopWhen: isStepCount(5),
    messages: [...messages, ...step1.response.messages, { role: "tool", content: [approval] }],
  });

  assert.equal(step2.text, "Done.", "the model read the resumed result");
  assert.deepEqual(ran, { notes: ["before", "after"], sent: ["ana"] }, "each call ran once");
  assert.equal(store.rows.size, 0, "the continuation was used up");
});

Deno.test("AI SDK: denied, the resume tool never runs and the pending call never does", async () => {
  const ran = { notes: [] as string[], sent: [] as string[] };
  const store = memoryContinuations();
  const cm = host(ran);
  await using _ = cm;
  const tools = await toolsOf(cm, store);
  const messages: ModelMessage[] = [{ role: "user", content: "Write to Ana" }];
  const step1 = await generateText({ model: model(), tools, stopWhen: isStepCount(5), messages });
  const request = step1.content.find((part) => part.type === "tool-approval-request")!;
  const denial: ToolApprovalResponse = {
    type: "tool-approval-response",
    approvalId: request.approvalId,
    approved: false,
    reason: "not today",
  };
  const step2 = await generateText({
    model: new MockLanguageModelV4({
      doGenerate: () =>
        Promise.resolve({
          content: [{ type: "text", text: "Understood." }],
          finishReason: { unified: "stop", raw: undefined },
          usage: USAGE,
          warnings: [],
        }),
    }),
    tools,
    messages: [...messages, ...step1.response.messages, { role: "tool", content: [denial] }],
  });
  assert.equal(step2.text, "Understood.");
  assert.deepEqual(ran.sent, []);
});

Deno.test("AI SDK: a continuation resumes once; an unknown execution id is a rejected result, not a crash", async () => {
  const ran = { notes: [] as string[], sent: [] as string[] };
  const store = memoryContinuations();
  const cm = host(ran);
  await using _ = cm;
  const { execute_code, resume_execution } = await toolsOf(cm, store);
  const paused = await execute_code.execute({ code: CODE }, { toolCallId: "c1" });
  assert.equal(paused.stopReason, "paused");
  assert.match(
    execute_code.toModelOutput({ toolCallId: "c1", input: {}, output: paused }).value,
    /call resume_execution/,
  );
  const [once, twice] = await Promise.all([
    resume_execution.execute({ executionId: paused.executionId }),
    resume_execution.execute({ executionId: paused.executionId }),
  ]);
  assert.deepEqual([once.stopReason, twice.stopReason].sort(), ["completed", "rejected"]);
  assert.deepEqual(ran.sent, ["ana"], "the approved call ran once");
  const unknown = await resume_execution.execute({ executionId: "../../etc/passwd" });
  assert.equal(unknown.error?.name, "UnknownExecutionError");
});
