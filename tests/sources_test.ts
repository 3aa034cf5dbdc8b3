import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool, type ToolSource } from "../mod.ts";
import { aiSdkTool } from "../src/integrations/ai_sdk.ts";

function source(namespace: string, startup: "lazy" | "eager" = "lazy") {
  const state = { loads: 0, closed: 0, fail: false, extra: false, changed: undefined as (() => void) | undefined };
  const src: ToolSource = {
    namespace,
    startup,
    load: () => {
      state.loads++;
      if (state.fail) return Promise.reject(new Error("connection refused"));
      const tools = [defineTool({ name: `${namespace}.ping`, input: z.object({}), handler: () => "pong" })];
      if (state.extra) {
        tools.push(defineTool({ name: `${namespace}.extra`, input: z.object({}), handler: () => "more" }));
      }
      return Promise.resolve(tools);
    },
    onChange: (cb) => void (state.changed = cb),
    close: () => (state.closed++, Promise.resolve()),
  };
  return { src, state };
}

Deno.test("a lazy tool source loads on the script's first call of its tools, once", async () => {
  const { src, state } = source("up");
  await using cm = new Codemode({ sources: [src] });
  assert.equal(state.loads, 0);
  assert.equal((await cm.execute(`return 1`)).result, 1);
  assert.equal(state.loads, 0, "a script that calls none of its tools starts nothing");
  const r = await cm.execute(`return await tools.up.ping({})`);
  assert.equal(r.result, "pong");
  await cm.execute(`return await tools.up.ping({})`);
  assert.equal(state.loads, 1);
});

Deno.test("types(), prompt() and the framework tools' descriptions include a lazy source's tools", async () => {
  const { src, state } = source("up");
  await using cm = new Codemode({ sources: [src] });
  assert.deepEqual(cm.catalog(), [], "nothing is loaded until it is needed");
  assert.match(await cm.types(), /up: \{/);
  assert.equal(state.loads, 1);
  const fresh = source("up");
  await using other = new Codemode({ sources: [fresh.src] });
  assert.match(await other.prompt(), /up: \{/);
  const third = source("up");
  await using another = new Codemode({ sources: [third.src] });
  assert.match((await aiSdkTool(another)).description, /up: \{/);
});

Deno.test("loadTools({ eagerOnly }) loads only eager sources", async () => {
  const lazy = source("lazyns");
  const eager = source("eagerns", "eager");
  await using cm = new Codemode({ sources: [lazy.src, eager.src] });
  await cm.loadTools({ eagerOnly: true });
  assert.deepEqual([lazy.state.loads, eager.state.loads], [0, 1]);
});

Deno.test("a source whose tool list changed is reloaded", async () => {
  const { src, state } = source("up");
  await using cm = new Codemode({ sources: [src] });
  await cm.loadTools();
  state.extra = true;
  state.changed!();
  await new Promise((r) => setTimeout(r, 10));
  assert.match(await cm.types(), /extra/);
  const r = await cm.execute(`return await tools.up.extra({})`);
  assert.equal(r.result, "more");
});

Deno.test("a source that fails to load does not stop scripts; the model reads why, and it is retried", async () => {
  const { src, state } = source("down");
  state.fail = true;
  await using cm = new Codemode({ sources: [src] });
  assert.equal((await cm.execute(`return 1`)).result, 1);
  const r = await cm.execute(`return await tools.down.ping({})`);
  assert.equal(r.error?.name, "ToolError");
  assert.match(
    r.error?.message ?? "",
    /tools\.down\.ping is unavailable: Tool source "down" failed to load: connection refused/,
  );
  assert.match(await cm.types(), /^\/\/ Not available now: Tool source "down" failed to load: connection refused\n/);
  state.fail = false;
  const again = await cm.execute(`return await tools.down.ping({})`);
  assert.equal(again.result, "pong");
  assert.equal(state.loads, 3);
});

Deno.test("close() closes every source", async () => {
  const { src, state } = source("up");
  const cm = new Codemode({ sources: [src] });
  await cm.close();
  assert.equal(state.closed, 1);
});

Deno.test("a source's tools clashing with a local tool leave the registry as it was", async () => {
  const local = defineTool({ name: "up.ping", input: z.object({}), handler: () => "local" });
  const { src } = source("up");
  await using cm = new Codemode({ tools: [local], sources: [src] });
  await assert.rejects(cm.loadTools(), /Tool source "up" failed to load|Duplicate tool name/);
  const r = await cm.execute(`return await tools.up.ping({})`);
  assert.equal(r.result, "local");
});
