// `onEvent` with a `RemoteExecutor`: tool calls run on the host, so they are told of as they happen;
// the service sends log lines only with the result, so they are told of at the end, before `end`.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool, type ExecutionEvent } from "../../mod.ts";
import { remoteCodemode, startService } from "./_helpers.ts";

const echo = defineTool({ name: "text.echo", input: z.object({ s: z.string() }), handler: ({ s }) => s });

Deno.test("a remote execution's events: start, tool calls live, its log lines at the end, then end", async () => {
  await using service = await startService();
  await using cm = remoteCodemode(service, { tools: [echo] });
  const events: ExecutionEvent[] = [];
  const r = await cm.execute(
    `console.log("before"); await tools.text.echo({ s: "x" }); console.log("after"); return 1`,
    {
      onEvent: (e) => void events.push(e),
    },
  );
  assert.equal(r.result, 1);
  assert.deepEqual(events.map((e) => e.type === "log" ? `log:${e.text}` : e.type), [
    "start",
    "tool_start",
    "tool_end",
    "log:before",
    "log:after",
    "end",
  ]);
});
