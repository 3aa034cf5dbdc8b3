/**
 * A Codemode tool for LangChain.js: a structured tool made with `tool()` from
 * `@langchain/core/tools`, usable with `model.bindTools()`, `createAgent`
 * (or {@linkcode codemodeMiddleware}) and LangGraph's `ToolNode`.
 *
 * The run config LangChain hands the tool reaches every tool handler as
 * `ctx.context`: the child config of the `execute_code` run (its callbacks,
 * `configurable`, `store`, `context`, tags and metadata), so LangChain tools
 * the script calls are traced under `execute_code`; a LangGraph interrupt a
 * handler or the approver throws pauses the graph.
 *
 * @module
 */
import { tool, type ToolRunnableConfig } from "@langchain/core/tools";
import { z } from "zod";
import {
  CODE_DESCRIPTION,
  type CodemodeLike,
  codemodeToolDescription,
  type CodemodeToolOptions,
  DEFAULT_LEAD,
  DEFAULT_TOOL_NAME,
  type RunOptions,
  runScript,
  textForModel,
} from "./description.ts";
import { childConfig } from "./_runnable_config.ts";

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
} from "./description.ts";

/**
 * The LangChain tool {@linkcode langchainTool} returns: at run time
 * LangChain's own `DynamicStructuredTool` (its schema a zod object
 * `{ code: string }`), so `bindTools`, agents and `ToolNode` accept it. Typed
 * here by the members of LangChain's `StructuredToolInterface`, so this
 * module's documentation does not depend on LangChain's; the tests pass it
 * to `bindTools`, `ToolNode` and `createAgent` as typed.
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
  /**
   * Runs the script: `{ code }` → the formatted result; a tool call holding it → a `ToolMessage`
   * whose content is that text and whose `artifact` is the {@linkcode ExecutionResult}.
   */
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
 * The tool's config reaches the handlers as `ctx.context` (a `RunnableConfig`: the child config of
 * this tool's run), the tool call's id as `ctx.toolCallId` (`<id>:<n>`); a LangGraph interrupt
 * (any `GraphBubbleUp`) thrown by a handler or the approver ends the script and is rethrown.
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
  return makeLangchainTool(codemode, options, await codemodeToolDescription(codemode, options));
}

/** Makes the tool with a given description ({@linkcode codemodeMiddleware} puts the types in the system prompt). */
function makeLangchainTool(
  codemode: CodemodeLike,
  options: CodemodeToolOptions,
  description: string,
): LangchainCodemodeTool {
  return tool(
    async ({ code }, config) => {
      const result = await runScript(codemode, code, options, runOptions(config));
      return [textForModel(result, options), result];
    },
    {
      name: options.name ?? DEFAULT_TOOL_NAME,
      description,
      // A zod object, so `tool()` picks its structured-tool overload and LangChain derives the JSON Schema.
      schema: z.object({ code: z.string().describe(CODE_DESCRIPTION) }),
      // The model reads the text; the ToolMessage's artifact keeps the result for UIs and tracing.
      responseFormat: "content_and_artifact",
    },
  );
}

/** The part of LangChain's `ModelRequest` (what `wrapModelCall` gets) the middleware reads. */
export interface ModelRequestLike {
  /** The system prompt so far (`createAgent`'s `systemPrompt`, and what earlier middleware added). */
  systemPrompt?: string;
}

/**
 * A LangChain v1 agent middleware (`createAgent({ model, middleware: [it] })`): it adds the
 * Codemode tool and puts how to write the script, with the generated types, at the end of the
 * system prompt. Duck-typed to LangChain's `AgentMiddleware`, so this module does not load the
 * `langchain` package.
 */
export interface CodemodeMiddleware {
  /** The middleware's name, `CodemodeMiddleware`. */
  readonly name: string;
  /** The Codemode tool (its description is short: the types are in the system prompt). */
  readonly tools: LangchainCodemodeTool[];
  /**
   * Calls the model with Codemode's prompt after the agent's own system prompt.
   *
   * @param request the model request.
   * @param handler calls the model (or the next middleware).
   * @returns what the handler returns.
   */
  wrapModelCall<R extends ModelRequestLike, O>(request: R, handler: (request: R) => O): O;
}

/**
 * Makes a middleware for LangChain v1's `createAgent` that gives the agent Codemode: the
 * `execute_code` tool, and the instructions and generated types in the system prompt (once,
 * not in the tool's description too). Tool sources (upstream MCP servers) are loaded first.
 *
 * @param codemode the instance whose tools the script may call.
 * @param options the tool's name, lead sentence, limits and output size.
 * @returns the middleware, for `createAgent({ model, middleware: [middleware] })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { codemodeMiddleware } from "./langchain.ts";
 * await using cm = new Codemode();
 * const middleware = await codemodeMiddleware(cm);
 * assert.equal(middleware.tools[0].name, "execute_code");
 * const seen = middleware.wrapModelCall({ systemPrompt: "Be brief." }, (request) => request.systemPrompt);
 * assert.match(seen!, /^Be brief\.\n\nYou can use tools by writing one TypeScript script/);
 * // createAgent({ model, middleware: [middleware] }) from the `langchain` package
 * ```
 */
export async function codemodeMiddleware(
  codemode: CodemodeLike,
  options: CodemodeToolOptions = {},
): Promise<CodemodeMiddleware> {
  const name = options.name ?? DEFAULT_TOOL_NAME;
  const prompt = await codemode.prompt({ toolName: name });
  const lead = options.description ?? DEFAULT_LEAD;
  const codemodeTool = makeLangchainTool(
    codemode,
    options,
    `${lead} The system prompt says how to write it and declares \`tools\`.`,
  );
  const withPrompt = (systemPrompt: string | undefined) => systemPrompt ? `${systemPrompt}\n\n${prompt}` : prompt;
  return {
    // LangChain brands what `createMiddleware` makes; `Symbol.for` is the same symbol without importing it.
    [Symbol.for("AgentMiddleware")]: true,
    name: "CodemodeMiddleware",
    tools: [codemodeTool],
    wrapModelCall: <R extends ModelRequestLike, O>(request: R, handler: (request: R) => O): O =>
      handler({ ...request, systemPrompt: withPrompt(request.systemPrompt) }),
  };
}

/**
 * What LangChain hands the tool, passed on to the execution. `tool()` gives its function the
 * child config of the tool's run (callbacks parented to it); the tool call and the run's own
 * name, id, signal and timeout are left out, as they belong to `execute_code`, not to the calls
 * its script makes (a LangChain tool invoked with `toolCall` would answer with a `ToolMessage`).
 */
function runOptions(config: ToolRunnableConfig | undefined): RunOptions {
  return {
    signal: config?.signal,
    toolCallId: config?.toolCall?.id,
    context: childConfig(config),
    rethrow: isGraphBubbleUp,
  };
}

/**
 * LangGraph's own test (`isGraphBubbleUp`), on an `Error` only: an interrupt, or a `Command` for
 * a parent graph, must reach the graph. A value parsed from the script's JSON is never an `Error`,
 * so a handler that throws what the script sent cannot fake one.
 */
function isGraphBubbleUp(error: unknown): boolean {
  return error instanceof Error && (error as { is_bubble_up?: unknown }).is_bubble_up === true;
}

export { agentTool, type RunnableAgentToolOptions, type RunnableLike } from "./langchain_agent.ts";
export type { AgentAnswer, AgentTask, AgentToolOptions } from "./_agent.ts";
