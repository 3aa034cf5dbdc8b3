/**
 * Turns LangChain tools (`tool()` from `@langchain/core/tools`, `StructuredTool`
 * subclasses) into Codemode tools, by shape only: Codemode does not depend on LangChain.
 *
 * @module
 */
import { type AnyTool, defineTool } from "../tools/define.ts";
import { foreignSchema } from "./foreign_schema.ts";

/** The parts of a LangChain tool Codemode uses. */
export interface LangChainToolLike {
  /** The tool's name, e.g. `get_weather`; made safe for `tools.<name>`. */
  name: string;
  /** What the tool does. */
  description: string;
  /** The input schema: zod (v4) or JSON Schema. */
  schema: unknown;
  /**
   * Runs the tool; `config` is a LangChain `RunnableConfig` (see {@linkcode fromLangChainTool}).
   * Typed loosely so that a tool typed by its schema (`tool(fn, { schema: z.object(…) })`) is accepted as it is.
   */
  // deno-lint-ignore no-explicit-any
  invoke: (input: any, config?: any) => Promise<unknown>;
}

/**
 * Tells whether a value looks like a LangChain tool: string `name` and
 * `description`, a `schema` object and an `invoke` function.
 *
 * @param value any value.
 * @returns true for LangChain tools.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLangChainTool } from "./from_langchain.ts";
 * const t = { name: "echo", description: "Echoes.", schema: { type: "object" }, invoke: async (x: unknown) => x };
 * assert.ok(isLangChainTool(t));
 * assert.ok(!isLangChainTool({ name: "echo" }));
 * ```
 */
export function isLangChainTool(value: unknown): value is LangChainToolLike {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Partial<LangChainToolLike>;
  return typeof t.name === "string" && typeof t.description === "string" &&
    typeof t.schema === "object" && t.schema !== null && typeof t.invoke === "function";
}

/** LangChain tools return text; JSON text becomes the value it encodes, so scripts get data. */
function fromText(result: unknown): unknown {
  if (typeof result !== "string") return result;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}

/** The `RunnableConfig` keys a LangChain tool is invoked with from the handler's `ctx.context`. */
const RUN_CONFIG_KEYS = [
  "callbacks",
  "configurable",
  "store",
  "context",
  "tags",
  "metadata",
  "recursionLimit",
  "maxConcurrency",
] as const;

/** The config of a nested run: the parent's run config keys from the context, and the call's own signal. */
function runConfig(context: unknown, signal: AbortSignal): { signal: AbortSignal } {
  const parent = typeof context === "object" && context !== null ? context as Record<string, unknown> : {};
  const picked = RUN_CONFIG_KEYS.flatMap((key) => parent[key] === undefined ? [] : [[key, parent[key]]]);
  return { ...Object.fromEntries(picked), signal };
}

/**
 * Converts a LangChain tool into a Codemode tool named after it, keeping its
 * description and input schema. The handler calls `invoke(input, config)`:
 * `config` holds the call's `signal` and, from the handler's `ctx.context`
 * (the LangChain adapter puts the `execute_code` run's child config there),
 * `callbacks`, `configurable`, `store`, `context`, `tags`, `metadata`,
 * `recursionLimit` and `maxConcurrency`, so the tool's run is traced under
 * `execute_code` and sees the graph's config; other context keys are not passed.
 * A string result that parses as JSON is returned parsed, any other string as is.
 *
 * @param tool the LangChain tool.
 * @returns the Codemode tool.
 * @throws {TypeError} when the name or schema is unusable (e.g. zod v3), naming the tool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromLangChainTool } from "./from_langchain.ts";
 * const t = fromLangChainTool({
 *   name: "double",
 *   description: "Doubles n.",
 *   schema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
 *   invoke: async (input) => JSON.stringify({ n: (input as { n: number }).n * 2 }),
 * });
 * const ctx = { executionId: "e1", tool: "double", signal: new AbortController().signal };
 * assert.deepEqual(await t.handler({ n: 4 }, ctx), { n: 8 });
 * ```
 */
export function fromLangChainTool(tool: LangChainToolLike): AnyTool {
  const input = foreignSchema(tool.schema, `LangChain tool "${tool.name}" input`, true);
  return defineTool<unknown, unknown>({
    name: tool.name,
    description: tool.description,
    input,
    handler: async (value, ctx) => fromText(await tool.invoke(value, runConfig(ctx.context, ctx.signal))),
  });
}
