/**
 * A Codemode tool for the Vercel AI SDK (`generateText`, `streamText`,
 * agents). The object is duck-typed to the SDK's tool shape
 * (`{ description, inputSchema, outputSchema, execute, toModelOutput }`), so
 * this module loads only `zod`, never `ai`. Tested with AI SDK 7; its schemas
 * are typed as Standard Schemas, which the SDK's `tools` option accepts.
 *
 * @module
 */
import {
  type CodeInput,
  type CodeInputSchema,
  codeInputSchema,
  type CodeInputValidation,
  type CodemodeLike,
  codemodeToolDescription,
  type CodemodeToolOptions,
  type ExecutionResult,
  executionResultOutputSchema,
  type Limits,
  type RunOptions,
  runScript,
  type SchemaIssue,
  type StandardSchema,
  type StandardValidation,
  textForModel,
} from "./description.ts";
import { type ContinuationStore, DEFAULT_RESUME_TOOL_NAME, resumeHint } from "./ai_sdk_resume.ts";

// Re-exported so this module's documentation is complete on its own.
export type {
  CodeInput,
  CodeInputSchema,
  CodeInputValidation,
  CodemodeLike,
  CodemodeToolOptions,
  ExecutionResult,
  Limits,
  RunOptions,
  SchemaIssue,
  StandardSchema,
  StandardValidation,
};

/** Options of {@linkcode aiSdkTool}. */
export interface AiSdkToolOptions<CONTEXT extends Record<string, unknown> = Record<string, unknown>>
  extends CodemodeToolOptions {
  /**
   * The schema of the tool's context (AI SDK 7's `contextSchema`, e.g. a zod object): the SDK
   * checks `toolsContext.<name>` against it before the script runs, and types it. Without one,
   * give the type as `aiSdkTool<{ userId: string }>(cm)` to pass `toolsContext` to the SDK.
   */
  contextSchema?: StandardSchema<CONTEXT>;
  /**
   * Where a script that pauses for approval is kept, so that {@linkcode aiSdkResumeTool} (given the
   * same store) resumes it once the SDK's tool-approval flow approved the resume call; the model is
   * told to make that call. Without it a paused result only names the pending calls.
   */
  continuations?: ContinuationStore;
  /** The name of the resume tool the model is told to call. @default {"resume_execution"} */
  resumeToolName?: string;
}

/** The part of the AI SDK's tool-execution options (`ToolExecutionOptions`) Codemode uses. */
export interface AiSdkToolCallOptions<CONTEXT = unknown> {
  /**
   * The SDK's id of this tool call; each tool call the script makes gets `<toolCallId>:<n>` as
   * `ctx.toolCallId` (n: its place in the result's `toolCalls`).
   */
  toolCallId?: string;
  /** Aborts the script (stopReason `killed`) when the agent run is aborted. */
  abortSignal?: AbortSignal;
  /**
   * The tool's context (AI SDK 7: what `toolsContext` holds under the tool's name): every tool
   * handler gets it as `ctx.context`. It stays on the host.
   */
  context?: CONTEXT;
}

/** What the model reads of a result: the compact text of `formatResultForModel`. */
export interface AiSdkModelOutput {
  /** Always `text`. */
  type: "text";
  /** The formatted result. */
  value: string;
}

/** An AI SDK tool that runs the model's script; put it in `tools` under {@linkcode CodemodeToolOptions.name}. */
export interface AiSdkCodemodeTool<CONTEXT extends Record<string, unknown> = Record<string, unknown>> {
  /** How to write the script, and the generated types of `tools`. */
  description: string;
  /** `{ code: string }`. */
  inputSchema: CodeInputSchema;
  /** The schema of the tool's context, when {@linkcode AiSdkToolOptions.contextSchema} was given. */
  contextSchema?: StandardSchema<CONTEXT>;
  /** The {@linkcode ExecutionResult} (a zod object at run time): what UIs get as the tool's output. */
  outputSchema: StandardSchema<ExecutionResult>;
  /** Runs the script; its result is the tool's output. Never throws for what the model or the script did. */
  execute: (input: CodeInput, options?: AiSdkToolCallOptions<CONTEXT>) => Promise<ExecutionResult>;
  /** What the model reads instead of the result object: the compact text (`formatResultForModel`). */
  toModelOutput: (options: { toolCallId: string; input: unknown; output: unknown }) => AiSdkModelOutput;
}

/**
 * Makes an AI SDK tool whose description carries the generated types and
 * whose `execute` runs the script. Tool sources (upstream MCP servers) are
 * loaded first, so the description names their tools. The tool's output is
 * the {@linkcode ExecutionResult} (so a UI can show the result, logs and
 * trace), and `toModelOutput` gives the model its compact text. The SDK's
 * `context` and `toolCallId` reach the tool handlers as `ctx.context` and
 * `ctx.toolCallId` (`<toolCallId>:<n>`).
 *
 * @param codemode the instance whose tools the script may call.
 * @param options the tool's name (used in its description), lead sentence, limits, output size and context schema.
 * @returns a tool for the `tools` option of `generateText` / `streamText`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { aiSdkTool } from "./ai_sdk.ts";
 * await using cm = new Codemode();
 * const tool = await aiSdkTool(cm, { limits: { timeoutMs: 5000 } });
 * assert.match(tool.description, /declare const tools/);
 * const output = await tool.execute({ code: "return 6 * 7" }, { toolCallId: "call_1" });
 * assert.equal(output.result, 42);
 * assert.match(tool.toModelOutput({ toolCallId: "call_1", input: {}, output }).value, /^Result:\n42/);
 * // generateText({ model, tools: { execute_code: tool }, stopWhen: isStepCount(5), prompt })
 * ```
 */
export async function aiSdkTool<CONTEXT extends Record<string, unknown> = Record<string, unknown>>(
  codemode: CodemodeLike,
  options: AiSdkToolOptions<CONTEXT> = {},
): Promise<AiSdkCodemodeTool<CONTEXT>> {
  return {
    description: await codemodeToolDescription(codemode, options),
    inputSchema: codeInputSchema(),
    ...(options.contextSchema ? { contextSchema: options.contextSchema } : {}),
    outputSchema: executionResultOutputSchema(),
    // The input is read defensively: a direct caller may skip the SDK's schema validation.
    execute: async (input, call) => {
      const result = await runScript(codemode, codeOf(input), options, {
        signal: call?.abortSignal,
        context: call?.context,
        toolCallId: call?.toolCallId,
      });
      if (result.paused && options.continuations) await options.continuations.set(result.executionId, result.paused);
      return result;
    },
    // Outputs come back from stored UI messages too (`convertToModelMessages`): never throws on them.
    toModelOutput: ({ output }) => ({
      type: "text",
      value: textForModel(output, options) +
        (options.continuations ? resumeHint(output, options.resumeToolName ?? DEFAULT_RESUME_TOOL_NAME) : ""),
    }),
  };
}

function codeOf(input: unknown): unknown {
  return typeof input === "object" && input !== null ? (input as { code?: unknown }).code : undefined;
}

export {
  agentTool,
  type AiSdkAgentCall,
  type AiSdkAgentFunction,
  type AiSdkAgentLike,
  type AiSdkAgentResult,
  type AiSdkAgentToolOptions,
} from "./ai_sdk_agent.ts";
export type { AgentAnswer, AgentTask, AgentToolOptions } from "./_agent.ts";
export {
  type AiSdkResumeTool,
  aiSdkResumeTool,
  type AiSdkResumeToolOptions,
  type ContinuationStore,
  DEFAULT_MAX_CONTINUATIONS,
  DEFAULT_RESUME_TOOL_NAME,
  memoryContinuations,
  resumeHint,
  type ResumeInput,
} from "./ai_sdk_resume.ts";
export type { ApprovalAnswer, ResumableCodemode } from "./_pause.ts";
