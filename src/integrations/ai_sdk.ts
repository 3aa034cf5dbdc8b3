/**
 * A Codemode tool for the Vercel AI SDK (`generateText`, `streamText`,
 * agents). The object is duck-typed to the SDK's tool shape
 * (`{ description, inputSchema, execute }`), so this module loads only `zod`,
 * never `ai`. Tested with AI SDK 7; its input schema is typed as a Standard
 * Schema, which the SDK's `tools` option accepts.
 *
 * @module
 */
import {
  type CodeInput,
  type CodeInputIssue,
  type CodeInputSchema,
  codeInputSchema,
  type CodeInputValidation,
  type CodemodeLike,
  codemodeToolDescription,
  type CodemodeToolOptions,
  type ExecutionResult,
  type Limits,
  runForModel,
} from "./description.ts";

// Re-exported so this module's documentation is complete on its own.
export type {
  CodeInput,
  CodeInputIssue,
  CodeInputSchema,
  CodeInputValidation,
  CodemodeLike,
  CodemodeToolOptions,
  ExecutionResult,
  Limits,
};

/** The part of the AI SDK's tool-execution options Codemode uses. */
export interface AiSdkToolCallOptions {
  /** Aborts the script (stopReason `killed`) when the agent run is aborted. */
  abortSignal?: AbortSignal;
}

/** An AI SDK tool that runs the model's script; put it in `tools` under {@linkcode CodemodeToolOptions.name}. */
export interface AiSdkCodemodeTool {
  /** How to write the script, and the generated types of `tools`. */
  description: string;
  /** `{ code: string }`. */
  inputSchema: CodeInputSchema;
  /** Runs the script and returns the formatted result; never throws. */
  execute: (input: CodeInput, options?: AiSdkToolCallOptions) => Promise<string>;
}

/**
 * Makes an AI SDK tool whose description carries the generated types and
 * whose `execute` runs the script. Tool sources (upstream MCP servers) are
 * loaded first, so the description names their tools.
 *
 * @param codemode the instance whose tools the script may call.
 * @param options the tool's name (used in its description), lead sentence, limits and output size.
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
 * assert.match(await tool.execute({ code: "return 6 * 7" }), /42/);
 * // generateText({ model, tools: { execute_code: tool }, stopWhen: stepCountIs(5), prompt })
 * ```
 */
export async function aiSdkTool(
  codemode: CodemodeLike,
  options: CodemodeToolOptions = {},
): Promise<AiSdkCodemodeTool> {
  return {
    description: await codemodeToolDescription(codemode, options),
    inputSchema: codeInputSchema(),
    // The input is read defensively: a direct caller may skip the SDK's schema validation.
    execute: (input, callOptions) => runForModel(codemode, codeOf(input), options, callOptions?.abortSignal),
  };
}

function codeOf(input: unknown): unknown {
  return typeof input === "object" && input !== null ? (input as { code?: unknown }).code : undefined;
}
