/**
 * `defineTool`: a named, described, schema-checked function the sandbox may call.
 *
 * @module
 */
import type { NeedsApproval } from "./approval.ts";
import type { ToolPolicy } from "./policy.ts";
import type { JsonSchema } from "./json_schema.ts";
import { toolPath } from "./names.ts";
import { makeValidator, toJsonSchema, type Validator, type ZodLike } from "./validate.ts";

/** What a tool handler receives besides its input. */
export interface ToolContext {
  /** The id of the execution that made the call. */
  executionId: string;
  /** The tool's name. */
  tool: string;
  /** Fires when the execution ends or the tool's timeout hits. */
  signal: AbortSignal;
  /**
   * This call's own id, `<toolCallId>:<n>`: the `toolCallId` given to `execute` (a framework's
   * id of the tool call that runs the script; else the execution's id) and the call's 1-based
   * place among the script's calls, the same as its entry in the result's `toolCalls`. Always
   * set when Codemode runs the call.
   */
  toolCallId?: string;
  /**
   * The `context` given to `execute` (the AI SDK's tool context, LangChain's run config), as
   * it was passed. It stays on the host: nothing of it is sent to the sandbox.
   */
  context?: unknown;
  /**
   * The id tying the execution to the request that caused it (an `X-Request-Id`, the
   * `correlationId` given to `execute`; else the execution's id), e.g. to pass on to the APIs
   * the handler calls. Always set when Codemode runs the call.
   */
  correlationId?: string;
}

/** A schema: zod (v4) or plain JSON Schema. */
export type SchemaLike<T> = ZodLike<T> | JsonSchema;

/** What {@linkcode defineTool} takes. */
export interface ToolSpec<I, O> {
  /** `namespace.tool`; namespaces may nest (`github.issues.list`). */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** Schema of the input: zod or JSON Schema. */
  input: SchemaLike<I>;
  /** Schema of the output; without it the model sees `unknown`. */
  output?: SchemaLike<O>;
  /** Runs on the host with the validated input. */
  handler: (input: I, context: ToolContext) => O | Promise<O>;
  /** Time one call may take, in ms; defaults to the `toolTimeoutMs` limit. */
  timeoutMs?: number;
  /**
   * The tool's own approval requirement: `true` puts every call to the host's
   * approver; a function of the validated input puts a call to it unless it
   * returns `false`. It makes the tool's policy `approve` whatever the
   * configured policies say, except `deny`. Without an approver, such calls
   * are refused. @default {false}
   */
  needsApproval?: NeedsApproval<I>;
  /**
   * The tool's policy when no configured rule names it exactly: a glob rule
   * can only tighten it, an exact rule replaces it. Upstream MCP tools marked
   * destructive get `approve`, so a user's config can still say otherwise.
   * @default {"allow"}
   */
  defaultPolicy?: ToolPolicy;
}

/** A tool, ready to register. Made with {@linkcode defineTool}. */
export interface Tool<I = unknown, O = unknown> {
  /** The name as given. */
  readonly name: string;
  /** Safe identifier segments: how the script calls it (`tools.a.b`). */
  readonly path: readonly string[];
  /** What the tool does. */
  readonly description: string;
  /** The input schema as JSON Schema. */
  readonly inputSchema: JsonSchema;
  /** The output schema as JSON Schema, if one was given. */
  readonly outputSchema?: JsonSchema;
  /** Per-call timeout in ms, if the tool sets one. */
  readonly timeoutMs?: number;
  /** The tool's own approval requirement, if it has one (`true` or a check of the input). */
  readonly needsApproval?: NeedsApproval<I>;
  /** The policy when no rule names the tool exactly (see {@linkcode ToolSpec.defaultPolicy}). */
  readonly defaultPolicy?: ToolPolicy;
  /** Checks (and for zod, parses) an input. */
  readonly validateInput: Validator<I>;
  /** Checks an output, when an output schema was given. */
  readonly validateOutput?: Validator<O>;
  /** Runs the tool. */
  readonly handler: (input: I, context: ToolContext) => O | Promise<O>;
  /** Marks values made by defineTool, so tool modules can be scanned. */
  readonly kind: "codemode.tool";
}

/** A tool of any input and output type, as registries and options hold them. */
// deno-lint-ignore no-explicit-any
export type AnyTool = Tool<any, any>;

/**
 * Defines a tool.
 *
 * @param spec the name, description, schemas and handler.
 * @returns the tool.
 * @throws {TypeError} on a bad name, a schema that is neither zod nor JSON
 * Schema, a missing handler, a bad timeout or a `needsApproval` that is
 * neither a boolean nor a function; the message names the tool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { defineTool } from "./define.ts";
 * const add = defineTool({
 *   name: "math.add",
 *   description: "Adds two numbers.",
 *   input: z.object({ a: z.number(), b: z.number() }),
 *   output: z.number(),
 *   handler: ({ a, b }) => a + b,
 * });
 * assert.deepEqual(add.path, ["math", "add"]);
 * ```
 */
export function defineTool<I, O = unknown>(spec: ToolSpec<I, O>): Tool<I, O> {
  const path = toolPath(spec?.name);
  const where = `tool "${spec.name}"`;
  if (typeof spec.handler !== "function") {
    throw new TypeError(`${where}: handler must be a function`);
  }
  if (
    spec.timeoutMs !== undefined &&
    !(Number.isFinite(spec.timeoutMs) && spec.timeoutMs > 0)
  ) {
    throw new TypeError(`${where}: timeoutMs must be a positive number`);
  }
  if (spec.defaultPolicy !== undefined && !["allow", "approve", "deny"].includes(spec.defaultPolicy)) {
    throw new TypeError(`${where}: defaultPolicy must be "allow", "approve" or "deny"`);
  }
  if (spec.input === undefined) {
    throw new TypeError(`${where}: input schema is required`);
  }
  const needsApproval = spec.needsApproval;
  if (needsApproval !== undefined && typeof needsApproval !== "boolean" && typeof needsApproval !== "function") {
    throw new TypeError(`${where}: needsApproval must be a boolean or a function of the input`);
  }
  const hasOutput = spec.output !== undefined;
  return Object.freeze({
    kind: "codemode.tool" as const,
    name: spec.name,
    path: Object.freeze(path),
    description: spec.description ?? "",
    inputSchema: toJsonSchema(spec.input, `${where} input`),
    ...(hasOutput ? { outputSchema: toJsonSchema(spec.output, `${where} output`) } : {}),
    ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    ...(needsApproval ? { needsApproval } : {}),
    ...(spec.defaultPolicy !== undefined && spec.defaultPolicy !== "allow"
      ? { defaultPolicy: spec.defaultPolicy }
      : {}),
    validateInput: makeValidator<I>(spec.input, `${where} input`),
    ...(hasOutput ? { validateOutput: makeValidator<O>(spec.output, `${where} output`) } : {}),
    handler: spec.handler,
  });
}

/**
 * Tells whether a value is a tool made by {@linkcode defineTool}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTool } from "./define.ts";
 * assert.equal(isTool({}), false);
 * ```
 */
export function isTool(value: unknown): value is Tool {
  return typeof value === "object" && value !== null &&
    (value as Tool).kind === "codemode.tool";
}
