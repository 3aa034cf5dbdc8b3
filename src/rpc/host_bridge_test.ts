import assert from "node:assert/strict";
import { encodeReply, parseChildLine } from "./host_bridge.ts";
import { LineSplitter, LineTooLongError } from "./lines.ts";

const N = "nonce123";
const frame = (o: unknown) => N + JSON.stringify(o);

Deno.test("parseChildLine() treats lines without the nonce as raw output", () => {
  assert.deepEqual(
    parseChildLine('{"jsonrpc":"2.0","method":"done","params":{"ok":true}}', N),
    {
      kind: "raw",
      text: '{"jsonrpc":"2.0","method":"done","params":{"ok":true}}',
    },
  );
});

Deno.test("parseChildLine() splits raw text written before a frame on the same line", () => {
  const p = parseChildLine(
    "partial" +
      frame({
        jsonrpc: "2.0",
        method: "log",
        params: { level: "info", text: "x" },
      }),
    N,
  );
  assert.equal(p.kind, "frame");
  assert.equal(p.kind === "frame" && p.raw, "partial");
});

Deno.test("parseChildLine() validates tool calls", () => {
  const ok = parseChildLine(
    frame({
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { tool: "a.b", input: { x: 1 } },
    }),
    N,
  );
  assert.equal(ok.kind, "frame");
  for (
    const bad of [
      { jsonrpc: "2.0", id: -1, method: "tools/call", params: { tool: "a.b" } },
      {
        jsonrpc: "2.0",
        id: 1.5,
        method: "tools/call",
        params: { tool: "a.b" },
      },
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { tool: 5 } },
      {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { tool: "a", extra: 1 },
      },
      { jsonrpc: "1.0", id: 1, method: "tools/call", params: { tool: "a" } },
      { jsonrpc: "2.0", method: "exec", params: {} },
      { jsonrpc: "2.0", method: "log", params: { level: "stdout", text: "x" } },
      { jsonrpc: "2.0", method: "done", params: { ok: "yes" } },
      null,
      [],
    ]
  ) {
    assert.equal(
      parseChildLine(frame(bad), N).kind,
      "invalid",
      JSON.stringify(bad),
    );
  }
});

Deno.test("parseChildLine() reports non-JSON after the nonce as invalid", () => {
  const p = parseChildLine(N + "{not json", N);
  assert.deepEqual(p, {
    kind: "invalid",
    reason: "a protocol line is not JSON",
    raw: undefined,
  });
});

Deno.test("encodeReply() writes results and errors as one JSON-RPC line", () => {
  assert.equal(
    encodeReply(1, { ok: true, value: undefined }),
    '{"jsonrpc":"2.0","id":1,"result":null}\n',
  );
  const err = JSON.parse(
    encodeReply(2, { ok: false, tool: "a.b", message: "bad" }),
  );
  assert.deepEqual(err, {
    jsonrpc: "2.0",
    id: 2,
    error: { code: -32000, message: "bad", data: { tool: "a.b" } },
  });
});

Deno.test("LineSplitter joins chunks, keeps multi-byte characters whole and caps line length", () => {
  const s = new LineSplitter(10);
  const bytes = new TextEncoder().encode("é\nab");
  assert.deepEqual(s.push(bytes.subarray(0, 1)), []);
  assert.deepEqual(s.push(bytes.subarray(1)), ["é"]);
  assert.equal(s.flush(), "ab");
  assert.throws(
    () => s.push(new TextEncoder().encode("x".repeat(11))),
    LineTooLongError,
  );
});

Deno.test("plainToolCall() accepts only tool calls zod accepts, and gives what zod gives", async () => {
  const { plainToolCall } = await import("./host_bridge.ts");
  const { ChildFrame } = await import("./protocol.ts");
  const call = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { tool: "a.b", input: { x: [1, "y", null] } } };
  const corpus: unknown[] = [
    call,
    { ...call, params: { tool: "a.b" } },
    { ...call, params: { tool: "a.b", input: null } },
    { ...call, params: { tool: "", input: 0 } },
    { ...call, params: { tool: "x".repeat(512) } },
    { ...call, params: { tool: "x".repeat(513) } },
    { ...call, id: 0 },
    { ...call, id: -1 },
    { ...call, id: 1.5 },
    { ...call, id: 2 ** 53 },
    { ...call, id: "7" },
    { ...call, jsonrpc: "1.0" },
    { ...call, extra: 1 },
    { ...call, params: { tool: "a", input: 1, extra: 1 } },
    { ...call, params: [] },
    { ...call, params: null },
    { ...call, params: { tool: 5 } },
    { jsonrpc: "2.0", id: 1, method: "tools/call" },
    { jsonrpc: "2.0", method: "tools/call", params: { tool: "a" } },
    [call],
    null,
    "tools/call",
    { jsonrpc: "2.0", method: "log", params: { level: "log", text: "x" } },
    // JSON.parse makes `__proto__` an own key; neither check may treat it as the prototype.
    JSON.parse('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"tool":"a"},"__proto__":{"x":1}}'),
    JSON.parse('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"tool":"a","__proto__":{"input":1}}}'),
  ];
  let accepted = 0;
  for (const json of corpus) {
    const fast = plainToolCall(json);
    const zod = ChildFrame.safeParse(json);
    if (fast === undefined) continue;
    accepted++;
    assert.ok(zod.success, `accepted what zod refuses: ${JSON.stringify(json)}`);
    assert.deepEqual(fast, zod.data);
  }
  assert.equal(accepted, 6, "the ordinary tool calls take the fast path");
});
