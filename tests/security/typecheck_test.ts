// The type check is a new door: the model's script reaches the TypeScript
// checker on the host before any sandbox. It must read no host file the
// script names, and a script whose types are hostile must not stall, crash or
// bloat the host.
// Stopped by: an in-memory compiler host that resolves nothing, TypeScript's own limits, the execution's timeout and a 512 MiB worker heap
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool } from "../../mod.ts";

const echo = defineTool({
  name: "util.echo",
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => ({ text }),
});

Deno.test("a script cannot make the checker read a host file: references, imports and lib names are never opened", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const secret = `${dir}/secret.ts`;
    // Were this file read, its error (and its name) would show in the diagnostics.
    await Deno.writeTextFile(secret, `export const CANARY_4b1d: number = "not a number";\n`, { mode: 0o600 });
    // Opening a FIFO blocks until a writer comes: a checker that opened it would never answer.
    const fifo = `${dir}/fifo.d.ts`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success);
    await using cm = new Codemode({ tools: [echo], typecheck: true });
    for (
      const code of [
        `/// <reference path="${secret}" />\nreturn 1;`,
        `/// <reference path="${fifo}" />\nreturn 1;`,
        `/// <reference types="${dir}/secret" />\nreturn 1;`,
        `/// <reference lib="../../../../../../..${secret}" />\nreturn 1;`,
        `import { CANARY_4b1d } from "${secret}";\nreturn CANARY_4b1d;`,
        `const m = await import("${secret}");\nreturn m.CANARY_4b1d;`,
        `type T = typeof import("${fifo}");\nreturn 1;`,
      ]
    ) {
      const r = await cm.execute(code);
      const text = JSON.stringify(r);
      assert.ok(!text.includes("CANARY_4b1d: number"), `${code}: ${text}`);
      assert.ok(!text.includes("not a number"), code);
      assert.ok(!/Type 'string' is not assignable to type 'number'/.test(text), code);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("types that would run the checker forever end at TypeScript's own limits, and nothing runs", async () => {
  await using cm = new Codemode({ tools: [echo], typecheck: true });
  const r = await cm.execute(`
    type Grow<T> = T extends [] ? [] : Grow<[T, T]>;
    const x: Grow<1> = null;
    return await tools.util.echo({ text: "ran" });
  `);
  assert.equal(r.stopReason, "typecheck");
  assert.equal(r.diagnostics?.[0].code, 2589);
  assert.deepEqual(r.toolCalls, []);
});

Deno.test("a check over the time limit ends the checker, reports that nothing ran, and the next check works", async () => {
  await using cm = new Codemode({ tools: [echo], typecheck: true });
  // 1 ms: no cold checker answers in time, whatever the machine.
  const slow = await cm.execute(`return await tools.util.echo({ text: "ran" })`, { limits: { timeoutMs: 1 } });
  assert.equal(slow.stopReason, "typecheck");
  assert.match(slow.error!.message, /could not be type-checked \(nothing ran\): the type check took longer than 1 ms/);
  assert.deepEqual(slow.toolCalls, []);
  const next = await cm.execute(`return (await tools.util.echo({ text: "ran" })).text`);
  assert.equal(next.stopReason, "completed", JSON.stringify(next.error));
  assert.equal(next.result, "ran");
});

Deno.test("deeply nested code cannot crash the host through the checker", async () => {
  await using cm = new Codemode({ tools: [echo], typecheck: true });
  const depth = 20_000;
  const r = await cm.execute(`return ${"(".repeat(depth)}1${")".repeat(depth)};`);
  assert.equal(r.stopReason, "typecheck", JSON.stringify(r).slice(0, 300));
  const after = await cm.execute(`return (await tools.util.echo({ text: "ok" })).text`);
  assert.equal(after.result, "ok");
});

Deno.test("diagnostics are bounded: a huge message is cut, and at most 20 are returned", async () => {
  const wide = defineTool({
    name: "wide.take",
    input: z.object(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`field_${i}`, z.string()]))),
    handler: () => 1,
  });
  await using cm = new Codemode({ tools: [wide], typecheck: true });
  const r = await cm.execute(Array.from({ length: 40 }, () => `await tools.wide.take({});`).join("\n"));
  assert.equal(r.stopReason, "typecheck");
  assert.equal(r.diagnostics?.length, 20);
  for (const d of r.diagnostics!) assert.ok(d.message.length <= 1001, `${d.message.length}`);
});
