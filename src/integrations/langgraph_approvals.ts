/**
 * Approvals that pause a LangGraph graph: a node that finds the Codemode
 * executions that paused for approval among the latest tool results, asks
 * for the decisions with LangGraph's `interrupt()`, and resumes them with
 * what the graph was resumed with (`new Command({ resume })`), replacing each
 * paused `ToolMessage` with the final one.
 *
 * The node, not the tool, interrupts: LangGraph runs an interrupted node
 * again from its start when the graph resumes, and the tool would then run
 * its script again; the node only reads its state before it interrupts, so
 * running it again repeats nothing, and the script resumes by replay in the
 * host (no tool runs twice).
 *
 * @module
 */
import { ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { interrupt } from "@langchain/langgraph";
import type { PausedExecution, PendingApproval } from "../rpc/result.ts";
import { type CodemodeToolOptions, textForModel } from "./description.ts";
import { decisionsFrom, describePending, pausedOf, type ResumableCodemode, resumeScript } from "./_pause.ts";
import { childConfig } from "./_runnable_config.ts";

/** What {@linkcode codemodeApprovalNode} interrupts with: `task.interrupts[].value` (`result.__interrupt__`). */
export interface CodemodeApprovalRequest {
  /** Always `codemode_approval`. */
  type: "codemode_approval";
  /** Every call waiting for a decision, from every paused execution among the latest tool results. */
  approvals: PendingApproval[];
  /** The same, one line each (`id: tools.x({...})`), for a person to read. */
  text: string;
}

/** The state the node reads and updates: LangGraph's `MessagesAnnotation` (or any state with its `messages`). */
export interface MessagesStateLike {
  /** The conversation (LangChain messages); the node reads the tool results after the last AI message. */
  messages: readonly unknown[];
}

/** The part of the run config LangGraph hands a node that the node reads (a `RunnableConfig`). */
export interface NodeConfigLike {
  /** Aborts the resumed execution (stopReason `killed`). */
  signal?: AbortSignal;
}

/**
 * The node: it reads the state and the run config, and returns the update, `{ messages }` holding a
 * LangChain `ToolMessage` for each resumed execution (typed loosely, so that it fits any graph's state).
 */
export interface CodemodeApprovalNode {
  /**
   * Resumes the paused executions among the latest tool results, after `interrupt()` gave the decisions.
   *
   * @param state the graph's state.
   * @param config the node's run config.
   * @returns the update: no key when nothing paused.
   */
  // deno-lint-ignore no-explicit-any
  (state: MessagesStateLike, config?: NodeConfigLike): Promise<{ messages?: any[] }>;
}

interface PausedMessage {
  message: ToolMessage;
  paused: PausedExecution;
}

/**
 * Makes a graph node that resumes the Codemode executions that paused for
 * approval. Put it after the tools node; when no execution paused, it does
 * nothing. Otherwise it calls `interrupt()` with a
 * {@linkcode CodemodeApprovalRequest} (the graph needs a checkpointer); resume
 * the graph with `new Command({ resume: answer })`, where `answer` is `true`
 * (approve every call), `false` (reject every call), or an object naming
 * calls by id (`{ [id]: true | false | { approved: false, reason } }`; a call
 * it does not name is rejected). A rejection becomes an error the script can
 * catch. An execution that pauses again stays paused in the new message: route
 * back to the node while {@linkcode hasPausedExecution} says so.
 *
 * @param codemode the instance that ran the scripts (or a new one over the same config and key).
 * @param options the tool's limits and output size, as given to `langgraphTools`.
 * @returns the node function, for `graph.addNode("approvals", node)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { codemodeApprovalNode } from "./langgraph_approvals.ts";
 * await using cm = new Codemode();
 * const node = codemodeApprovalNode(cm);
 * assert.deepEqual(await node({ messages: [] }), {}); // nothing paused: no update
 * // new StateGraph(MessagesAnnotation).addNode("tools", new ToolNode(tools)).addNode("approvals", node)
 * //   .addEdge("tools", "approvals")
 * //   .addConditionalEdges("approvals", (s) => hasPausedExecution(s) ? "approvals" : "agent")
 * ```
 */
export function codemodeApprovalNode(
  codemode: ResumableCodemode,
  options: CodemodeToolOptions = {},
): CodemodeApprovalNode {
  return async (state, config) => {
    const paused = pausedMessages(state.messages);
    if (paused.length === 0) return {};
    const approvals = paused.flatMap(({ paused }) => paused.pending);
    const request: CodemodeApprovalRequest = { type: "codemode_approval", approvals, text: describePending(approvals) };
    const decisions = decisionsFrom(approvals, interrupt(request));
    const messages: ToolMessage[] = [];
    for (const { message, paused: { continuation, pending } } of paused) {
      const mine = Object.fromEntries(pending.map(({ id }) => [id, decisions[id]]));
      const result = await resumeScript(codemode, continuation, mine, options, {
        ...(config?.signal ? { signal: config.signal } : {}),
        toolCallId: message.tool_call_id,
        context: childConfig(config as RunnableConfig | undefined),
      });
      // The same id: LangGraph's messages reducer replaces the paused message instead of adding one.
      messages.push(
        new ToolMessage({
          id: message.id,
          tool_call_id: message.tool_call_id,
          ...(message.name ? { name: message.name } : {}),
          content: textForModel(result, options),
          artifact: result,
        }),
      );
    }
    return { messages };
  };
}

/**
 * Whether a Codemode execution among the latest tool results is paused for
 * approval: the condition that routes a graph to {@linkcode codemodeApprovalNode}.
 *
 * @param state the graph's state.
 * @returns true when one is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasPausedExecution } from "./langgraph_approvals.ts";
 * assert.equal(hasPausedExecution({ messages: [] }), false);
 * ```
 */
export function hasPausedExecution(state: MessagesStateLike): boolean {
  return pausedMessages(state.messages).length > 0;
}

// The tool results after the last AI message whose artifact is a paused execution.
function pausedMessages(messages: readonly unknown[]): PausedMessage[] {
  const found: PausedMessage[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!ToolMessage.isInstance(message)) break;
    const paused = pausedOf(message.artifact);
    if (paused) found.unshift({ message, paused });
  }
  return found;
}
