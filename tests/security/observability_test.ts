// Abuse of what observability exposes: a script cannot grow the metric series
// by inventing tool names, nor put its data (tool inputs, results, error
// messages, forged log lines) into the log or the audit trail.
// Stopped by: tool labels are registered names, `(unknown)` or `(other)`; logs and audit records hold names, digests
// and outcomes, never inputs, results or messages.
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool } from "../../mod.ts";
import { type AuditRecord, Observability } from "../../src/observability/mod.ts";
import { seriesCount } from "../observability/_exposition.ts";

const SECRET = "sk_live_canary_7Q2";

Deno.test("a script calling 10,000 distinct unknown tool names adds one (unknown) series, and its names are nowhere", async () => {
  const lines: string[] = [];
  const records: AuditRecord[] = [];
  const observer = new Observability({
    logLevel: "debug",
    logWrite: (l) => void lines.push(l),
    audit: (r) => void records.push(r),
  });
  const echo = defineTool({ name: "util.echo", input: z.object({}), handler: () => "ok" });
  // All 9,999 calls may be in flight at once: room for their inputs, so the test is about names, not that limit.
  await using cm = new Codemode({
    tools: [echo],
    observer,
    limits: { maxToolCalls: 10_000, maxToolInputValues: 100_000 },
  });
  const before = await observer.metrics();
  const r = await cm.execute(`
    await tools.util.echo({});
    const names = Array.from({ length: 9999 }, (_, i) => "zz_made_up_" + i);
    const failed = await Promise.all(names.map((n) => tools[n].call({}).then(() => 0, () => 1)));
    return failed.reduce((a, b) => a + b, 0);
  `);
  assert.deepEqual([r.stopReason, r.result], ["completed", 9999]);
  const text = await observer.metrics();
  // A series per (tool, outcome) seen: util.echo ok and (unknown) unknown; a histogram per tool.
  assert.equal(seriesCount(text, "codemode_tool_calls_total"), 2);
  assert.equal(seriesCount(text, "codemode_tool_call_duration_seconds"), 2 * (14 + 2));
  assert.equal(text.length < before.length + 8000, true, `the exposition grew to ${text.length} bytes`);
  assert.ok(!text.includes("zz_made_up_"));
  assert.equal(records.length, 10_000);
  assert.equal(records.filter((a) => a.tool === "(unknown)").length, 9999);
  assert.ok(lines.every((l) => !l.includes("zz_made_up_")), "no log line names a made-up tool");
});

Deno.test("past maxToolLabels distinct tools, further tools share the (other) label", async () => {
  const many = Array.from(
    { length: 6 },
    (_, i) => defineTool({ name: `t.n${i}`, input: z.object({}), handler: () => i }),
  );
  const observer = new Observability({ logLevel: "silent", maxToolLabels: 3 });
  await using cm = new Codemode({ tools: many, observer });
  await cm.execute(`for (let i = 0; i < 6; i++) await tools.t["n" + i]({}); return 1`);
  const text = await observer.metrics();
  assert.equal(seriesCount(text, "codemode_tool_calls_total"), 4);
  assert.match(text, /codemode_tool_calls_total\{tool="\(other\)",outcome="ok"\} 3/);
});

Deno.test("at debug level, no log line holds a tool input, a result, a log of the script or an error message; none is forged", async () => {
  const lines: string[] = [];
  const records: AuditRecord[] = [];
  const observer = new Observability({ logLevel: "debug", logWrite: (l) => void lines.push(l) });
  const audited = new Observability({ logLevel: "silent", audit: (r) => void records.push(r) });
  const forged = `\n{"time":"2030-01-01T00:00:00Z","level":"error","msg":"forged ${SECRET}"}\n`;
  const store = defineTool({
    name: "kv.put",
    input: z.object({ key: z.string(), value: z.string() }),
    handler: ({ value }) => ({ stored: value }),
  });
  const fail = defineTool({
    name: "kv.fail",
    input: z.object({ value: z.string() }),
    handler: ({ value }) => Promise.reject(new Error(`cannot store ${value}`)),
  });
  for (const o of [observer, audited]) {
    await using cm = new Codemode({ tools: [store, fail], observer: o });
    const r = await cm.execute(
      `
      const v = ${JSON.stringify(forged)};
      console.log(v);
      await tools.kv.put({ key: v, value: v });
      await tools.kv.put({ key: 1 }).catch(() => {});
      await tools.kv.fail({ value: v }).catch(() => {});
      await tools[v]({ value: v }).catch(() => {});
      throw new Error(v);
    `,
      { correlationId: "req-1" },
    );
    assert.equal(r.stopReason, "error");
  }
  assert.ok(lines.length > 0);
  for (const line of lines) {
    assert.ok(!line.includes(SECRET), line);
    assert.ok(line.endsWith("\n") && line.indexOf("\n") === line.length - 1, "one object, one line");
    assert.ok(JSON.parse(line).msg !== "forged");
  }
  assert.ok(!JSON.stringify(records).includes(SECRET));
  assert.equal(records.length, 4);
});
