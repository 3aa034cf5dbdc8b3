/**
 * The part of a LangChain run config that reaches tool handlers as
 * `ctx.context`: what belongs to the calls a script makes (callbacks,
 * `configurable`, LangGraph's `store`, `context`, tags, metadata, limits of
 * the run), not what belongs to the run itself (its tool call, name, id,
 * signal and timeout).
 *
 * @module
 */
import type { RunnableConfig } from "@langchain/core/runnables";

/**
 * The child config a tool handler gets as `ctx.context`, without the keys that are unset.
 *
 * @param config the config LangChain or LangGraph ran the tool or node with.
 * @returns the keys that pass on to the script's tool calls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { childConfig } from "./_runnable_config.ts";
 * assert.deepEqual(childConfig({ tags: ["a"], runName: "execute_code" }), { tags: ["a"] });
 * ```
 */
export function childConfig(config: (RunnableConfig & { context?: unknown }) | undefined): Record<string, unknown> {
  const { callbacks, configurable, context, tags, metadata, recursionLimit, maxConcurrency } = config ?? {};
  // LangGraph adds its `store` to the config it runs a node with; LangChain's own type does not declare it.
  const store = (config as { store?: unknown } | undefined)?.store;
  const child = { callbacks, configurable, store, context, tags, metadata, recursionLimit, maxConcurrency };
  return Object.fromEntries(Object.entries(child).filter(([, value]) => value !== undefined));
}
