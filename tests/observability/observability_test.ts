// Observability on real executions: JSON log lines, the audit trail, the
// correlation id from the caller to the handlers and the result, and an
// observer that fails never breaking an execution. (No OpenTelemetry SDK is
// registered in this module: tracing is the API's no-op.)
import assert from "node:assert/strict";
import { z } from "zod";
import {
  Codemode,
  defineTool,
  type ExecutionObservation,
  type Observer,
  type ToolCallObservation,
  type ToolContext,
} from "../../mod.ts";
import { type AuditRecord, canonicalJson, inputDigest, Observability } from "../../src/observability/mod.ts";

/** A log destination that keeps every line, parsed. */
function logLines(): { write: (line: string) => void; lines: Record<string, unknown>[]; raw: string[] } {
  const raw: string[] = [];
  return {
    raw,
    lines: [] as Record<string, unknown>[],
    write(line) {
      raw.push(line);
      this.lines.push(JSON.parse(line));
    },
  };
}

const SECRET = "tok_live_4f9a2c";
const seen: ToolContext[] = [];
const tools = [
  defineTool({
    name: "vault.use",
    input: z.object({ token: z.string() }),
    handler: (_input, ctx) => (seen.push(ctx), "used"),
  }),
  defineTool({ name: "vault.fail", input: z.object({}), handler: () => Promise.reject(new Error(`bad ${SECRET}`)) }),
  defineTool({ name: "vault.guarded", input: z.object({}), needsApproval: true, handler: () => "never" }),
  defineTool({ name: "vault.hidden", input: z.object({}), handler: () => "never" }),
];
const SCRIPT = `
await tools.vault.use({ token: ${JSON.stringify(SECRET)} });
await tools.vault.fail({}).catch(() => {});
await tools.vault.guarded({}).catch(() => {});
await tools.vault.hidden({}).catch(() => {});
await tools.vault.nope({ token: ${JSON.stringify(SECRET)} }).catch(() => {});
await tools.$search("vault");
return "done";`;

Deno.test("logs are JSON lines: an execution line with its ids, outcome, stop reason and duration; a tool_call line per call at debug", async () => {
  const log = logLines();
  await using cm = new Codemode({
    tools,
    policies: { "vault.hidden": "deny" },
    approver: () => false, // vault.guarded is refused (without an approver the run would pause)
    observer: new Observability({ logLevel: "debug", logWrite: (l) => log.write(l), audit: false }),
  });
  const r = await cm.execute(SCRIPT, { correlationId: "req-1", principal: "session-9" });
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
  for (const line of log.lines) {
    assert.deepEqual(Object.keys(line).slice(0, 3), ["time", "level", "msg"]);
    assert.ok(!Number.isNaN(Date.parse(String(line.time))));
  }
  const calls = log.lines.filter((l) => l.msg === "tool_call");
  assert.deepEqual(calls.map((l) => [l.level, l.tool, l.outcome]), [
    ["debug", "vault.use", "ok"],
    ["debug", "vault.fail", "error"],
    ["debug", "vault.guarded", "refused"],
    ["debug", "vault.hidden", "refused"],
    ["debug", "(unknown)", "unknown"],
    ["debug", "$search", "ok"],
  ]);
  for (const call of calls) {
    assert.equal(call.executionId, r.executionId);
    assert.equal(call.correlationId, "req-1");
    assert.equal(call.principal, "session-9");
    assert.equal(typeof call.durationMs, "number");
  }
  const execution = log.lines.filter((l) => l.msg === "execution");
  assert.equal(execution.length, 1);
  const { time: _time, ...fields } = execution[0];
  assert.deepEqual(fields, {
    level: "info",
    msg: "execution",
    executionId: r.executionId,
    correlationId: "req-1",
    principal: "session-9",
    outcome: "ok",
    stopReason: "completed",
    durationMs: r.durationMs,
    toolCalls: 6,
  });
  assert.ok(log.raw.every((line) => !line.includes(SECRET)), "no line holds a tool input or an error message");
});

Deno.test("the log level comes from the options: at warn a completed execution writes nothing, a failed one a warn line", async () => {
  const log = logLines();
  await using cm = new Codemode({
    tools,
    observer: new Observability({ logLevel: "warn", logWrite: (l) => log.write(l) }),
  });
  await cm.execute(`await tools.vault.use({ token: "x" }); return 1`);
  assert.equal(log.raw.length, 0, "no info line, and the default audit sink (an info line) is off");
  const r = await cm.execute(`throw new TypeError("no")`);
  assert.deepEqual(log.lines.map((l) => [l.level, l.msg, l.stopReason, l.error]), [
    ["warn", "execution", "error", "TypeError"],
  ]);
  assert.equal(log.lines[0].executionId, r.executionId);
  assert.throws(() => new Observability({ logLevel: "loud" as "info" }), RangeError);
});

Deno.test("the audit trail: a record per call, with the digest of the canonical input, never the input; by default an info log line", async () => {
  const records: AuditRecord[] = [];
  await using cm = new Codemode({
    tools,
    policies: { "vault.hidden": "deny" },
    approver: () => false, // vault.guarded is refused (without an approver the run would pause)
    observer: new Observability({ logLevel: "silent", audit: (r) => void records.push(r) }),
  });
  const r = await cm.execute(SCRIPT, { principal: "api-key:ops" });
  assert.equal(r.stopReason, "completed");
  assert.deepEqual(records.map((a) => [a.tool, a.outcome]), [
    ["vault.use", "ok"],
    ["vault.fail", "error"],
    ["vault.guarded", "refused"],
    ["vault.hidden", "refused"],
    ["(unknown)", "unknown"],
    ["$search", "ok"],
  ]);
  assert.equal(records[0].inputSha256, inputDigest({ token: SECRET }));
  assert.equal(
    records[0].inputSha256,
    // sha256 of the canonical text, computed independently
    Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`{"token":"${SECRET}"}`))),
      (b) => b.toString(16).padStart(2, "0"),
    ).join(""),
  );
  for (const a of records) {
    assert.deepEqual(Object.keys(a).sort(), [
      "correlationId",
      "durationMs",
      "executionId",
      "inputSha256",
      "outcome",
      "principal",
      "time",
      "tool",
    ]);
    assert.equal(a.executionId, r.executionId);
    assert.equal(a.correlationId, r.executionId, "the correlation id defaults to the execution's id");
    assert.equal(a.principal, "api-key:ops");
  }
  assert.ok(!JSON.stringify(records).includes(SECRET));

  const log = logLines();
  await using logged = new Codemode({ tools, observer: new Observability({ logWrite: (l) => log.write(l) }) });
  await logged.execute(`return await tools.vault.use({ token: "t" })`);
  const audit = log.lines.filter((l) => l.msg === "audit");
  assert.deepEqual(audit.map((l) => [l.level, l.tool, l.outcome, l.inputSha256]), [
    ["info", "vault.use", "ok", inputDigest({ token: "t" })],
  ]);
});

Deno.test("canonical JSON sorts keys at every level, so the digest does not depend on key order", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: null } }),
    '{"a":{"c":null,"d":[1,{"e":2,"f":1}]},"b":1}',
  );
  assert.equal(inputDigest({ a: 1, b: [2] }), inputDigest(JSON.parse('{"b":[2],"a":1}')));
  assert.notEqual(inputDigest({ a: 1 }), inputDigest({ a: "1" }));
});

Deno.test("the correlation id reaches handlers as ctx.correlationId and comes back in the result; an invalid one is refused", async () => {
  await using cm = new Codemode({ tools });
  seen.length = 0;
  const given = await cm.execute(`return await tools.vault.use({ token: "t" })`, { correlationId: "req-01J9Z8Q2K4" });
  assert.equal(given.correlationId, "req-01J9Z8Q2K4");
  assert.equal(seen[0].correlationId, "req-01J9Z8Q2K4");
  const defaulted = await cm.execute(`return await tools.vault.use({ token: "t" })`);
  assert.equal(defaulted.correlationId, defaulted.executionId);
  assert.equal(seen[1].correlationId, defaulted.executionId);
  for (const bad of ["", "a b", "line\nbreak", "x".repeat(129), 'quote"d']) {
    await assert.rejects(cm.execute("return 1", { correlationId: bad }), TypeError, JSON.stringify(bad));
  }
  const rejected = await cm.execute("x".repeat(200_000), { correlationId: "req-2" });
  assert.deepEqual([rejected.stopReason, rejected.correlationId], ["rejected", "req-2"]);
});

/** Observers that fail at each step, each in its own way. */
function failingObservers(): [string, Observer][] {
  const boom = (): never => {
    throw new Error("observer down");
  };
  const call = (overrides: Partial<ToolCallObservation>): ToolCallObservation => ({
    runInContext: (run) => run(),
    end: () => {},
    ...overrides,
  });
  const execution = (toolCall: () => ToolCallObservation): ExecutionObservation => ({
    traceHeaders: () => undefined,
    toolCall,
    end: () => {},
  });
  return [
    ["execution() throws", { execution: boom }],
    ["traceHeaders() and end() throw", {
      execution: () => ({ traceHeaders: boom, toolCall: () => call({}), end: boom }),
    }],
    ["toolCall() throws", { execution: () => execution(boom) }],
    ["runInContext() throws before running", { execution: () => execution(() => call({ runInContext: boom })) }],
    ["runInContext() runs twice, then throws", {
      execution: () =>
        execution(() =>
          call({
            runInContext: (run: () => void) => {
              run();
              run();
              boom();
            },
          })
        ),
    }],
    ["runInContext() never runs", { execution: () => execution(() => call({ runInContext: () => {} })) }],
    ["end() of a call throws", { execution: () => execution(() => call({ end: boom })) }],
    ["watchExecutor() throws", { execution: () => execution(() => call({})), watchExecutor: boom }],
  ];
}

Deno.test("an observer that throws anywhere never breaks an execution, and never runs a tool twice", async () => {
  for (const [what, observer] of failingObservers()) {
    seen.length = 0;
    await using cm = new Codemode({ tools, observer });
    const r = await cm.execute(
      `return [await tools.vault.use({ token: "t" }), await tools.vault.fail({}).catch((e) => e.name)]`,
    );
    assert.equal(r.stopReason, "completed", `${what}: ${JSON.stringify(r.error)}`);
    assert.deepEqual(r.result, ["used", "ToolError"], what);
    assert.equal(seen.length, 1, `${what}: the handler ran once`);
  }
});

Deno.test("an audit sink that throws or rejects is ignored; the calls it records are not affected", async () => {
  for (
    const audit of [() => {
      throw new Error("disk full");
    }, () => Promise.reject(new Error("network down"))]
  ) {
    await using cm = new Codemode({ tools, observer: new Observability({ logLevel: "silent", audit }) });
    const r = await cm.execute(`return await tools.vault.use({ token: "t" })`);
    assert.deepEqual([r.stopReason, r.result], ["completed", "used"]);
  }
});

Deno.test("without an SDK the spans are the API's no-op, and no trace context is sent to the executor", async () => {
  const requests: unknown[] = [];
  const { LocalExecutor } = await import("../../mod.ts");
  await using local = new LocalExecutor();
  const executor = {
    execute: (request: Parameters<typeof local.execute>[0]) => (requests.push(request), local.execute(request)),
    close: () => Promise.resolve(),
  };
  await using cm = new Codemode({ executor, observer: new Observability({ logLevel: "silent" }) });
  assert.equal((await cm.execute("return 1")).result, 1);
  assert.equal((requests[0] as { traceHeaders?: unknown }).traceHeaders, undefined);
});
