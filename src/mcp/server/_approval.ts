/**
 * Approvals under `codemode mcp`: a tool call that needs approval is put to
 * the person at the MCP client whose `execute_code` request made it, through
 * elicitation (form mode): a yes/no question that names the tool and shows
 * its validated input, bounded in size. Only an accepted form whose answer is
 * yes approves; a decline, a cancel, an answer that cannot be read, and the
 * end of the execution refuse. A client that cannot ask (no elicitation) is
 * not asked: the call is left for later, so the execution pauses and
 * `execute_code` returns the pending calls and a continuation for
 * `resume_execution` (where the instance cannot pause, the call is refused). Questions come one at
 * a time, and once the person dismisses one (cancel), the execution's later
 * calls are refused without asking: a script cannot flood the person with
 * questions.
 *
 * How a question travels depends on the era, not decided here: a 2025-era
 * client is sent `elicitation/create` while the call waits; a 2026-07-28
 * client gets the question in an `input_required` result and sends the call
 * again with the answer (`./_input_required.ts`).
 *
 * @module
 */
import type {
  ClientCapabilities,
  ElicitRequestFormParams,
  ElicitResult,
  McpServer,
  ServerContext,
} from "@modelcontextprotocol/server";
import { ApprovalRefused, type ApprovalRequest, type Approver, type ApproverAnswer } from "../../tools/approval.ts";

/** One `execute_code` request, by what asking its client needs. */
export interface ElicitingRequest {
  /** What the client declared (in `initialize`, or in the 2026-07-28 request's envelope). */
  clientCapabilities: ClientCapabilities | undefined;
  /**
   * Puts the question to the client: `elicitation/create` on the request's stream (2025 era), or an
   * `input_required` result whose retry carries the answer (2026-07-28).
   */
  elicitInput(
    params: ElicitRequestFormParams,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<ElicitResult>;
}

/** Options of {@linkcode elicitationApprover}. */
export interface ElicitationApproverOptions {
  /** Longest wait for one answer, in ms; the execution's end stops the wait in any case. */
  timeoutMs: number;
  /** Whether the execution can pause: a client that cannot ask then leaves the call for later. */
  pausable?: boolean;
}

/**
 * A 2025-era request a tool handler of the SDK v2 serves, as {@linkcode elicitationApprover} asks it.
 *
 * @param server the server serving it.
 * @param ctx the handler's context.
 * @returns the request.
 */
export function askingRequest(server: McpServer, ctx: ServerContext): ElicitingRequest {
  return {
    clientCapabilities: server.server.getClientCapabilities(),
    elicitInput: (params, options) => ctx.mcpReq.elicitInput(params, options),
  };
}

/** The most characters of the input's JSON a question shows. */
export const MAX_QUESTION_INPUT_CHARS = 2000;

/** The one field of the approval form. */
export const APPROVE_FIELD = "approve";

/**
 * An approver that asks the person at the MCP client, one question at a time
 * for one execution (make one per execution). When the client did not declare
 * form elicitation it answers `"later"` if the execution can pause, and
 * refuses at once, naming why, if not; it refuses after the person dismissed a
 * question of this execution.
 *
 * @param request the `execute_code` request (see {@linkcode askingRequest}).
 * @param options the longest wait.
 * @returns the approver, for `codemode.execute(code, { approver })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { elicitationApprover } from "./_approval.ts";
 * const silent = {
 *   clientCapabilities: {},
 *   elicitInput: () => Promise.reject(new Error("unused")),
 * };
 * const approver = elicitationApprover(silent, { timeoutMs: 1000 });
 * const request = { tool: "files.delete", input: {}, executionId: "e1", signal: new AbortController().signal };
 * await assert.rejects(async () => await approver(request), /this MCP client cannot ask \(no elicitation capability\)/);
 * ```
 */
export function elicitationApprover(server: ElicitingRequest, options: ElicitationApproverOptions): Approver {
  // A person answers one question at a time: the calls of a `Promise.all` are asked in turn.
  let turn: Promise<unknown> = Promise.resolve();
  const state = { dismissed: false };
  return (request): Promise<ApproverAnswer> => {
    if (!canAsk(server.clientCapabilities)) {
      if (options.pausable) return Promise.resolve("later" as const);
      return Promise.reject(new ApprovalRefused(`it needs approval, and ${NO_ELICITATION}`));
    }
    const answer = turn.then(() => ask(server, request, options, state));
    turn = answer.catch(() => {});
    return answer;
  };
}

/** Why a client that did not declare form elicitation is not asked. */
export const NO_ELICITATION = "this MCP client cannot ask (no elicitation capability)";

/**
 * Whether a client declared form elicitation.
 *
 * @param capabilities what it declared (in `initialize`, or in a 2026-07-28 request's envelope).
 * @returns whether it can be asked.
 */
export function canAsk(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  if (typeof elicitation !== "object" || elicitation === null) return false;
  // An empty `elicitation: {}` means form mode (the SDK reads it so too).
  return elicitation.form !== undefined || Object.keys(elicitation).length === 0;
}

async function ask(
  server: ElicitingRequest,
  request: ApprovalRequest,
  options: ElicitationApproverOptions,
  state: { dismissed: boolean },
): Promise<boolean> {
  if (request.signal.aborted) throw new ApprovalRefused("the execution ended before it was approved");
  if (state.dismissed) {
    throw new ApprovalRefused("the person at the MCP client dismissed an earlier question of this script");
  }
  let result: ElicitResult;
  try {
    result = await server.elicitInput(approvalQuestion(request), {
      signal: request.signal,
      timeout: options.timeoutMs,
    });
  } catch (e) {
    if (e instanceof ApprovalRefused) throw e; // a reason of the asking side (a question that expired, …)
    const message = e instanceof Error ? e.message : String(e);
    throw new ApprovalRefused(`the approval question to the MCP client failed: ${message.slice(0, 300)}`);
  }
  if (result.action === "decline") throw new ApprovalRefused("the person at the MCP client declined it");
  if (result.action === "cancel") {
    state.dismissed = true;
    throw new ApprovalRefused("the person at the MCP client dismissed the question");
  }
  if (result.action === "accept" && result.content?.[APPROVE_FIELD] === true) return true;
  throw new ApprovalRefused("the person at the MCP client did not answer yes");
}

/**
 * The question put to the person: the tool, its input as JSON (at most
 * {@linkcode MAX_QUESTION_INPUT_CHARS} characters, then a marker), and one
 * yes/no field.
 *
 * @param request the call.
 * @returns the `elicitation/create` parameters (form mode).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { approvalQuestion } from "./_approval.ts";
 * const q = approvalQuestion({
 *   tool: "files.delete",
 *   input: { path: "x".repeat(10_000) },
 *   executionId: "e1",
 *   signal: new AbortController().signal,
 * });
 * assert.match(q.message, /^A script wants to run tools\.files\.delete with this input:/);
 * assert.ok(q.message.length < 2500);
 * assert.deepEqual(q.requestedSchema.required, ["approve"]);
 * ```
 */
export function approvalQuestion(request: ApprovalRequest): ElicitRequestFormParams {
  const name = `tools.${request.tool}`;
  return {
    mode: "form",
    message: `A script wants to run ${name} with this input:\n\n${inputText(request.input)}\n\nAllow this call?`,
    requestedSchema: {
      type: "object",
      properties: {
        [APPROVE_FIELD]: {
          type: "boolean",
          title: `Run ${name}`,
          description: `Yes runs ${name} once, with the input shown; no refuses it.`,
          default: false,
        },
      },
      required: [APPROVE_FIELD],
    },
  };
}

function inputText(input: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(input, null, 2) ?? String(input);
  } catch {
    // A value JSON cannot hold (a bigint made by a zod transform, a cycle).
    text = "(an input that cannot be shown as JSON)";
  }
  if (text.length <= MAX_QUESTION_INPUT_CHARS) return text;
  return `${text.slice(0, MAX_QUESTION_INPUT_CHARS)}\n… [${
    text.length - MAX_QUESTION_INPUT_CHARS
  } more characters not shown]`;
}
