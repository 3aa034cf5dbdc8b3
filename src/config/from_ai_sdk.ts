/**
 * Turns Vercel AI SDK tools (`tool()` from `ai`, v4 to v7) into Codemode tools,
 * by shape only: Codemode does not depend on the `ai` package. A tool's
 * `needsApproval` is kept: such a tool's calls are put to the host's approver.
 *
 * @module
 */
import type { NeedsApproval } from "../tools/approval.ts";
import { type AnyTool, defineTool } from "../tools/define.ts";
import { isZodSchema } from "../tools/validate.ts";
import { foreignSchema, isSchemaWrapper, isZodV3Schema } from "./foreign_schema.ts";

/** What the AI SDK passes to `execute` besides the input. */
export interface AiSdkToolCallOptions {
  /** The call's id; Codemode passes the call's own (`ctx.toolCallId`: `<toolCallId of execute>:<n>`). */
  toolCallId: string;
  /** The conversation so far; always empty here, as a script is not a conversation. */
  messages: unknown[];
  /** Fires when the execution ends or the tool times out. */
  abortSignal?: AbortSignal;
  /** The tool's context (AI SDK 7): the `context` given to `execute` (`ctx.context`), e.g. the Codemode tool's own. */
  context?: unknown;
}

/** The parts of an AI SDK tool Codemode uses. */
export interface AiSdkToolLike {
  /** What the tool does (AI SDK 7 also allows a function of the call context; only strings are kept). */
  description?: string | ((...args: never[]) => string);
  /** The input schema (AI SDK v5): zod or `jsonSchema()`. */
  inputSchema?: unknown;
  /** The input schema (AI SDK v4). */
  parameters?: unknown;
  /** The output schema (AI SDK v5), if any. */
  outputSchema?: unknown;
  /**
   * Runs the tool with {@linkcode AiSdkToolCallOptions}; may return a value, a promise or an
   * async iterable of partial results. Optional as in the AI SDK's own type, but required here.
   * Typed loosely so that the AI SDK's own tool type is accepted as it is.
   */
  // deno-lint-ignore no-explicit-any
  execute?: (input: any, options: any) => unknown;
  /**
   * Whether a call needs approval (AI SDK 5 to 7): a boolean, or a function
   * `(input, { toolCallId, messages, context })` whose truthy answer means yes.
   */
  // deno-lint-ignore no-explicit-any
  needsApproval?: boolean | ((input: any, options: any) => unknown);
}

function isSchema(value: unknown): boolean {
  return isZodSchema(value) || isSchemaWrapper(value) || isZodV3Schema(value);
}

/**
 * Tells whether a value looks like an AI SDK tool: an `execute` function and an
 * `inputSchema` (v5) or `parameters` (v4) that is zod or a `jsonSchema()` wrapper.
 *
 * @param value any value.
 * @returns true for AI SDK tools.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { isAiSdkTool } from "./from_ai_sdk.ts";
 * assert.ok(isAiSdkTool({ inputSchema: z.object({}), execute: () => 1 }));
 * assert.ok(!isAiSdkTool({ execute: () => 1 }));
 * ```
 */
export function isAiSdkTool(value: unknown): value is AiSdkToolLike {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Partial<AiSdkToolLike>;
  return typeof t.execute === "function" && (isSchema(t.inputSchema) || isSchema(t.parameters));
}

/** AI SDK v5 tools may stream preliminary results; the last one is the result. */
async function settle(result: unknown): Promise<unknown> {
  const value = await result;
  if (typeof value !== "object" || value === null || !(Symbol.asyncIterator in value)) return value;
  let last: unknown;
  for await (const part of value as AsyncIterable<unknown>) last = part;
  return last;
}

/**
 * The approval requirement of an AI SDK tool, meaning what it means to the AI
 * SDK: a truthy `needsApproval`, or a function of the input whose answer is
 * truthy. The function gets `{ toolCallId, messages: [], context }`: the call's
 * id and the execution's context, as the handler gets them (a script has no conversation).
 */
function approvalOf(tool: AiSdkToolLike): NeedsApproval | undefined {
  const needs = tool.needsApproval;
  if (typeof needs !== "function") return needs ? true : undefined;
  return async (input, context) =>
    Boolean(
      await needs.call(tool, input, {
        toolCallId: context.toolCallId ?? context.executionId,
        messages: [],
        context: context.context,
      }),
    );
}

/**
 * Converts an AI SDK tool into a Codemode tool, keeping its description, schemas
 * and `needsApproval` (a tool that needs approval is never run without an approver's yes).
 * The handler calls `execute(input, { toolCallId, messages: [], abortSignal, context })` with the call's
 * `ctx.toolCallId` (or the execution's id) and `ctx.context`.
 *
 * @param name the tool's name: the export's (or object key's) name, e.g. `getWeather`.
 * @param tool the AI SDK tool.
 * @returns the Codemode tool.
 * @throws {TypeError} when there is no `execute`, or the name or schemas are unusable (e.g. zod v3), naming the tool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { fromAiSdkTool } from "./from_ai_sdk.ts";
 * const t = fromAiSdkTool("double", {
 *   description: "Doubles n.",
 *   inputSchema: z.object({ n: z.number() }),
 *   execute: ({ n }: { n: number }) => n * 2,
 * });
 * assert.equal(t.validateInput({ n: "x" }).ok, false);
 * const ctx = { executionId: "e1", tool: "double", signal: new AbortController().signal };
 * assert.equal(await t.handler({ n: 4 }, ctx), 8);
 * const risky = fromAiSdkTool("wipe", { inputSchema: z.object({}), needsApproval: true, execute: () => "gone" });
 * assert.equal(risky.needsApproval, true);
 * ```
 */
export function fromAiSdkTool(name: string, tool: AiSdkToolLike): AnyTool {
  const where = `AI SDK tool "${name}"`;
  const execute = tool.execute;
  if (typeof execute !== "function") {
    throw new TypeError(`${where} has no execute function; only tools that run on the server can be called`);
  }
  const input = foreignSchema(tool.inputSchema ?? tool.parameters, `${where} input`);
  const output = tool.outputSchema === undefined ? undefined : foreignSchema(tool.outputSchema, `${where} output`);
  const needsApproval = approvalOf(tool);
  return defineTool<unknown, unknown>({
    name,
    description: typeof tool.description === "string" ? tool.description : "",
    input,
    ...(output !== undefined ? { output } : {}),
    ...(needsApproval !== undefined ? { needsApproval } : {}),
    handler: (value, ctx) =>
      settle(
        execute.call(
          tool,
          value,
          {
            toolCallId: ctx.toolCallId ?? ctx.executionId,
            messages: [],
            abortSignal: ctx.signal,
            ...(ctx.context !== undefined ? { context: ctx.context } : {}),
          } satisfies AiSdkToolCallOptions,
        ),
      ),
  });
}
