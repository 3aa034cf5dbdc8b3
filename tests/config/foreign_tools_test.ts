import assert from "node:assert/strict";
import { join } from "node:path";
import { Codemode } from "../../mod.ts";
import type { AnyTool, ToolContext } from "../../src/config/mod.ts";
import {
  discoverTools,
  fromAiSdkTool,
  fromLangChainTool,
  isAiSdkTool,
  isLangChainTool,
  ToolDiscoveryError,
} from "../../src/config/mod.ts";
import { tempDir } from "./_helpers.ts";
import * as aiSdk from "./fixtures/ai_sdk_tools.ts";
import * as langchain from "./fixtures/langchain_tools.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

function context(tool: string): ToolContext {
  return { executionId: "exec-1", tool, signal: new AbortController().signal };
}

async function call(tool: AnyTool, input: unknown): Promise<unknown> {
  const checked = tool.validateInput(input);
  assert.ok(checked.ok, `input should be valid: ${JSON.stringify(checked)}`);
  return await tool.handler(checked.value, context(tool.name));
}

Deno.test("AI SDK tools are discovered by export name and by object key", async () => {
  const file = join(FIXTURES, "ai_sdk_tools.ts");
  const found = await discoverTools([file]);
  assert.deepEqual(found.map((t) => [t.tool.name, t.source]), [
    ["getWeather", `${file}#getWeather`],
    ["addNumbers", `${file}#tools.addNumbers`],
    ["countdown", `${file}#tools.countdown`],
  ]);
  assert.equal(found[0].tool.description, "Current weather for a city.");
});

Deno.test("an AI SDK tool with a zod schema keeps its schemas and validates input", () => {
  assert.ok(isAiSdkTool(aiSdk.getWeather));
  const tool = fromAiSdkTool("getWeather", aiSdk.getWeather);
  const input = tool.inputSchema as { properties: { city: { type: string; description: string } } };
  assert.deepEqual(input.properties.city, { type: "string", description: "City name" });
  assert.ok(tool.outputSchema);
  const bad = tool.validateInput({ city: 7 });
  assert.equal(bad.ok, false);
  assert.match(JSON.stringify(bad), /city/);
});

Deno.test("an AI SDK tool's execute gets the input, the execution id, no messages and the abort signal", async () => {
  const tool = fromAiSdkTool("getWeather", aiSdk.getWeather);
  aiSdk.calls.length = 0;
  const ctx = context("getWeather");
  assert.deepEqual(await tool.handler({ city: "Oslo" }, ctx), { city: "Oslo", tempC: 4 });
  assert.deepEqual(aiSdk.calls, [{
    input: { city: "Oslo" },
    options: { toolCallId: "exec-1", messages: [], abortSignal: ctx.signal },
  }]);
});

Deno.test("an AI SDK tool with a jsonSchema() schema validates with that JSON Schema", async () => {
  const tool = fromAiSdkTool("addNumbers", aiSdk.tools.addNumbers);
  assert.deepEqual((tool.inputSchema as { required: string[] }).required, ["a", "b"]);
  assert.equal(tool.validateInput({ a: 1 }).ok, false);
  assert.equal(tool.validateInput({ a: 1, b: 2, c: 3 }).ok, false);
  assert.equal(await call(tool, { a: 2, b: 40 }), 42);
});

Deno.test("an AI SDK tool that streams returns its last value", async () => {
  const tool = fromAiSdkTool("countdown", aiSdk.tools.countdown);
  assert.equal(tool.validateInput({ from: 0 }).ok, false);
  assert.equal(await call(tool, { from: 3 }), 0);
});

Deno.test("LangChain tools are discovered by their own names, including StructuredTool subclasses", async () => {
  const file = join(FIXTURES, "langchain_tools.ts");
  const found = await discoverTools([file]);
  assert.deepEqual(found.map((t) => [t.tool.name, t.source]), [
    ["greet", `${file}#greet`],
    ["multiply", `${file}#langchainTools[0]`],
    ["search_docs", `${file}#searchDocs`],
  ]);
});

Deno.test("a LangChain tool with a zod schema validates input and returns JSON text parsed", async () => {
  assert.ok(isLangChainTool(langchain.searchDocs));
  const tool = fromLangChainTool(langchain.searchDocs);
  assert.equal(tool.description, "Searches the docs.");
  assert.equal(tool.validateInput({ query: "x", limit: 9 }).ok, false);
  assert.deepEqual(await call(tool, { query: "zod", limit: 2 }), { hits: ["zod #1", "zod #2"] });
});

Deno.test("a LangChain tool with a JSON Schema returns plain text as a string", async () => {
  const tool = fromLangChainTool(langchain.greet);
  assert.equal(tool.validateInput({}).ok, false);
  assert.equal(await call(tool, { name: "Ada" }), "Hello, Ada!");
});

Deno.test("a LangChain StructuredTool subclass is converted and called through invoke", async () => {
  const tool = fromLangChainTool(langchain.langchainTools[0]);
  assert.equal(tool.validateInput({ a: "2", b: 3 }).ok, false);
  // "6" is JSON text for the number 6.
  assert.equal(await call(tool, { a: 2, b: 3 }), 6);
});

Deno.test("converted tools run from a sandboxed script", async () => {
  const found = await discoverTools([join(FIXTURES, "ai_sdk_tools.ts"), join(FIXTURES, "langchain_tools.ts")]);
  await using cm = new Codemode({ tools: found.map((t) => t.tool) });
  assert.match(await cm.types(), /getWeather\(input/);
  const r = await cm.execute(`
    const [w, sum, hits] = await Promise.all([
      tools.getWeather({ city: "Lima" }),
      tools.addNumbers({ a: 1, b: 2 }),
      tools.search_docs({ query: "q", limit: 1 }),
    ]);
    let error = "";
    try { await tools.multiply({ a: "x", b: 1 }); } catch (e) { error = e.message; }
    return { w, sum, hits, error };
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  const result = r.result as { w: unknown; sum: number; hits: unknown; error: string };
  assert.deepEqual(result.w, { city: "Lima", tempC: 4 });
  assert.equal(result.sum, 3);
  assert.deepEqual(result.hits, { hits: ["q #1"] });
  assert.match(result.error, /Invalid input for tools\.multiply: a:/);
});

Deno.test("AI SDK tools without a name (default export, list item) are errors naming the source", async () => {
  const dir = await tempDir();
  try {
    const aiTool =
      `{ description: "x", inputSchema: { jsonSchema: { type: "object" }, validate: () => 0 }, execute: () => 1 }`;
    await Deno.writeTextFile(join(dir, "a.ts"), `export default ${aiTool};\nexport const list = [${aiTool}];\n`);
    try {
      await discoverTools([join(dir, "a.ts")]);
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof ToolDiscoveryError);
      assert.deepEqual(e.problems, [
        `${join(dir, "a.ts")}#default: a default-exported AI SDK tool has no name; export it by name`,
        `${join(dir, "a.ts")}#list[0]: an AI SDK tool in a list has no name; export it by name or in an object`,
      ]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("zod v3 schemas are refused with a clear message", () => {
  const v3 = { _def: { typeName: "ZodObject" }, safeParse: () => ({ success: true }) };
  assert.throws(
    () => fromAiSdkTool("old", { inputSchema: v3, execute: () => 1 }),
    /AI SDK tool "old" input: zod v3 schemas are not supported/,
  );
  assert.throws(
    () => fromLangChainTool({ name: "old", description: "", schema: v3, invoke: () => Promise.resolve(1) }),
    /LangChain tool "old" input: zod v3 schemas are not supported/,
  );
});

Deno.test("an AI SDK v4 tool with parameters instead of inputSchema is converted", async () => {
  const { z } = await import("zod");
  const v4 = {
    description: "Echoes.",
    parameters: z.object({ text: z.string() }),
    execute: (input: { text: string }) => Promise.resolve(input.text.toUpperCase()),
  };
  assert.ok(isAiSdkTool(v4));
  const tool = fromAiSdkTool("echo", v4);
  assert.equal(tool.validateInput({ text: 1 }).ok, false);
  assert.equal(await call(tool, { text: "hi" }), "HI");
});

Deno.test("an AI SDK tool without execute cannot be converted", () => {
  const clientSide = { description: "Runs in the browser.", inputSchema: { jsonSchema: {}, validate: () => 0 } };
  assert.equal(isAiSdkTool(clientSide), false);
  assert.throws(() => fromAiSdkTool("ui", clientSide), /AI SDK tool "ui" has no execute function/);
});
