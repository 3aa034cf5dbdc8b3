/**
 * Turns the tools an upstream MCP server lists into Codemode tools: safe
 * names, checked schemas, bounded descriptions. A tool that cannot be made
 * safe is skipped with a warning; it never stops the others from loading.
 *
 * @module
 */
import { type AnyTool, defineTool, type ToolContext } from "../../tools/define.ts";
import type { JsonSchema } from "../../tools/json_schema.ts";
import { renderDeclarations } from "../../typegen/mod.ts";
import { schemaProblem } from "./schema_guard.ts";

/** The parts of an MCP tool listing this module reads. */
export interface McpListedTool {
  /** The tool's name on the server. */
  name: string;
  /** What it does. */
  description?: string;
  /** A short human-readable name. */
  title?: string;
  /** JSON Schema of its arguments. */
  inputSchema: Record<string, unknown>;
  /** JSON Schema of its structured output. */
  outputSchema?: Record<string, unknown>;
  /** Hints about its behaviour (`readOnlyHint`, `destructiveHint`, …); untrusted. */
  annotations?: unknown;
}

/** Calls one upstream tool by its original MCP name. */
export type UpstreamCall = (mcpName: string, input: Record<string, unknown>, context: ToolContext) => Promise<unknown>;

/** What {@linkcode toCodemodeTools} needs. */
export interface ConvertOptions {
  /** The namespace (the server's safe name): tools become `<namespace>.<tool>`. */
  namespace: string;
  /** Runs a call on the server. */
  call: UpstreamCall;
  /** Told why a tool was skipped. */
  warn: (message: string) => void;
  /** Removes secrets from text that reaches the model. */
  redact: (text: string) => string;
  /** Largest schema, in bytes of JSON. */
  maxSchemaBytes: number;
  /** Longest description kept, in characters. */
  maxDescriptionChars: number;
  /** Per-call timeout for every tool of the server, if set. */
  timeoutMs?: number;
}

const MAX_SCHEMA_DEPTH = 64;
const MAX_MCP_NAME = 128;
// Names that mean something else on a JS object or to `await`, and Codemode's own per-server calls.
const RESERVED = new Set(["__proto__", "constructor", "prototype", "then", "toString", "valueOf", "$read"]);

/**
 * Converts an upstream tool list, skipping (with a warning) tools whose name
 * or schemas cannot be used safely.
 *
 * @param listed the tools as `tools/list` returned them.
 * @param options namespace, call function, warning sink and limits.
 * @returns the Codemode tools, named `<namespace>.<safe tool name>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toCodemodeTools } from "./tools.ts";
 * const warnings: string[] = [];
 * const tools = toCodemodeTools(
 *   [{ name: "get-weather", inputSchema: { type: "object" } }, { name: "bad", inputSchema: { type: "object", $ref: "#" } }],
 *   { namespace: "wx", call: () => Promise.resolve(1), warn: (m) => warnings.push(m), redact: (t) => t, maxSchemaBytes: 1e5, maxDescriptionChars: 1000 },
 * );
 * assert.deepEqual(tools.map((t) => t.name), ["wx.get_weather"]);
 * assert.match(warnings[0], /\$ref loop/);
 * ```
 */
export function toCodemodeTools(listed: readonly McpListedTool[], options: ConvertOptions): AnyTool[] {
  const tools: AnyTool[] = [];
  const taken = new Map<string, string>();
  for (const entry of listed) {
    const shown = JSON.stringify(String(entry?.name ?? "")).slice(0, 80);
    try {
      const tool = toCodemodeTool(entry, options, taken);
      if (typeof tool === "string") options.warn(`skipped tool ${shown}: ${tool}`);
      else tools.push(tool);
    } catch (e) {
      // Ajv and the declaration generator refuse some schemas by throwing (or overflowing the stack).
      options.warn(`skipped tool ${shown}: ${options.redact(e instanceof Error ? e.message : String(e))}`);
    }
  }
  return tools;
}

/** One tool, or the reason it is skipped. */
function toCodemodeTool(entry: McpListedTool, options: ConvertOptions, taken: Map<string, string>): AnyTool | string {
  const mcpName = entry?.name;
  if (typeof mcpName !== "string" || mcpName.length === 0 || mcpName.length > MAX_MCP_NAME) {
    return `the name must be 1 to ${MAX_MCP_NAME} characters`;
  }
  const segment = safeSegment(mcpName);
  const clash = taken.get(segment);
  if (clash !== undefined) return `its safe name "${segment}" is already used by tool ${JSON.stringify(clash)}`;
  const limits = { maxBytes: options.maxSchemaBytes, maxDepth: MAX_SCHEMA_DEPTH };
  const inputProblem = schemaProblem(entry.inputSchema, limits);
  if (inputProblem) return `its input schema ${inputProblem}`;
  const outputProblem = entry.outputSchema === undefined ? undefined : schemaProblem(entry.outputSchema, limits);
  if (outputProblem) return `its output schema ${outputProblem}`;
  const input = compilable(entry.inputSchema);
  const output = entry.outputSchema === undefined ? undefined : compilable(entry.outputSchema);
  const name = `${options.namespace}.${segment}`;
  const tool = defineTool<Record<string, unknown>, unknown>({
    name,
    description: describe(entry, options),
    input,
    ...(output !== undefined ? { output } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(needsApproval(entry.annotations, (m) => options.warn(`tool ${JSON.stringify(mcpName)}: ${m}`))
      ? { defaultPolicy: "approve" as const }
      : {}),
    handler: (args, context) => options.call(mcpName, args, context),
  });
  // The declarations are rendered for every prompt; a schema that breaks them must not get in.
  renderDeclarations([{
    path: [...tool.path],
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined ? { outputSchema: tool.outputSchema } : {}),
  }]);
  taken.set(segment, mcpName);
  return tool;
}

/**
 * Whether an upstream tool's annotations ask for approval. The MCP spec's
 * hints, read so that they can only tighten: `destructiveHint: true` does, and
 * so does `readOnlyHint: false` without `destructiveHint: false` (the spec
 * says a tool that is not read-only is destructive unless it says otherwise).
 * A tool without hints is not presumed destructive, although the spec's
 * defaults would say so: that would make every tool of every server that
 * predates annotations need approval. A hint that is not a boolean is ignored
 * (with a warning), which leaves the tool as if it had none.
 *
 * @param annotations the tool's `annotations`, as the server sent them.
 * @param warn told about hints that are not booleans.
 * @returns whether calls need approval by default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsApproval } from "./tools.ts";
 * const none = () => {};
 * assert.equal(needsApproval({ destructiveHint: true }, none), true);
 * assert.equal(needsApproval({ readOnlyHint: false }, none), true);
 * assert.equal(needsApproval({ readOnlyHint: false, destructiveHint: false }, none), false);
 * assert.equal(needsApproval({ readOnlyHint: true, destructiveHint: true }, none), true);
 * assert.equal(needsApproval(undefined, none), false);
 * ```
 */
export function needsApproval(annotations: unknown, warn: (message: string) => void): boolean {
  if (typeof annotations !== "object" || annotations === null || Array.isArray(annotations)) {
    if (annotations !== undefined) warn("its annotations are not an object; ignored");
    return false;
  }
  const hint = (key: "readOnlyHint" | "destructiveHint"): boolean | undefined => {
    const value = (annotations as Record<string, unknown>)[key];
    if (value === undefined || typeof value === "boolean") return value;
    warn(`its annotation ${key} is not a boolean; ignored`);
    return undefined;
  };
  const readOnly = hint("readOnlyHint");
  const destructive = hint("destructiveHint");
  return destructive === true || (readOnly === false && destructive !== false);
}

/** The tool's MCP name as one identifier segment: dots and slashes cannot make namespaces. */
function safeSegment(mcpName: string): string {
  let segment = mcpName.replace(/[^A-Za-z0-9_$]/g, "_");
  if (/^[0-9]/.test(segment)) segment = `_${segment}`;
  return RESERVED.has(segment) ? `${segment}_` : segment;
}

/**
 * A copy without a root `$id`, which would clash with itself when the tool
 * list is loaded again. `$schema` stays: the schema is validated in the
 * dialect it declares (draft-07 or 2020-12, see `src/tools/ajv.ts`).
 */
function compilable(schema: Record<string, unknown>): JsonSchema {
  const { $id: _id, ...rest } = schema;
  return rest as JsonSchema;
}

function describe(entry: McpListedTool, options: ConvertOptions): string {
  const text = typeof entry.description === "string"
    ? entry.description
    : typeof entry.title === "string"
    ? entry.title
    : "";
  const clean = options.redact(text);
  return clean.length > options.maxDescriptionChars ? clean.slice(0, options.maxDescriptionChars) + "…" : clean;
}
