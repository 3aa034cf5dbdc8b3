/**
 * Codemode for LangGraph.js: the tools list for LangChain v1's `createAgent`
 * (the successor of LangGraph's deprecated `createReactAgent`), or for
 * `new ToolNode(tools)` in a hand-built graph (`StateGraph` +
 * `toolsCondition`). Of LangGraph, this module loads only `interrupt()` (for
 * its approval node): the classes stay LangGraph's, typed by LangGraph. The graph's config reaches the tool
 * handlers as `ctx.context`, and a LangGraph `interrupt()` in a handler or
 * the approver pauses the graph (see `./langchain`). A script that pauses for
 * approval is resumed by {@linkcode codemodeApprovalNode}, which interrupts the
 * graph with the pending calls and resumes them with `Command({ resume })`.
 *
 * @module
 */
import { type CodemodeLike, type CodemodeToolOptions, type LangchainCodemodeTool, langchainTool } from "./langchain.ts";

/**
 * A compiled graph (`new StateGraph(...).compile()`, `createAgent(...)`) as a Codemode tool,
 * `agents.<name>`, that a script calls as `tools.agents.<name>({ task })`; the same function as
 * `./langchain`'s (a compiled graph is a runnable). By default the graph gets
 * `{ messages: [{ role: "user", content: task }] }` and the tool gives the last message's text.
 */
export { agentTool, type RunnableAgentToolOptions, type RunnableLike } from "./langchain.ts";

// Re-exported so this module's documentation is complete on its own.
export type {
  AgentAnswer,
  AgentTask,
  AgentToolOptions,
  CodeInput,
  CodemodeLike,
  CodemodeToolOptions,
  ExecutionError,
  ExecutionResult,
  LangchainCodemodeTool,
  Limits,
  LogEntry,
  LogLevel,
  RunOptions,
  StopReason,
  ToolCallRecord,
} from "./langchain.ts";

/**
 * The tools an agent needs to use Codemode: one tool that runs the model's script.
 *
 * @param codemode the instance whose tools the script may call.
 * @param options the tool's name, lead sentence, limits and output size.
 * @returns the tools for `createAgent({ model, tools })` or `new ToolNode(tools)` (LangGraph's
 * `ToolNode` turns a thrown error, e.g. a `code` that fails the schema, into a ToolMessage the model reads).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { langgraphTools } from "./langgraph.ts";
 * await using cm = new Codemode();
 * const [tool] = await langgraphTools(cm);
 * assert.equal(tool.name, "execute_code");
 * // createAgent({ model, tools: await langgraphTools(cm) }), or codemodeMiddleware(cm) from ./langchain.ts
 * ```
 */
export async function langgraphTools(
  codemode: CodemodeLike,
  options: CodemodeToolOptions = {},
): Promise<[LangchainCodemodeTool]> {
  return [await langchainTool(codemode, options)];
}

export {
  type CodemodeApprovalNode,
  codemodeApprovalNode,
  type CodemodeApprovalRequest,
  hasPausedExecution,
  type MessagesStateLike,
  type NodeConfigLike,
} from "./langgraph_approvals.ts";
export type { ApprovalAnswer, ResumableCodemode } from "./_pause.ts";
