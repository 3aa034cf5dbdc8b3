// Protocol abuse: a script writing its own frames to stdout, stealing the
// host's replies from stdin, or breaking the pipes. The host must treat
// everything without the nonce as raw output, never crash, and never run a
// tool the script was not allowed to call.
// Stopped by: a per-execution nonce the script cannot read, frames measured and validated with zod before use, and
// every tool call checked on the host.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { assertHealthy, canaries, ourSurvivors, REPORT_SANDBOX, reportedSandbox, sandbox } from "./_canaries.ts";
import { compromisedSandbox } from "./_compromised.ts";

function recordingTools() {
  const calls: unknown[] = [];
  const tools = [
    defineTool({
      name: "notes.add",
      input: z.object({ text: z.string().max(100) }),
      output: z.object({ saved: z.boolean() }),
      handler: (input) => {
        calls.push(input);
        return { saved: true };
      },
    }),
  ];
  return { calls, tools };
}

const FRAME = (frame: unknown) => JSON.stringify(JSON.stringify(frame) + "\n");

Deno.test("a forged done frame written to stdout does not replace the real result", async () => {
  await using cm = sandbox();
  const forged = FRAME({ jsonrpc: "2.0", method: "done", params: { ok: true, result: "forged" } });
  const r = await cm.execute(`
    Deno.stdout.writeSync(new TextEncoder().encode(${forged}));
    console.log(${forged});
    await new Promise((r) => setTimeout(r, 50));
    return "real";
  `);
  assert.equal(r.stopReason, "completed");
  assert.equal(r.result, "real");
  assert.ok(
    r.logs.some((l) => l.level === "stdout" && l.text.includes('"forged"')),
    "the forged frame shows as raw output",
  );
});

Deno.test("a forged tools/call frame for an unregistered tool runs nothing", async () => {
  const { calls, tools } = recordingTools();
  await using cm = sandbox({ tools });
  const frames = [
    { jsonrpc: "2.0", id: 0, method: "tools/call", params: { tool: "admin.wipe", input: {} } },
    { jsonrpc: "2.0", id: 1, method: "tools/call", params: { tool: "notes.add", input: { text: "forged" } } },
  ].map(FRAME);
  const r = await cm.execute(`
    for (const f of [${frames.join(",")}]) Deno.stdout.writeSync(new TextEncoder().encode(f));
    await new Promise((r) => setTimeout(r, 100));
    let wipe = "none";
    try { await tools.admin.wipe({}); } catch (e) { wipe = e.name; }
    return wipe;
  `);
  assert.equal(r.stopReason, "completed");
  // The script's own call of an unknown name is answered by the host, as a failed call.
  assert.equal(r.result, "ToolError");
  assert.deepEqual(r.toolCalls.map((c) => [c.tool, c.ok]), [["admin.wipe", false]]);
  assert.deepEqual(calls, [], "no tool ran for a forged frame");
});

Deno.test("garbage, half frames and invalid UTF-8 on stdout do not disturb the protocol", async () => {
  const { calls, tools } = recordingTools();
  await using cm = sandbox({ tools });
  const r = await cm.execute(`
    const w = (s) => Deno.stdout.writeSync(typeof s === "string" ? new TextEncoder().encode(s) : s);
    w("{not json at all\\n");
    w('{"jsonrpc":"2.0","method":"done","params":{"ok":true,"res');
    w(new Uint8Array([0xe2, 0x82]));
    const a = await tools.notes.add({ text: "one" });
    w(new Uint8Array([0xff, 0xfe, 0x00, 0x0a]));
    w("\\u0000\\r\\n\\n\\n");
    w('{"jsonrpc":"2.0","id":0,"result":{"saved":false}}\\n');
    const b = await tools.notes.add({ text: "two" });
    return [a, b];
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.deepEqual(r.result, [{ saved: true }, { saved: true }]);
  assert.deepEqual(calls, [{ text: "one" }, { text: "two" }]);
  await assertHealthy(cm);
});

Deno.test("a 10 MB line without a newline ends the execution without exhausting the host", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`
    const chunk = new Uint8Array(1024 * 1024).fill(65);
    for (let i = 0; i < 10; i++) Deno.stdout.writeSync(chunk);
    return "done";
  `);
  assert.equal(r.stopReason, "output_limit", JSON.stringify(r).slice(0, 500));
  assert.equal(r.result, undefined);
  assert.ok(JSON.stringify(r).length < 200_000, "the overlong line was not kept");
  await assertHealthy(cm);
});

Deno.test("a script that steals stdin is ended by the timeout, not a hang", async () => {
  const { calls, tools } = recordingTools();
  await using cm = sandbox({ tools, limits: { timeoutMs: 1500 } });
  const r = await cm.execute(`
    const pending = tools.notes.add({ text: "x" });
    const buf = new Uint8Array(65536);
    const stolen = [];
    for (let i = 0; i < 3; i++) stolen.push(await Deno.stdin.read(buf));
    return [stolen, await pending];
  `);
  assert.equal(r.stopReason, "timeout");
  assert.ok(calls.length <= 1);
  await assertHealthy(cm);
});

Deno.test("a script that closes its stdin or stdout cannot hang the host", async () => {
  const { tools } = recordingTools();
  await using cm = sandbox({ tools, limits: { timeoutMs: 1500 } });
  const closedIn = await cm.execute(`Deno.stdin.close(); return await tools.notes.add({ text: "x" })`);
  assert.ok(["timeout", "error"].includes(closedIn.stopReason), JSON.stringify(closedIn));
  const closedOut = await cm.execute(`Deno.stdout.close(); return "unreachable"`);
  assert.equal(closedOut.stopReason, "error", JSON.stringify(closedOut));
  assert.equal(closedOut.result, undefined);
  await assertHealthy(cm);
});

Deno.test("patching JSON, TextEncoder and console does not let a script forge or break frames", async () => {
  const { calls, tools } = recordingTools();
  await using cm = sandbox({ tools });
  const r = await cm.execute(`
    JSON.stringify = () => '{"jsonrpc":"2.0","method":"done","params":{"ok":true,"result":"forged"}}';
    JSON.parse = () => ({ id: 0, result: { saved: "forged" } });
    TextEncoder.prototype.encode = () => new Uint8Array([0x7b, 0x0a]);
    const saved = await tools.notes.add({ text: "real" });
    return saved;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.deepEqual(r.result, { saved: true });
  assert.deepEqual(calls, [{ text: "real" }]);
});

Deno.test("a child that knows the nonce cannot reach an unregistered tool or pass invalid input", async () => {
  const { calls, tools } = recordingTools();
  await using cm = await compromisedSandbox({ tools });
  const r = await cm.execute(`
    const replies = [];
    for (const [tool, input] of [["admin.wipe", {}], ["notes.add", { text: 42 }], ["notes.add", { text: "x".repeat(500) }], ["__proto__", {}], ["notes.add.constructor", {}]]) {
      replies.push(call(tool, input));
    }
    return replies.map((r) => r.error ? r.error.message : "ran");
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.ok((r.result as string[]).every((m) => m !== "ran"), JSON.stringify(r.result));
  assert.deepEqual(calls, [], "the host ran a tool for a forged, invalid call");
  assert.equal(r.toolCalls.length, 5);
  assert.ok(r.toolCalls.every((t) => !t.ok), JSON.stringify(r.toolCalls));
});

Deno.test("a child that knows the nonce and sends a malformed frame ends as a protocol error", async () => {
  await using c = await canaries();
  await using cm = await compromisedSandbox();
  const r = await cm.execute(`
    forge('{"jsonrpc":"2.0","method":"log","params":{"level":"stderr","text":1}}');
    await new Promise((r) => setTimeout(r, 200));
    return "real";
  `);
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.name, "ProtocolError");
  c.assertClean(r);
  await assertHealthy(cm);
});

Deno.test("a child that knows the nonce cannot leave host timers behind with wait frames", async () => {
  const { tools } = recordingTools();
  await using cm = await compromisedSandbox({ tools });
  // Deno's op sanitizer fails this test if a host timer outlives the run.
  const r = await cm.execute(`
    for (let i = 0; i < 1000; i++) forge({ jsonrpc: "2.0", method: "wait", params: { ms: 2147483647 } });
    forge({ jsonrpc: "2.0", method: "wait", params: { ms: 0 } });
    const saved = call("notes.add", { text: "after waits" }).result;
    forge({ jsonrpc: "2.0", method: "wait", params: { ms: 2147483647 } });
    return saved;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r).slice(0, 500));
  assert.deepEqual(r.result, { saved: true });
  await assertHealthy(cm);
});

Deno.test("a child that knows the nonce and reports an impossible call site ends as a protocol error", async () => {
  await using cm = await compromisedSandbox();
  const site = (line: string, column: string) =>
    `{"jsonrpc":"2.0","method":"tools/site","params":{"id":0,"line":${line},"column":${column}}}`;
  const bad = [
    site("0", "1"),
    site("-3", "1"),
    site("2.5", "1"),
    site("10000001", "1"),
    site("1e400", "1"),
    site('"7"', "1"),
    site("1", "-1"),
    site("1", "9007199254740993"),
    `{"jsonrpc":"2.0","method":"tools/site","params":{"id":-1,"line":1,"column":1}}`,
    `{"jsonrpc":"2.0","method":"tools/site","params":{"id":0,"line":1,"column":1,"stack":"x"}}`,
  ];
  for (const frame of bad) {
    const r = await cm.execute(`forge(${JSON.stringify(frame)}); return "real";`);
    assert.equal(r.stopReason, "error", frame);
    assert.equal(r.error?.name, "ProtocolError", frame);
  }
  await assertHealthy(cm);
});

Deno.test("a call site from a compromised child lands only on a failed call's trace entry, once", async () => {
  const { tools } = recordingTools();
  await using cm = await compromisedSandbox({ tools });
  const r = await cm.execute(`
    const site = (id, line) => forge({ jsonrpc: "2.0", method: "tools/site", params: { id, line, column: 2 } });
    call("notes.add", { text: "ok" });
    call("notes.add", { text: 42 });
    site(1000, 7);
    site(1001, 3);
    site(1001, 9);
    site(424242, 5);
    return "done";
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.deepEqual(r.toolCalls.map((c) => [c.ok, c.line, c.column]), [[true, undefined, undefined], [false, 3, 2]]);
  await assertHealthy(cm);
});

Deno.test("a child blocked on a tool reply that never comes is killed at the timeout", async () => {
  const hang = defineTool({
    name: "slow.forever",
    input: z.object({}),
    timeoutMs: 60_000,
    handler: (_input, ctx) =>
      new Promise<never>((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted")))),
  });
  await using cm = sandbox({ tools: [hang], limits: { timeoutMs: 1000 } });
  const r = await cm.execute(`${REPORT_SANDBOX} return await tools.slow.forever({});`);
  assert.equal(r.stopReason, "timeout");
  assert.deepEqual(await ourSurvivors([reportedSandbox(r)]), []);
  await assertHealthy(cm);
});

Deno.test({
  name: "a script cannot learn the nonce by patching Uint8Array.prototype methods",
  async fn() {
    await using cm = sandbox();
    const r = await cm.execute(`
      let leaked = "";
      for (const name of ["subarray", "slice", "indexOf", "set", "fill"]) {
        const original = Uint8Array.prototype[name];
        Uint8Array.prototype[name] = function (...args) {
          leaked += new TextDecoder().decode(this);
          return original.apply(this, args);
        };
      }
      const lengthGetter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "length").get;
      Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), "length", {
        get() { leaked += new TextDecoder().decode(this); return lengthGetter.call(this); },
        configurable: true,
      });
      console.log("probe");
      await Promise.resolve();
      const m = /([0-9a-f]{32})\\{/.exec(leaked);
      if (m) {
        Deno.stdout.writeSync(new TextEncoder().encode(m[1] + JSON.stringify({ jsonrpc: "2.0", method: "done", params: { ok: true, result: "forged" } }) + "\\n"));
      }
      await new Promise((r) => setTimeout(r, 100));
      new Uint8Array(4).subarray(1);
      return { real: true, spyWorked: leaked.length > 0, nonceFound: m !== null };
    `);
    assert.equal(r.stopReason, "completed", JSON.stringify(r));
    assert.deepEqual(r.result, { real: true, spyWorked: true, nonceFound: false });
  },
});

Deno.test("a polluted Object.prototype.toJSON cannot turn the prelude's own frames into a forged done", async () => {
  const { calls, tools } = recordingTools();
  await using cm = sandbox({ tools });
  const r = await cm.execute(`
    Object.prototype.toJSON = function () {
      return { jsonrpc: "2.0", method: "done", params: { ok: true, result: "forged" } };
    };
    console.log("a log frame");
    console.error({ an: "object" });
    const saved = await tools.notes.add({ text: "real" }).catch((e) => e.name);
    delete Object.prototype.toJSON;
    return { real: true, saved };
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.equal((r.result as { real: boolean }).real, true);
  assert.ok(r.logs.some((l) => l.text === "a log frame"), JSON.stringify(r.logs));
  assert.deepEqual(calls, []);
});

Deno.test("a heap snapshot does not hold the nonce: forging done with every hex string in it fails", async () => {
  await using cm = sandbox({ limits: { timeoutMs: 30_000 } });
  const r = await cm.execute(`
    const v8 = await import("node:v8");
    let snapshot = "";
    for await (const chunk of v8.getHeapSnapshot()) snapshot += chunk;
    const candidates = new Set(snapshot.match(/[0-9a-f]{32}/g) ?? []);
    const forged = JSON.stringify({ jsonrpc: "2.0", method: "done", params: { ok: true, result: "forged" } });
    for (const c of candidates) Deno.stdout.writeSync(new TextEncoder().encode(c + forged + "\\n"));
    return { real: true, tried: candidates.size, snapshotChars: snapshot.length };
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r).slice(0, 500));
  const result = r.result as { real: boolean; snapshotChars: number };
  assert.equal(result.real, true);
  assert.ok(result.snapshotChars > 100_000, "the snapshot was really taken");
});

Deno.test("Deno's internal namespace (ops, promise and proxy inspection) is not reachable from a script", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`return [typeof Deno.internal, typeof Deno[Deno.internal]]`);
  assert.deepEqual(r.result, ["symbol", "undefined"]);
});

Deno.test("a script that prints V8's out-of-memory banner and aborts is not reported as memory", async () => {
  await using cm = sandbox({ limits: { memoryMb: 64 } });
  const r = await cm.execute(`
    const banner = "<--- Last few GCs --->\\n\\n#\\n# Fatal JavaScript out of memory: Reached heap limit\\n#\\n";
    Deno.stderr.writeSync(new TextEncoder().encode("my own stderr\\n" + banner));
    (await import("node:process")).default.abort();
  `);
  assert.equal(r.stopReason, "error", JSON.stringify(r).slice(0, 800));
  assert.equal(r.error?.name, "SandboxExitError");
  const stderr = r.logs.filter((l) => l.level === "stderr").map((l) => l.text);
  assert.ok(stderr.includes("my own stderr"), JSON.stringify(stderr));
  assert.ok(stderr.some((l) => l.includes("Fatal JavaScript out of memory")), "the script's own banner is shown");
});

Deno.test("a script timer beyond setTimeout's range while a call is pending does not break the protocol", async () => {
  const { tools } = recordingTools();
  await using cm = sandbox({ tools });
  const r = await cm.execute(`
    const id = setInterval(() => {}, 4e9);
    const saved = await tools.notes.add({ text: "x" });
    clearInterval(id);
    return saved;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.deepEqual(r.result, { saved: true });
});
