import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool } from "../mod.ts";

const SECRET = "s3cr3t-value-7f1c";

// A tool without an output schema, as most MCP servers' tools are.
function crm() {
  let n = 0;
  return defineTool({
    name: "crm.find",
    description: "Finds a customer.",
    input: z.object({ q: z.string() }),
    handler: ({ q }) => {
      n++;
      const base = { id: n, name: `${q}-${SECRET}`, vip: n % 2 === 0, tags: ["a", SECRET], score: 0.5 };
      // The second result has one more field and a record keyed by data (e-mail addresses).
      return n === 1 ? base : { ...base, email: `${SECRET}@example.com`, byEmail: { [`${SECRET}@x.io`]: 1 } };
    },
  });
}

Deno.test("after a call, types() shows the result type observed, marked as observed, with no value in it", async () => {
  await using cm = new Codemode({ tools: [crm()] });
  assert.match(await cm.types(), /find\(input: \{\n\s+q: string;\n\s+\}\): Promise<unknown>;/);
  await cm.execute(`return await tools.crm.find({ q: "ada" })`);
  let types = await cm.types();
  assert.match(types, /observed from 1 successful call, not declared by the tool/);
  assert.match(types, /id: number;\n\s+name: string;\n\s+vip: boolean;\n\s+tags: string\[\];\n\s+score: number;/);
  await cm.execute(`return await tools.crm.find({ q: "bob" })`);
  types = await cm.types();
  assert.match(types, /observed from 2 successful calls/);
  // Seen in one result only: optional. Keyed by data: a record, whose keys are not shown.
  assert.match(types, /email\?: string;/);
  assert.match(types, /byEmail\?: Record<string, number>;/);
  assert.ok(!types.includes(SECRET), "no value, and no data-like key, reaches the declarations");
  assert.ok(!types.includes("ada"));
  assert.ok(!types.includes("example.com"));
});

Deno.test("discovery ($types, $search) and prompt() show the observed type too", async () => {
  await using cm = new Codemode({ tools: [crm()] });
  await cm.execute(`return await tools.crm.find({ q: "ada" })`);
  const r = await cm.execute(`
    const [m] = await tools.$search("customer");
    return { signature: m.signature, types: await tools.$types("crm") };
  `);
  const { signature, types } = r.result as { signature: string; types: string };
  assert.match(signature, /Promise<\{ id: number; name: string; vip: boolean; tags: string\[\]; score: number \}>/);
  assert.match(types, /observed from 1 successful call/);
  assert.match(await cm.prompt(), /observed from/);
});

Deno.test("a declared output schema wins; observeOutputTypes: false shows nothing observed", async () => {
  const declared = defineTool({
    name: "w.get",
    input: z.object({}),
    output: z.object({ t: z.number() }),
    handler: () => ({ t: 1 }),
  });
  await using cm = new Codemode({ tools: [declared, crm()], observeOutputTypes: false });
  await cm.execute(`await tools.w.get({}); return await tools.crm.find({ q: "x" })`);
  const types = await cm.types();
  assert.match(types, /get\(input\?: Record<string, unknown>\): Promise<\{\n\s+t: number;\n\s+\}>;/);
  assert.match(types, /find\(input: \{\n\s+q: string;\n\s+\}\): Promise<unknown>;/);
  assert.ok(!types.includes("observed"));
});

Deno.test("a failed call, a refused input or a thrown handler observes nothing", async () => {
  const flaky = defineTool({
    name: "x.flaky",
    input: z.object({ ok: z.boolean() }),
    handler: ({ ok }) => {
      if (!ok) throw new Error("nope");
      return { fine: true };
    },
  });
  await using cm = new Codemode({ tools: [flaky] });
  await cm.execute(
    `try { await tools.x.flaky({ ok: false }) } catch {} try { await tools.x.flaky({ nope: 1 }) } catch {}`,
  );
  assert.match(await cm.types(), /flaky\(input: \{\n\s+ok: boolean;\n\s+\}\): Promise<unknown>;/);
});

Deno.test("the type check does not hold a script to an observed type: a field not seen yet is allowed", async () => {
  await using cm = new Codemode({ tools: [crm()], typecheck: true });
  await cm.execute(`return await tools.crm.find({ q: "ada" })`);
  const r = await cm.execute(`const c = await tools.crm.find({ q: "bob" }); return c.email.length > 0;`);
  assert.equal(r.stopReason, "completed", JSON.stringify(r.error));
});
