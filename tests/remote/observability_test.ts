// The executor service's logs, metrics and traces: its execution span continues
// the host's trace (W3C trace context carried in the start message), its log
// lines carry the host's correlation id and the API key's id (never the key,
// the code or tool inputs), and GET /metrics (behind the key) passes promtool.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { Observability, SPAN_NAMES } from "../../src/observability/mod.ts";
import { installTracing, parentOf } from "../observability/_tracing.ts";
import { HAS_PROMTOOL, promtoolCheck, sample } from "../observability/_exposition.ts";
import { KEY, remoteCodemode, startService } from "./_helpers.ts";

const SECRET_INPUT = "input-that-must-not-be-logged";
const echo = defineTool({ name: "text.echo", input: z.object({ s: z.string() }), handler: ({ s }) => s });

Deno.test("the service's execution span continues the host's trace; its log names the key id and the correlation id", async () => {
  const tracing = installTracing();
  const lines: string[] = [];
  const observability = new Observability({ logWrite: (line) => void lines.push(line) });
  await using service = await startService({ apiKeys: [{ id: "host-a", key: KEY }], observability });
  await using cm = remoteCodemode(service, { tools: [echo], observer: new Observability({ logLevel: "silent" }) });
  const r = await cm.execute(`return await tools.text.echo({ s: "${SECRET_INPUT}" })`, { correlationId: "req-42" });
  assert.equal(r.result, SECRET_INPUT);
  assert.equal(r.correlationId, "req-42");

  const executions = tracing.spans(SPAN_NAMES.execution);
  assert.equal(executions.length, 2, "one span on the host, one on the service");
  const host = executions.find((s) => parentOf(s) === undefined)!;
  const remote = executions.find((s) => s !== host)!;
  assert.equal(remote.spanContext().traceId, host.spanContext().traceId, "one trace");
  assert.equal(parentOf(remote), host.spanContext().spanId, "the service's span is a child of the host's");
  assert.equal(remote.attributes["codemode.correlation_id"], "req-42");
  assert.equal(tracing.spans(SPAN_NAMES.toolCall).length, 1, "the tool call is a span on the host only");

  const logged = lines.map((l) => JSON.parse(l));
  const execution = logged.find((l) => l.msg === "execution");
  assert.ok(execution, lines.join(""));
  assert.equal(execution.correlationId, "req-42");
  assert.equal(execution.principal, "api-key:host-a");
  assert.equal(execution.stopReason, "completed");
  const all = lines.join("");
  assert.ok(!all.includes(SECRET_INPUT), "no tool input or script text in the service's log");
  assert.ok(!all.includes(KEY), "no API key in the service's log");
});

Deno.test("GET /metrics on the service needs the key, counts executions and refusals, and passes promtool", async () => {
  installTracing();
  const observability = new Observability({ logLevel: "silent" });
  await using service = await startService({ observability });
  await using cm = remoteCodemode(service, { tools: [echo] });
  assert.equal((await cm.execute(`return await tools.text.echo({ s: "x" })`)).stopReason, "completed");
  assert.equal((await cm.execute(`throw new Error("no")`)).stopReason, "error");

  const url = new URL("/metrics", service.url);
  const anonymous = await fetch(url);
  await anonymous.body?.cancel();
  assert.equal(anonymous.status, 401);
  const wrong = await fetch(url, { headers: { Authorization: "Bearer wrong-key-0123456789" } });
  await wrong.body?.cancel();
  assert.equal(wrong.status, 401);

  const res = await fetch(url, { headers: { Authorization: `Bearer ${KEY}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.equal(sample(text, "codemode_executions_total", { outcome: "ok", stop_reason: "completed" }), 1);
  assert.equal(sample(text, "codemode_executions_total", { outcome: "error", stop_reason: "error" }), 1);
  assert.equal(sample(text, "codemode_rejected_total", { reason: "auth" }), 2, "both refused scrapes are counted");
  assert.equal(sample(text, "codemode_sandboxes_running"), 0);
  assert.equal(sample(text, "codemode_queue_length"), 0);
  if (HAS_PROMTOOL) {
    const checked = await promtoolCheck(text);
    assert.ok(checked.success, checked.output);
  }
});

Deno.test("a service whose observability keeps no metrics serves no /metrics", async () => {
  await using service = await startService({
    observability: new Observability({ logLevel: "silent", metrics: false }),
  });
  const res = await fetch(new URL("/metrics", service.url), { headers: { Authorization: `Bearer ${KEY}` } });
  await res.body?.cancel();
  assert.equal(res.status, 404);
});
