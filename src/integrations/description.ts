/**
 * What the framework adapters share: the options of a Codemode tool, its
 * input schema, the description that carries the generated types, and the
 * run-and-format step.
 *
 * @module
 */
import { z } from "zod";
import type { ExecutionError, ExecutionResult, LogEntry, LogLevel, StopReason, ToolCallRecord } from "../rpc/result.ts";
import type { Limits } from "../limits.ts";
import { formatResultForModel } from "../format.ts";

// Re-exported so this module's documentation is complete on its own.
export type { ExecutionError, ExecutionResult, Limits, LogEntry, LogLevel, StopReason, ToolCallRecord };

/**
 * The part of `Codemode` the adapters use. A `Codemode` is one; the shape is
 * spelled out (not `Pick<Codemode, …>`) so tests and wrappers can stand in for it.
 */
export interface CodemodeLike {
  /** The system prompt: how to write the script, and the types (tool sources loaded first). */
  prompt(options?: { toolName?: string }): Promise<string>;
  /** Runs a script body in a fresh sandbox; never throws for anything the script does. */
  execute(code: string, options?: { signal?: AbortSignal; limits?: Partial<Limits> }): Promise<ExecutionResult>;
}

/** Options of the framework tools (`aiSdkTool`, `langchainTool`). */
export interface CodemodeToolOptions {
  /** The tool's name, also used in its description. @default {"execute_code"} */
  name?: string;
  /** The lead sentence of the description; the script instructions and the types always follow it. */
  description?: string;
  /** Limits for every script this tool runs, over the instance's. */
  limits?: Partial<Limits>;
  /** Longest the result JSON, and separately the logs, may be in the text the model reads. */
  maxChars?: number;
}

/** The default tool name, the same one `Codemode.prompt()` uses. */
export const DEFAULT_TOOL_NAME = "execute_code";

/** The default lead sentence of the description. */
export const DEFAULT_LEAD =
  "Runs one TypeScript script in a sandbox. The script calls typed tools through the global `tools` object and returns a JSON value; you get back that value, its console output and a trace of the tool calls.";

/** The description of the input's `code` field. */
export const CODE_DESCRIPTION =
  "The body of an async TypeScript function: use top-level `await`, call `tools.<namespace>.<tool>(input)`, and `return` the answer.";

/** The input of a Codemode tool. */
export interface CodeInput {
  /** The script body. */
  code: string;
}

/** What validating an input gives, in the Standard Schema shape. */
export type CodeInputValidation =
  | { readonly value: CodeInput; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<CodeInputIssue> };

/** One validation issue, in the Standard Schema shape. */
export interface CodeInputIssue {
  /** What is wrong. */
  readonly message: string;
  /** Where: keys, or segments holding a key. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/**
 * The input schema of a Codemode tool, `{ code: string }`, typed as the
 * Standard Schema interface (v1) that the AI SDK accepts; at run time it is a
 * zod object, so frameworks also derive its JSON Schema.
 */
export interface CodeInputSchema {
  /** The Standard Schema properties. */
  readonly "~standard": {
    /** The Standard Schema version. */
    readonly version: 1;
    /** The library behind the schema (`zod`). */
    readonly vendor: string;
    /** Validates an input. */
    readonly validate: (
      value: unknown,
      options?: { readonly libraryOptions?: Record<string, unknown> | undefined } | undefined,
    ) => CodeInputValidation | Promise<CodeInputValidation>;
    /** The input and output types, for inference only. */
    readonly types?: { readonly input: CodeInput; readonly output: CodeInput } | undefined;
  };
}

/**
 * Makes the input schema of a Codemode tool, the same for every framework.
 *
 * @returns a zod schema of `{ code: string }` whose field is described for the model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeInputSchema } from "./description.ts";
 * const checked = await codeInputSchema()["~standard"].validate({ code: 42 });
 * assert.ok(checked.issues);
 * ```
 */
export function codeInputSchema(): CodeInputSchema {
  return z.object({ code: z.string().describe(CODE_DESCRIPTION) });
}

/**
 * Builds a Codemode tool's description: a lead sentence, how to write the
 * script, and the types. Tool sources (upstream MCP servers) are loaded
 * first, so the description names their tools.
 *
 * @param codemode the instance whose tools the script may call.
 * @param options the tool's name and lead sentence.
 * @returns the description text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { codemodeToolDescription } from "./description.ts";
 * await using cm = new Codemode();
 * assert.match(await codemodeToolDescription(cm, { name: "run" }), /`run` tool/);
 * ```
 */
export async function codemodeToolDescription(
  codemode: CodemodeLike,
  options: CodemodeToolOptions = {},
): Promise<string> {
  const lead = options.description ?? DEFAULT_LEAD;
  return `${lead}\n\n${await codemode.prompt({ toolName: options.name ?? DEFAULT_TOOL_NAME })}`;
}

/**
 * Runs a script the model sent and formats the outcome; never throws, so a framework's agent loop carries on.
 *
 * @param codemode the instance that runs the script.
 * @param code the model's `code` argument, checked here because a tool may be called without schema validation.
 * @param options limits and output size.
 * @param signal aborts the execution (stopReason `killed`).
 * @returns the text for the model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { runForModel } from "./description.ts";
 * await using cm = new Codemode();
 * assert.match(await runForModel(cm, "return 6 * 7"), /42/);
 * assert.match(await runForModel(cm, 42), /`code` must be a string/);
 * ```
 */
export async function runForModel(
  codemode: CodemodeLike,
  code: unknown,
  options: CodemodeToolOptions = {},
  signal?: AbortSignal,
): Promise<string> {
  if (typeof code !== "string") {
    return `Error (rejected): InvalidInputError: \`code\` must be a string holding the script, got ${describe(code)}`;
  }
  try {
    const result = await codemode.execute(code, { signal, limits: options.limits });
    return formatResultForModel(result, { maxChars: options.maxChars });
  } catch (e) {
    // execute() only throws on host misconfiguration (e.g. an invalid limit); the model still gets text.
    return `Error (rejected): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
