// Tool-bridge abuse: polluted prototypes, `__proto__` payloads, huge or deeply
// nested inputs, and host handler errors that carry secrets. The host must
// validate every input itself and tell the script no more than a message.
// Stopped by: every input is validated on the host against the tool's schema (a `__proto__` key pollutes nothing
// there), frames are size-capped, and a handler's error reaches the script as its message only.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { assertHealthy, canaries, sandbox } from "./_canaries.ts";

function weather() {
  const received: unknown[] = [];
  const tool = defineTool({
    name: "weather.get",
    input: z.object({ city: z.string().min(1).max(64) }),
    output: z.object({ city: z.string(), tempC: z.number() }),
    handler: (input) => {
      received.push(input);
      return { city: input.city, tempC: 21 };
    },
  });
  return { received, tool };
}

function assertOnlyValid(received: unknown[]): void {
  for (const input of received) {
    assert.equal(typeof input, "object");
    assert.equal(Object.getPrototypeOf(input), Object.prototype);
    assert.deepEqual(Object.keys(input as object), ["city"]);
    const city = (input as { city: unknown }).city;
    assert.ok(
      typeof city === "string" && city.length > 0 && city.length <= 64,
      `invalid input reached the handler: ${city}`,
    );
  }
}

Deno.test("prototype pollution in the sandbox does not get invalid input past the host's schema", async () => {
  const { received, tool } = weather();
  await using cm = sandbox({ tools: [tool] });
  const r = await cm.execute(`
    Object.defineProperty(Object.prototype, "city", { get: () => 42, set() {}, configurable: true });
    Array.prototype.map = function () { return ["polluted"]; };
    const results = [];
    for (const input of [{}, { city: "" }, { city: "x".repeat(100) }, { city: 7 }, [], "Oslo", null]) {
      try { results.push(await tools.weather.get(input)); } catch (e) { results.push(e.name + ": " + e.message); }
    }
    return results;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  const results = r.result as string[];
  assert.equal(results.length, 7);
  for (const line of results) assert.match(line, /^ToolError: Invalid input for tools\.weather\.get/);
  assert.deepEqual(received, [], "a call with invalid input reached the handler");
  assert.equal(({} as Record<string, unknown>).city, undefined, "the host's Object.prototype is untouched");
  await assertHealthy(cm);
});

Deno.test("a polluted Object.prototype.toJSON cannot turn a call into a different valid call", async () => {
  const { received, tool } = weather();
  await using cm = sandbox({ tools: [tool] });
  const r = await cm.execute(`
    Object.prototype.toJSON = function () { return { city: 42, admin: true }; };
    try { return await tools.weather.get({ city: "Oslo" }); } catch (e) { return e.name; }
  `);
  // The polluted toJSON shapes the script's own input (which the host finds
  // invalid), never the prelude's frames; the handler is never called.
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.equal(r.result, "ToolError");
  assertOnlyValid(received);
  assert.deepEqual(received, []);
  await assertHealthy(cm);
});

Deno.test("replacing JSON.stringify in the sandbox cannot smuggle a different input", async () => {
  const { received, tool } = weather();
  await using cm = sandbox({ tools: [tool] });
  const r = await cm.execute(`
    JSON.stringify = () => '{"city":{"$ne":null}}';
    return await tools.weather.get({ city: "Oslo" });
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.deepEqual(r.result, { city: "Oslo", tempC: 21 });
  assert.deepEqual(received, [{ city: "Oslo" }]);
});

Deno.test("a __proto__ key in a tool input pollutes nothing on the host", async () => {
  const { received, tool } = weather();
  const seen: unknown[] = [];
  const raw = defineTool({
    name: "raw.echo",
    input: { type: "object" },
    handler: (input: Record<string, unknown>) => {
      const merged = { ...input };
      const assigned = Object.assign({}, input);
      seen.push({
        isAdmin: (input as { isAdmin?: unknown }).isAdmin,
        merged: merged.isAdmin,
        assigned: assigned.isAdmin,
      });
      return "ok";
    },
  });
  await using cm = sandbox({ tools: [tool, raw] });
  const r = await cm.execute(`
    const payload = '{"city":"Oslo","__proto__":{"isAdmin":true,"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}';
    const a = await tools.weather.get(JSON.parse(payload));
    const b = await tools.raw.echo(JSON.parse(payload));
    return [a, b];
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.deepEqual(received, [{ city: "Oslo" }]);
  assert.equal(seen.length, 1);
  assert.equal((seen[0] as { isAdmin: unknown }).isAdmin, undefined, "the input's own __proto__ became its prototype");
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");
  assert.equal(({} as Record<string, unknown>).isAdmin, undefined, "Object.prototype was polluted");
});

Deno.test("a huge tool input is stopped before it reaches the handler", async () => {
  const { received, tool } = weather();
  await using cm = sandbox({ tools: [tool], limits: { maxResultBytes: 256 * 1024 } });
  const r = await cm.execute(`return await tools.weather.get({ city: "x".repeat(5 * 1024 * 1024) })`);
  assert.equal(r.stopReason, "output_limit", JSON.stringify(r).slice(0, 300));
  assert.deepEqual(received, []);
  await assertHealthy(cm);
});

Deno.test("an input just under the frame cap but invalid is refused by the schema", async () => {
  const { received, tool } = weather();
  await using cm = sandbox({ tools: [tool], limits: { maxResultBytes: 256 * 1024 } });
  const r = await cm.execute(`
    try { return await tools.weather.get({ city: "x".repeat(200 * 1024) }); } catch (e) { return e.name + ": " + e.message; }
  `);
  assert.equal(r.stopReason, "completed");
  assert.match(String(r.result), /^ToolError: Invalid input for tools\.weather\.get/);
  assert.ok(String(r.result).length < 2000, "the error echoed the huge input back");
  assert.deepEqual(received, []);
});

Deno.test("a deeply nested tool input cannot crash the host's validator", async () => {
  type Tree = { kids: Tree[] };
  const Tree: z.ZodType<Tree> = z.lazy(() => z.object({ kids: z.array(Tree) }));
  let handled = 0;
  const tree = defineTool({ name: "tree.count", input: Tree, handler: () => ++handled });
  const loose = defineTool({ name: "tree.loose", input: z.object({ v: z.unknown() }), handler: () => "loose ok" });
  await using cm = sandbox({ tools: [tree, loose] });
  const r = await cm.execute(`
    let t = { kids: [] };
    for (let i = 0; i < 50000; i++) t = { kids: [t] };
    const out = [];
    try { out.push(await tools.tree.count(t)); } catch (e) { out.push(e.name + ": " + e.message); }
    let v = [];
    for (let i = 0; i < 100000; i++) v = [v];
    try { out.push(await tools.tree.loose({ v })); } catch (e) { out.push(e.name); }
    return out;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r).slice(0, 500));
  const [count, looseOut] = r.result as unknown[];
  // The recursive schema overflows the host's stack: that must surface as a
  // failed call (or a count), never as a crashed host.
  assert.ok(count === 1 || /^(ToolError: |TypeError: .*nests deeper than)/.test(String(count)), String(count));
  assert.equal(looseOut, "TypeError", "inputs nested deeper than 128 levels are refused before they leave the sandbox");
  assert.ok(handled <= 1);
  await assertHealthy(cm);
});

Deno.test("a host handler's stack trace and error cause never reach the script", async () => {
  await using c = await canaries();
  const vault = defineTool({
    name: "vault.open",
    input: z.object({}),
    handler: () => {
      const e = new Error("the vault is sealed", { cause: new Error(`token=${c.secret}`) });
      e.stack = `Error: the vault is sealed\n    at open (/srv/${c.secret}/vault.ts:1:1)`;
      (e as Error & { detail: string }).detail = c.secret;
      throw e;
    },
  });
  await using cm = sandbox({ tools: [vault] });
  const r = await cm.execute(`
    try { await tools.vault.open({}); return "opened"; } catch (e) {
      return { name: e.name, message: e.message, stack: e.stack, cause: String(e.cause), detail: e.detail,
        own: JSON.stringify(e, Object.getOwnPropertyNames(e)) };
    }
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.match((r.result as { message: string }).message, /the vault is sealed/);
  c.assertClean(r);
});

Deno.test("a host handler's non-Error throw and output that fails its schema do not leak the secret", async () => {
  await using c = await canaries();
  const thrower = defineTool({
    name: "vault.throw",
    input: z.object({}),
    handler: () => {
      throw { secret: c.secret, toString: () => "opaque failure" };
    },
  });
  const badOutput = defineTool({
    name: "vault.peek",
    input: z.object({}),
    output: z.object({ count: z.number() }),
    handler: () => ({ count: c.secret }) as unknown as { count: number },
  });
  await using cm = sandbox({ tools: [thrower, badOutput] });
  const r = await cm.execute(`
    const out = [];
    for (const call of [() => tools.vault.throw({}), () => tools.vault.peek({})]) {
      try { out.push(await call()); } catch (e) { out.push(e.name + ": " + e.message); }
    }
    return out;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  const [thrown, peeked] = r.result as string[];
  assert.match(thrown, /opaque failure/);
  assert.match(peeked, /does not match its schema/);
  c.assertClean(r);
});

Deno.test("a hung host handler is ended by the tool timeout and the script sees an error", async () => {
  let aborted = false;
  const hang = defineTool({
    name: "slow.hang",
    input: z.object({}),
    timeoutMs: 300,
    handler: (_input, ctx) =>
      new Promise<never>((_, reject) => {
        ctx.signal.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("aborted"));
        });
      }),
  });
  await using cm = sandbox({ tools: [hang] });
  const r = await cm.execute(`try { await tools.slow.hang({}); return "returned"; } catch (e) { return e.message; }`);
  assert.equal(r.stopReason, "completed");
  assert.match(String(r.result), /timed out after 300 ms/);
  assert.ok(aborted, "the handler's signal was not aborted");
  await assertHealthy(cm);
});

Deno.test("the discovery door ($search, $types) refuses oversized and hostile input and counts toward maxToolCalls", async () => {
  const { tool } = weather();
  await using cm = sandbox({ tools: [tool], policies: { "weather.*": "deny" }, limits: { maxToolCalls: 20 } });
  const r = await cm.execute(`
    const out = [];
    for (const f of [
      () => tools.$search("x".repeat(10_000)),
      () => tools.$types(Array.from({ length: 1000 }, (_, i) => "n" + i)),
      () => tools.$types("__proto__"),
      () => tools.$types({ toString() { return "weather"; } } as any),
      () => tools.$types("weather"),
    ]) {
      try { out.push(JSON.stringify(await f())); } catch (e) { out.push(e.message); }
    }
    return out;
  `);
  const [long, many, proto, notString, denied] = r.result as string[];
  assert.match(long, /^tools\.\$search\(query: string/);
  assert.match(many, /^tools\.\$types\(names/);
  assert.match(proto, /No tool or namespace named "__proto__"/);
  assert.match(notString, /^tools\.\$types\(names/);
  assert.match(denied, /No tool or namespace named "weather"/, "a denied tool is not discoverable");
  const storm = await cm.execute(`while (true) await tools.$search("weather")`);
  assert.equal(storm.stopReason, "tool_call_limit");
  await assertHealthy(cm);
});

Deno.test("unknown tool names are answered by the host: bounded, counted, never naming a denied tool", async () => {
  const { tool, received } = weather();
  const secret = defineTool({ name: "vault.read_secret", input: z.object({}), handler: () => "s3cret" });
  await using cm = sandbox({ tools: [tool, secret], policies: { "vault.*": "deny" }, limits: { maxToolCalls: 50 } });
  const r = await cm.execute(`
    const out = [];
    for (const f of [
      () => tools.vault.read_secret({}),
      () => tools.vault.read_secre({}),
      () => tools.weather.gte({ city: "Oslo" }),
      () => tools["x".repeat(600)].y({}),
      () => tools.__proto__.constructor({}),
    ]) {
      try { await f(); out.push("ran"); } catch (e) { out.push(e.name + ": " + e.message); }
    }
    return out;
  `);
  const [denied, nearDenied, typo, long, proto] = r.result as string[];
  assert.match(denied, /^ToolError: tools\.vault\.read_secret is not a tool\./);
  assert.match(nearDenied, /^ToolError: tools\.vault\.read_secre is not a tool\./);
  for (const text of [denied, nearDenied]) assert.doesNotMatch(text.replace(/^[^.]*\.[^.]*\.\S+/, ""), /vault|secret/);
  assert.match(typo, /^ToolError: tools\.weather\.gte is not a tool\. Did you mean: tools\.weather\.get\?/);
  assert.match(long, /^TypeError: tools\.x{60}… is not a tool \(the name is too long\)/, "refused in the child");
  assert.match(proto, /^ToolError: tools\.__proto__\.constructor is not a tool/);
  assert.deepEqual(received, [], "no handler ran");
  assert.equal(r.toolCalls.length, 4, "the long name never left the child");
  const storm = await cm.execute(`while (true) { try { await tools.nope.nope({}); } catch {} }`);
  assert.equal(storm.stopReason, "tool_call_limit");
  await assertHealthy(cm);
});
