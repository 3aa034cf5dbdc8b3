import assert from "node:assert/strict";
import { Codemode } from "../mod.ts";
import tools from "../examples/demo/tools.ts";

Deno.test("tools.$search finds tools by keywords inside the sandbox, best first, with signatures", async () => {
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`return await tools.$search("convert currency", 2)`);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  const matches = r.result as Array<{ name: string; signature: string }>;
  assert.equal(matches[0].name, "currency.convert");
  assert.match(matches[0].signature, /^tools\.currency\.convert\(input: \{/);
  assert.ok(matches.length <= 2);
});

Deno.test("tools.$types returns the declarations of a namespace or a tool", async () => {
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`return [await tools.$types("db"), await tools.$types(["weather.get"])]`);
  const [db, weather] = r.result as string[];
  assert.match(db, /orders: \{/);
  assert.doesNotMatch(db, /weather/);
  assert.match(weather, /get\(input: \{/);
});

Deno.test("tools.$types names unknown namespaces, and bad discovery input is a clear error", async () => {
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`
    const out = [];
    for (const f of [() => tools.$types("nope"), () => tools.$search(""), () => tools.$search(42 as any)]) {
      try { await f(); out.push("ok"); } catch (e) { out.push(e.message); }
    }
    return out;
  `);
  const [unknown, empty, notString] = r.result as string[];
  // The same answer as the MCP server's get_tool_types: the unknown name, near names, the namespaces.
  assert.match(
    unknown,
    /No tool or namespace named "nope"\.\nNamespaces \(tool count\): currency \(1\), db \(1\), weather \(1\)\./,
  );
  assert.match(empty, /^tools\.\$search\(query: string, limit\?: number\): /);
  assert.match(notString, /^tools\.\$search/);
});

Deno.test("discovery hides denied tools", async () => {
  await using cm = new Codemode({ tools, policies: { "db.*": "deny" } });
  const r = await cm.execute(
    `return [(await tools.$search("orders")).map((m) => m.name), await tools.$types("weather")]`,
  );
  const [names] = r.result as [string[], string];
  assert.ok(!names.includes("db.orders.list"));
  const hidden = await cm.execute(`try { await tools.$types("db") } catch (e) { return e.message }`);
  assert.match(String(hidden.result), /No tool or namespace named "db"/);
});

Deno.test("types() declares $search and $types; a namespace's $types output does not", async () => {
  await using cm = new Codemode({ tools });
  const types = await cm.types();
  assert.ok(types.includes("  $search(query: string, limit?: number): Promise<{"), types.slice(0, 800));
  assert.ok(types.includes("  $types(names: string | string[]): Promise<string>;"));
  assert.ok((await cm.prompt()).includes("  $search(query: string, limit?: number): Promise<{"));
  assert.match(await cm.prompt(), /`await tools\.\$search\("keywords"\)` returns an array of matches/);
  const r = await cm.execute(`return await tools.$types("weather")`);
  assert.doesNotMatch(String(r.result), /\$search|\$types/);
});

Deno.test("a script written against the declared discovery shapes runs", async () => {
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`
    const matches = await tools.$search("convert currency", 3);
    const signatures: string[] = matches.map((m) => m.signature);
    const best = matches[0];
    const declarations: string = await tools.$types([best.name]);
    return {
      signatures,
      best: [best.name, typeof best.score, typeof best.description],
      lines: declarations.split("\\n").length > 1,
    };
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  const out = r.result as { signatures: string[]; best: string[]; lines: boolean };
  assert.match(out.signatures[0], /^tools\.currency\.convert\(input: \{/);
  assert.deepEqual(out.best, ["currency.convert", "number", "string"]);
  assert.equal(out.lines, true);
});
