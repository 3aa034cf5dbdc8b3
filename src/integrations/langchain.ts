/**
 * A Codemode tool for LangChain.js: a structured tool made with `tool()` from
 * `@langchain/core/tools`, usable with `model.bindTools()`, agents and
 * LangGraph's `ToolNode`.
 *
 * @module
 */
import { type DynamicStructuredTool, tool } from "@langchain/core/tools";
import { z } from "zod";
import {
  CODE_DESCRIPTION,
  type CodeInput,
  type CodemodeLike,
  codemodeToolDescription,
  type CodemodeToolOptions,
  DEFAULT_TOOL_NAME,
  type ExecutionResult,
  type Limits,
  runForModel,
} from "./description.ts";

// Re-exported so this module's documentation is complete on its own.
export type { CodeInput, CodemodeLike, CodemodeToolOptions, ExecutionResult, Limits };

/**
 * The LangChain tool {@linkcode langchainTool} returns: input `{ code: string }`, output the formatted result.
 * It is LangChain's own class (and its schema a zod object) so `bindTools`, agents and `ToolNode` accept it.
 */
export type LangchainCodemodeTool = DynamicStructuredTool<
  z.ZodObject<{ code: z.ZodString }>,
  CodeInput,
  CodeInput,
  string
>;

/**
 * Makes a LangChain structured tool whose description carries the generated types and which runs the model's script.
 *
 * @param codemode the instance whose tools the script may call.
 * @param options the tool's name, lead sentence, limits and output size.
 * @returns a tool for `bindTools`, agents and `ToolNode`; a `code` that is not a string is refused by its schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { langchainTool } from "./langchain.ts";
 * await using cm = new Codemode();
 * const tool = langchainTool(cm);
 * assert.equal(tool.name, "execute_code");
 * assert.match(tool.description, /declare const tools/);
 * assert.match(await tool.invoke({ code: "return 6 * 7" }), /42/);
 * ```
 */
export function langchainTool(codemode: CodemodeLike, options: CodemodeToolOptions = {}): LangchainCodemodeTool {
  return tool(
    // LangChain passes the run's config; its signal is aborted when the agent run is cancelled.
    ({ code }, config) => runForModel(codemode, code, options, config?.signal),
    {
      name: options.name ?? DEFAULT_TOOL_NAME,
      description: codemodeToolDescription(codemode, options),
      // A zod object, so `tool()` picks its structured-tool overload and LangChain derives the JSON Schema.
      schema: z.object({ code: z.string().describe(CODE_DESCRIPTION) }),
    },
  );
}
