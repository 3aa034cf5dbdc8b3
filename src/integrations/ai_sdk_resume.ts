/**
 * Approvals through the AI SDK's own tool-approval flow. A script that
 * reaches a call needing approval pauses; the Codemode tool keeps the
 * paused execution in a {@linkcode ContinuationStore} and tells the model to
 * call `resume_execution` with the execution's id. That tool needs approval
 * (`needsApproval`, or `toolApproval: { resume_execution: "user-approval" }`),
 * so `generateText` / `streamText` stop with a `tool-approval-request` the
 * app shows (the pending calls are in the store and in the Codemode tool's
 * output); the app answers with a `tool-approval-response`. Approved, the
 * execution resumes with every pending call approved; denied, the SDK tells
 * the model so, and none of them runs.
 *
 * @module
 */
import { z } from "zod";
import type { ExecutionResult, PausedExecution } from "../rpc/result.ts";
import {
  type CodemodeToolOptions,
  executionResultOutputSchema,
  rejectedResult,
  type StandardSchema,
  textForModel,
} from "./description.ts";
import { decisionsFrom, type ResumableCodemode, resumeScript } from "./_pause.ts";

/**
 * Where paused executions wait for their approval, by execution id. The
 * continuation in them is self-contained (encrypted and authenticated by the
 * instance's key), so a store that outlives the process, e.g. a database
 * table or a key-value store, lets a restarted host resume them.
 */
export interface ContinuationStore {
  /** Keeps a paused execution. */
  set(executionId: string, paused: PausedExecution): void | Promise<void>;
  /**
   * Takes the paused execution kept under this id, if any, and forgets it, at once: of two takes
   * of one id, one gets it (a store over a database does `DELETE … RETURNING`), so a continuation
   * resumes once.
   */
  take(executionId: string): PausedExecution | undefined | Promise<PausedExecution | undefined>;
}

/** The default most paused executions {@linkcode memoryContinuations} keeps. */
export const DEFAULT_MAX_CONTINUATIONS = 1_000;

/**
 * A {@linkcode ContinuationStore} in memory, holding at most `max` paused
 * executions (the oldest is forgotten first). It does not survive a restart.
 *
 * @param max the most it holds.
 * @returns the store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryContinuations } from "./ai_sdk_resume.ts";
 * const store = memoryContinuations(1);
 * const paused = { continuation: "t", pending: [], expiresAt: "2030-01-01T00:00:00.000Z" };
 * store.set("a", paused);
 * store.set("b", paused);
 * assert.equal(store.take("a"), undefined);
 * assert.equal(store.take("b"), paused);
 * assert.equal(store.take("b"), undefined);
 * ```
 */
export function memoryContinuations(max: number = DEFAULT_MAX_CONTINUATIONS): ContinuationStore {
  const kept = new Map<string, PausedExecution>();
  return {
    set(executionId, paused) {
      kept.delete(executionId);
      kept.set(executionId, paused);
      while (kept.size > max) kept.delete(kept.keys().next().value!);
    },
    take(executionId) {
      const paused = kept.get(executionId);
      kept.delete(executionId);
      return paused;
    },
  };
}

/** The default name of the resume tool. */
export const DEFAULT_RESUME_TOOL_NAME = "resume_execution";

/** Options of {@linkcode aiSdkResumeTool}. */
export interface AiSdkResumeToolOptions extends Pick<CodemodeToolOptions, "limits" | "maxChars" | "onEvent"> {
  /** The store the Codemode tool keeps paused executions in (the same one). */
  continuations: ContinuationStore;
}

/** The input of the resume tool. */
export interface ResumeInput {
  /** The id of the paused execution, as the Codemode tool's result names it. */
  executionId: string;
}

/** An AI SDK tool that resumes a paused execution once a person approved the call. */
export interface AiSdkResumeTool {
  /** What the tool does, for the model. */
  description: string;
  /** `{ executionId: string }`. */
  inputSchema: StandardSchema<ResumeInput>;
  /** The {@linkcode ExecutionResult} of the resumed execution. */
  outputSchema: StandardSchema<ExecutionResult>;
  /** Always true: the SDK asks for approval before every call (`tool-approval-request`). */
  needsApproval: true;
  /** Resumes the execution with every pending call approved. Never throws for what the model or the script did. */
  execute: (
    input: ResumeInput,
    options?: { abortSignal?: AbortSignal; toolCallId?: string },
  ) => Promise<ExecutionResult>;
  /** What the model reads: the compact text of the result. */
  toModelOutput: (options: { toolCallId: string; input: unknown; output: unknown }) => { type: "text"; value: string };
}

/**
 * Makes the AI SDK tool that resumes a paused execution: put it in `tools`
 * as `resume_execution` beside the Codemode tool made with the same
 * `continuations`. It needs approval, so the SDK asks the app before it runs;
 * approved, every pending call of the execution is approved and the script
 * goes on by replay (no tool runs twice); a continuation resumes once.
 *
 * @param codemode the instance that ran the script (or a new one over the same config and key).
 * @param options the shared store, and the tool's limits and output size.
 * @returns the tool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { aiSdkResumeTool, memoryContinuations } from "./ai_sdk_resume.ts";
 * await using cm = new Codemode();
 * const tool = aiSdkResumeTool(cm, { continuations: memoryContinuations() });
 * assert.equal(tool.needsApproval, true);
 * const output = await tool.execute({ executionId: "nope" });
 * assert.equal(output.stopReason, "rejected");
 * ```
 */
export function aiSdkResumeTool(codemode: ResumableCodemode, options: AiSdkResumeToolOptions): AiSdkResumeTool {
  const { continuations } = options;
  return {
    description: "Resumes a script that paused because some of its tool calls need a person's approval. " +
      "Call it with the executionId the script's result named; the person approves or denies it before it runs.",
    inputSchema: z.object({ executionId: z.string().max(200).describe("The paused execution's id.") }),
    outputSchema: executionResultOutputSchema(),
    needsApproval: true,
    execute: async (input, call) => {
      const executionId = typeof input?.executionId === "string" ? input.executionId : "";
      const paused = await continuations.take(executionId);
      if (!paused) {
        return rejectedResult(
          "UnknownExecutionError",
          `no execution ${JSON.stringify(executionId.slice(0, 200))} is paused here: ` +
            "it was resumed already, or it expired, or it never paused",
        );
      }
      const result = await resumeScript(codemode, paused.continuation, decisionsFrom(paused.pending, true), options, {
        ...(call?.abortSignal ? { signal: call.abortSignal } : {}),
        ...(call?.toolCallId ? { toolCallId: call.toolCallId } : {}),
      });
      if (result.paused) await continuations.set(result.executionId, result.paused);
      return result;
    },
    toModelOutput: ({ output }) => ({ type: "text", value: textForModel(output, options) + resumeHint(output) }),
  };
}

/**
 * What the model reads after a paused result, when a resume tool is there: how to ask for the approval.
 *
 * @param output the tool's output.
 * @param toolName the resume tool's name.
 * @returns the hint, or an empty string when the output did not pause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resumeHint } from "./ai_sdk_resume.ts";
 * assert.equal(resumeHint({ stopReason: "completed" }), "");
 * ```
 */
export function resumeHint(output: unknown, toolName: string = DEFAULT_RESUME_TOOL_NAME): string {
  const { stopReason, executionId } = (typeof output === "object" && output !== null ? output : {}) as {
    stopReason?: unknown;
    executionId?: unknown;
  };
  if (stopReason !== "paused" || typeof executionId !== "string") return "";
  return `\n\nTo ask a person to approve these calls, call ${toolName} with ${JSON.stringify({ executionId })}.`;
}
