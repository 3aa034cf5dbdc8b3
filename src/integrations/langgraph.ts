/**
 * Codemode for LangGraph.js: the tools list for `createReactAgent`, and a
 * ready `ToolNode` for hand-built graphs (`StateGraph` + `toolsCondition`).
 *
 * @module
 */
import { ToolNode } from "@langchain/langgraph/prebuilt";
import type { CodemodeLike, CodemodeToolOptions } from "./description.ts";
import { type LangchainCodemodeTool, langchainTool } from "./langchain.ts";

// Re-exported so this module's documentation is complete on its own.
export type { CodemodeLike, CodemodeToolOptions, LangchainCodemodeTool };

/**
 * The tools an agent needs to use Codemode: one tool that runs the model's script.
 *
 * @param codemode the instance whose tools the script may call.
 * @param options the tool's name, lead sentence, limits and output size.
 * @returns the tools for `createReactAgent({ llm, tools })` or `new ToolNode(tools)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { langgraphTools } from "./langgraph.ts";
 * await using cm = new Codemode();
 * const [tool] = langgraphTools(cm);
 * assert.equal(tool.name, "execute_code");
 * // createReactAgent({ llm, tools: langgraphTools(cm) })
 * ```
 */
export function langgraphTools(codemode: CodemodeLike, options: CodemodeToolOptions = {}): [LangchainCodemodeTool] {
  return [langchainTool(codemode, options)];
}

/**
 * A `ToolNode` that runs the Codemode tool, for graphs built by hand.
 *
 * @param codemode the instance whose tools the script may call.
 * @param options the tool's name, lead sentence, limits and output size.
 * @returns a node to add as `"tools"` next to a model node and `toolsCondition`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { codemodeToolNode } from "./langgraph.ts";
 * await using cm = new Codemode();
 * const node = codemodeToolNode(cm);
 * assert.equal(node.tools.length, 1);
 * // new StateGraph(MessagesAnnotation).addNode("tools", node)…
 * ```
 */
export function codemodeToolNode(codemode: CodemodeLike, options: CodemodeToolOptions = {}): ToolNode {
  // The ToolNode's default error handling turns a thrown error (e.g. a `code` that fails the schema)
  // into a ToolMessage the model reads, so a bad call never ends the graph run.
  return new ToolNode(langgraphTools(codemode, options));
}
