/**
 * A Codemode tool for LangChain.js: a structured tool made with `tool()` from
 * `@langchain/core/tools`, usable with `model.bindTools()`, agents and
 * LangGraph's `ToolNode`.
 *
 * @module
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import {
  CODE_DESCRIPTION,
  type CodeInput,
  type CodemodeLike,
  codemodeToolDescription,
  type CodemodeToolOptions,
  DEFAULT_TOOL_NAME,
  type ExecutionError,
  type ExecutionResult,
  type Limits,
  type LogEntry,
  type LogLevel,
  runForModel,
  type RunOptions,
  type StopReason,
  type ToolCallRecord,
} from "./description.ts";

// Re-exported so this module's documentation is complete on its own.
export type {
  CodeInput,
  CodemodeLike,
  CodemodeToolOptions,
  ExecutionError,
  ExecutionResult,
  Limits,
  LogEntry,
  LogLevel,
  RunOptions,
  StopReason,
  ToolCallRecord,
};

/**
 * The LangChain tool {@linkcode langchainTool} returns: at run time
 * LangChain's own `DynamicStructuredTool` (its schema a zod object
 * `{ code: string }`), so `bindTools`, agents and `ToolNode` accept it. Typed
 * here by the members of LangChain's `StructuredToolInterface`, so this
 * module's documentation does not depend on LangChain's; the tests pass it
 * to `bindTools`, `ToolNode` and `createReactAgent` as typed.
 */
export interface LangchainCodemodeTool {
  /** The tool's name. @default {"execute_code"} */
  name: string;
  /** How to write the script, and the generated types of `tools`. */
  description: string;
  /** The input's schema: a zod object `{ code: string }`. */
  schema: LangchainInputSchema;
  /** Always false: the model reads the result and carries on. */
  returnDirect: boolean;
  /** Extra provider-specific fields; none. */
  extras?: Record<string, unknown>;
  /** LangChain's serialization namespace. */
  lc_namespace: string[];
  /** Whether LangChain may serialize it. */
  lc_serializable: boolean;
  /** LangChain's serialization id. */
  readonly lc_id: string[];
  /** Runs the script: `{ code }` (or a tool call holding it) → the formatted result. */
  // deno-lint-ignore no-explicit-any
  invoke(input: any, config?: any): Promise<any>;
  /** LangChain's deprecated alias of `invoke`. */
  // deno-lint-ignore no-explicit-any
  call(input: any, config?: any, tags?: string[]): Promise<any>;
  /** Runs several inputs. */
  // deno-lint-ignore no-explicit-any
  batch(inputs: any[], options?: any, batchOptions?: any): Promise<any[]>;
  /** Runs one input as a stream. */
  // deno-lint-ignore no-explicit-any
  stream(input: any, options?: any): Promise<any>;
  /** Runs a stream of inputs. */
  // deno-lint-ignore no-explicit-any
  transform(generator: AsyncGenerator<any>, options: any): AsyncGenerator<any>;
  /** The tool's name, with a suffix. */
  getName(suffix?: string): string;
}

/** The input schema of {@linkcode LangchainCodemodeTool}: a zod object, typed by what LangChain reads. */
export interface LangchainInputSchema {
  /** zod's object shape: `code`. */
  readonly shape: Record<string, unknown>;
  /** zod's description of the schema; none. */
  readonly description?: string;
  /** Validates an input, as zod does. */
  // deno-lint-ignore no-explicit-any
  safeParse(value: unknown): any;
  /** Validates an input, as zod does. */
  // deno-lint-ignore no-explicit-any
  parse(value: unknown): any;
}

/**
 * Makes a LangChain structured tool whose description carries the generated
 * types and which runs the model's script. Tool sources (upstream MCP
 * servers) are loaded first, so the description names their tools.
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
 * const tool = await langchainTool(cm);
 * assert.equal(tool.name, "execute_code");
 * assert.match(tool.description, /declare const tools/);
 * assert.match(await tool.invoke({ code: "return 6 * 7" }), /42/);
 * ```
 */
export async function langchainTool(
  codemode: CodemodeLike,
  options: CodemodeToolOptions = {},
): Promise<LangchainCodemodeTool> {
  const description = await codemodeToolDescription(codemode, options);
  return tool(
    // LangChain passes the run's config; its signal is aborted when the agent run is cancelled.
    ({ code }, config) => runForModel(codemode, code, options, { signal: config?.signal }),
    {
      name: options.name ?? DEFAULT_TOOL_NAME,
      description,
      // A zod object, so `tool()` picks its structured-tool overload and LangChain derives the JSON Schema.
      schema: z.object({ code: z.string().describe(CODE_DESCRIPTION) }),
    },
  );
}
