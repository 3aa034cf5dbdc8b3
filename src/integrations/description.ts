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
import type { ExecutionEventHandler } from "../events.ts";
import { formatResultForModel } from "../format.ts";
import { executionResultShape } from "../rpc/result.ts";

// Re-exported so this module's documentation is complete on its own.
export type { ExecutionError, ExecutionResult, Limits, LogEntry, LogLevel, StopReason, ToolCallRecord };
export type { ExecutionEvent, ExecutionEventHandler } from "../events.ts";

/**
 * The part of `Codemode` the adapters use. A `Codemode` is one; the shape is
 * spelled out (not `Pick<Codemode, …>`) so tests and wrappers can stand in for it.
 */
export interface CodemodeLike {
  /** The system prompt: how to write the script, and the types (tool sources loaded first). */
  prompt(options?: { toolName?: string }): Promise<string>;
  /** Runs a script body in a fresh sandbox; never throws for anything the script does. */
  execute(
    code: string,
    options?: RunOptions & { limits?: Partial<Limits>; onEvent?: ExecutionEventHandler },
  ): Promise<ExecutionResult>;
}

/** What a framework hands one run of the script, passed on to `Codemode.execute` (see its `ExecuteOptions`). */
export interface RunOptions {
  /** Aborts the execution (stopReason `killed`). */
  signal?: AbortSignal;
  /** Given to every tool handler as `ctx.context`; never sent to the sandbox. */
  context?: unknown;
  /** The framework's id of this tool call; handlers see `<toolCallId>:<n>` as `ctx.toolCallId`. */
  toolCallId?: string;
  /** Errors of handlers or the approver that leave the execution and are rethrown as they are. */
  rethrow?: (error: unknown) => boolean;
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
  /**
   * Hears of every script this tool runs as it runs: its start, log lines, tool calls and end (see
   * `Codemode.execute`'s `onEvent`), e.g. to stream progress to a UI while the framework waits for the result.
   */
  onEvent?: ExecutionEventHandler;
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

/** What validating a value gives, in the Standard Schema shape. */
export type StandardValidation<T> =
  | { readonly value: T; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<SchemaIssue> };

/** What validating a {@linkcode CodeInput} gives. */
export type CodeInputValidation = StandardValidation<CodeInput>;

/** One validation issue, in the Standard Schema shape. */
export interface SchemaIssue {
  /** What is wrong. */
  readonly message: string;
  /** Where: keys, or segments holding a key. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/**
 * A schema of `T` typed as the Standard Schema interface (v1) that the AI
 * SDK accepts; the schemas Codemode makes are zod objects at run time, so
 * frameworks also derive their JSON Schema.
 */
export interface StandardSchema<T> {
  /** The Standard Schema properties. */
  readonly "~standard": {
    /** The Standard Schema version. */
    readonly version: 1;
    /** The library behind the schema (`zod`). */
    readonly vendor: string;
    /** Validates a value. */
    readonly validate: (
      value: unknown,
      options?: { readonly libraryOptions?: Record<string, unknown> | undefined } | undefined,
    ) => StandardValidation<T> | Promise<StandardValidation<T>>;
    /** The input and output types, for inference only. */
    readonly types?: { readonly input: T; readonly output: T } | undefined;
  };
}

/** The input schema of a Codemode tool, `{ code: string }`. */
export type CodeInputSchema = StandardSchema<CodeInput>;

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
 * Runs a script the model sent; never throws for what the model or the script did, so a framework's agent loop
 * carries on: a `code` that is not a string, or a limit the host set wrong, is a `rejected` result.
 *
 * @param codemode the instance that runs the script.
 * @param code the model's `code` argument, checked here because a tool may be called without schema validation.
 * @param options the tool's limits.
 * @param run what the framework hands this run: signal, context, call id, errors to rethrow.
 * @returns the execution result.
 * @throws the error a handler or the approver threw, when `run.rethrow` accepts it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../codemode.ts";
 * import { runScript } from "./description.ts";
 * await using cm = new Codemode();
 * assert.equal((await runScript(cm, "return 6 * 7")).result, 42);
 * assert.equal((await runScript(cm, 42)).stopReason, "rejected");
 * ```
 */
export async function runScript(
  codemode: CodemodeLike,
  code: unknown,
  options: CodemodeToolOptions = {},
  run: RunOptions = {},
): Promise<ExecutionResult> {
  if (typeof code !== "string") {
    return rejectedResult("InvalidInputError", `\`code\` must be a string holding the script, got ${describe(code)}`);
  }
  try {
    return await codemode.execute(code, {
      ...run,
      limits: options.limits,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } catch (e) {
    if (run.rethrow?.(e)) throw e;
    // Otherwise execute() only throws on host misconfiguration (e.g. an invalid limit); the model still gets a result.
    return e instanceof Error ? rejectedResult(e.name, e.message) : rejectedResult("Error", String(e));
  }
}

/**
 * Runs a script the model sent and formats the outcome as text (see {@linkcode runScript}).
 *
 * @param codemode the instance that runs the script.
 * @param code the model's `code` argument.
 * @param options limits and output size.
 * @param run what the framework hands this run: signal, context, call id, errors to rethrow.
 * @returns the text for the model.
 * @throws the error a handler or the approver threw, when `run.rethrow` accepts it.
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
  run: RunOptions = {},
): Promise<string> {
  return textForModel(await runScript(codemode, code, options, run), options);
}

/**
 * The text a model reads of a tool output: a result formatted by `formatResultForModel`. Never
 * throws: text (a result stored as text by an earlier version) is kept as it is, anything else
 * that is not a result is shown as JSON, and a bad `maxChars` is reported in the text.
 *
 * @param output the tool's output, normally an {@linkcode ExecutionResult}.
 * @param options the output size.
 * @returns the text for the model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textForModel } from "./description.ts";
 * const output = { executionId: "e", ok: true, stopReason: "completed", result: 42, logs: [], toolCalls: [], durationMs: 3 };
 * assert.equal(textForModel(output), "Result:\n42\n\nTool calls: none");
 * assert.match(textForModel({ rows: 1 }), /not an execution result: \{"rows":1\}/);
 * ```
 */
export function textForModel(output: unknown, options: CodemodeToolOptions = {}): string {
  if (typeof output === "string") return output;
  const parsed = resultSchema.safeParse(output);
  if (!parsed.success) {
    return `Error (rejected): the tool's output is not an execution result: ${
      String(JSON.stringify(output)).slice(0, 2_000)
    }`;
  }
  try {
    return formatResultForModel(parsed.data, { maxChars: options.maxChars });
  } catch (e) {
    return `Error (rejected): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

/**
 * The schema of a Codemode tool's output, the {@linkcode ExecutionResult}, as a Standard Schema (a zod object).
 *
 * @returns the schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { executionResultOutputSchema } from "./description.ts";
 * const checked = await executionResultOutputSchema()["~standard"].validate({ ok: true });
 * assert.ok(checked.issues);
 * ```
 */
export function executionResultOutputSchema(): StandardSchema<ExecutionResult> {
  return z.object(executionResultShape);
}

const resultSchema = z.object(executionResultShape);

/**
 * A result for a script that never ran: stopReason `rejected`, with the error given.
 *
 * @param name the error's name.
 * @param message the error's message.
 * @returns the result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rejectedResult } from "./description.ts";
 * assert.equal(rejectedResult("InvalidInputError", "no code").stopReason, "rejected");
 * ```
 */
export function rejectedResult(name: string, message: string): ExecutionResult {
  const executionId = crypto.randomUUID();
  return {
    executionId,
    ok: false,
    stopReason: "rejected",
    error: { name, message },
    logs: [],
    toolCalls: [],
    durationMs: 0,
  };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
