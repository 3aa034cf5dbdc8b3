/**
 * Renders a set of tools as one TypeScript declaration of the `tools` object
 * the sandboxed code calls, plus one-line signatures for search results.
 *
 * @module
 */

import type { JsonSchema } from "../tools/json_schema.ts";
import { aliasBaseName, AliasRegistry, SchemaScope, toolPrefix } from "./aliases.ts";
import { lookupPointer, refToPointer } from "./json_pointer.ts";
import { schemaToTs } from "./schema_to_ts.ts";
import { formatJsDoc, isIdentifier, propertyKey } from "./ts_text.ts";
import { renderDiscoveryMembers } from "./discovery.ts";

/** What the printer needs to know about one tool. */
export interface ToolTypeInfo {
  /** Namespace path of identifier-safe segments, e.g. `["github", "issues", "list"]`. */
  path: string[];
  /** What the tool does; becomes the method's JSDoc. */
  description?: string;
  /** JSON Schema of the single `input` argument. */
  inputSchema: JsonSchema;
  /** JSON Schema of the resolved result; absent means `unknown`. */
  outputSchema?: JsonSchema;
  /**
   * Set when `outputSchema` was not declared by the tool but observed from
   * this many of its results (types only); the JSDoc says so.
   */
  outputObservedCalls?: number;
}

/** Options for {@linkcode renderDeclarations} and {@linkcode renderToolSignature}. */
export interface RenderDeclarationsOptions {
  /** Name of the declared root object. Default `"tools"`. */
  rootName?: string;
  /**
   * Also declare the discovery calls `$search` and `$types` on the root
   * object (`renderDeclarations` only), as `Codemode.types()` does.
   * @default {false}
   */
  discovery?: boolean;
  /**
   * The type of a result without a schema (`renderDeclarations` only): the
   * type checker declares it `any`, so that a script is held to its tools'
   * inputs and declared outputs only. @default {"unknown"}
   */
  unknownOutput?: "unknown" | "any";
}

/**
 * Renders tools as a `declare const tools: {...}` block with nested
 * namespaces, preceded by type aliases for the schemas' `$defs`.
 *
 * @param tools The tools to declare, in any order; output is sorted by path.
 * @param options The root object's name, and whether to declare `$search` and `$types`.
 * @returns TypeScript source, without a trailing newline.
 *
 * @example Declare one tool
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderDeclarations } from "./mod.ts";
 *
 * const source = renderDeclarations([{
 *   path: ["weather", "get"],
 *   description: "Current weather for a city.",
 *   inputSchema: {
 *     type: "object",
 *     properties: { city: { type: "string" } },
 *     required: ["city"],
 *   },
 * }]);
 * assert.equal(
 *   source,
 *   [
 *     "declare const tools: {",
 *     "  weather: {",
 *     "    /** Current weather for a city. *" + "/",
 *     "    get(input: {",
 *     "      city: string;",
 *     "    }): Promise<unknown>;",
 *     "  };",
 *     "};",
 *   ].join("\n"),
 * );
 * ```
 */
export function renderDeclarations(
  tools: ToolTypeInfo[],
  options: RenderDeclarationsOptions = {},
): string {
  const rootName = options.rootName ?? "tools";
  const unknownOutput = options.unknownOutput ?? "unknown";
  const registry = new AliasRegistry([rootName]);
  const tree = buildTree(sortByPath(tools));
  const members = [
    ...(options.discovery ? renderDiscoveryMembers("  ") : []),
    ...tree.tools.flatMap((tool) => renderMethod(tool, "", "  ", registry, unknownOutput)),
    ...renderMembers(tree, "  ", registry, unknownOutput),
  ];
  return [
    ...registry.lines,
    `declare const ${rootName}: {`,
    ...members,
    "};",
  ].join("\n");
}

/**
 * Renders one tool as a compact single-line call signature, with `$defs`
 * written out in place except where they recurse.
 *
 * @param tool The tool to describe.
 * @param options The root object's name.
 * @returns A line such as `tools.weather.get(input: { city: string }): Promise<unknown>`.
 *
 * @example Signature for a search result
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderToolSignature } from "./mod.ts";
 *
 * const line = renderToolSignature({
 *   path: ["weather", "get"],
 *   inputSchema: {
 *     type: "object",
 *     properties: { city: { type: "string" } },
 *     required: ["city"],
 *   },
 *   outputSchema: {
 *     type: "object",
 *     properties: { city: { type: "string" }, tempC: { type: "number" } },
 *     required: ["city", "tempC"],
 *   },
 * });
 * assert.equal(
 *   line,
 *   "tools.weather.get(input: { city: string }): Promise<{ city: string; tempC: number }>",
 * );
 * ```
 */
export function renderToolSignature(
  tool: ToolTypeInfo,
  options: RenderDeclarationsOptions = {},
): string {
  const prefix = toolPrefix(tool.path);
  const input = inlineType(tool.inputSchema, prefix, "Input");
  const output = tool.outputSchema === undefined ? "unknown" : inlineType(tool.outputSchema, prefix, "Output");
  const optional = isInputOptional(tool.inputSchema, tool.inputSchema);
  const access = tool.path.map((s) => isIdentifier(s) ? `.${s}` : `[${JSON.stringify(s)}]`);
  return `${options.rootName ?? "tools"}${access.join("")}(input${optional ? "?" : ""}: ${input}): Promise<${output}>`;
}

interface Namespace {
  tools: ToolTypeInfo[];
  children: Map<string, Namespace>;
}

function sortByPath(tools: ToolTypeInfo[]): ToolTypeInfo[] {
  const compare = (a: string[], b: string[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.length - b.length;
  };
  return [...tools].sort((a, b) => compare(a.path, b.path));
}

function buildTree(sorted: ToolTypeInfo[]): Namespace {
  const root: Namespace = { tools: [], children: new Map() };
  for (const tool of sorted) {
    let node = root;
    for (const segment of tool.path) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { tools: [], children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.tools.push(tool);
  }
  return root;
}

function renderMembers(
  namespace: Namespace,
  indent: string,
  registry: AliasRegistry,
  unknownOutput: string,
): string[] {
  const lines: string[] = [];
  for (const [name, child] of namespace.children) {
    const key = propertyKey(name);
    if (child.children.size === 0) {
      for (const tool of child.tools) {
        lines.push(...renderMethod(tool, key, indent, registry, unknownOutput));
      }
      continue;
    }
    // A path that is both a tool and a namespace (`a` and `a.b`) becomes an
    // object with a call signature, which TypeScript allows.
    const inner = indent + "  ";
    lines.push(`${indent}${key}: {`);
    for (const tool of child.tools) {
      lines.push(...renderMethod(tool, "", inner, registry, unknownOutput));
    }
    lines.push(...renderMembers(child, inner, registry, unknownOutput), `${indent}};`);
  }
  return lines;
}

function renderMethod(
  tool: ToolTypeInfo,
  key: string,
  indent: string,
  registry: AliasRegistry,
  unknownOutput: string,
): string[] {
  const prefix = toolPrefix(tool.path);
  const input = new SchemaScope(tool.inputSchema, prefix, "Input", registry);
  const output = tool.outputSchema === undefined
    ? undefined
    : new SchemaScope(tool.outputSchema, prefix, "Output", registry, [input]);
  const inputType = input.renderRoot(indent);
  const outputType = output?.renderRoot(indent) ?? unknownOutput;
  input.flush();
  output?.flush();
  const optional = isInputOptional(tool.inputSchema, tool.inputSchema);
  const observed = tool.outputObservedCalls === undefined ? undefined : observedNote(tool.outputObservedCalls);
  const description = [tool.description?.trim(), observed].filter(Boolean).join("\n\n") || undefined;
  return [
    ...formatJsDoc(description, [], indent),
    `${indent}${key}(input${optional ? "?" : ""}: ${inputType}): Promise<${outputType}>;`,
  ];
}

function observedNote(calls: number): string {
  return `The result type was observed from ${calls} successful call${calls === 1 ? "" : "s"}, not declared by the ` +
    "tool: a field seen in some results only is optional, and results not seen yet may differ.";
}

const MAX_REF_DEPTH = 8;

/**
 * Whether the tool can be called without an argument: its input accepts
 * anything, or is an object without required properties.
 */
function isInputOptional(
  schema: JsonSchema,
  root: JsonSchema,
  depth = 0,
): boolean {
  if (typeof schema === "boolean") return schema;
  if (typeof schema.$ref === "string") {
    const pointer = refToPointer(schema.$ref);
    const target = pointer === undefined ? undefined : lookupPointer(root, pointer);
    return target !== undefined && depth < MAX_REF_DEPTH &&
      isInputOptional(target, root, depth + 1);
  }
  const combined = schema.anyOf ?? schema.oneOf ?? schema.allOf ??
    schema.enum ?? schema.items ?? schema.prefixItems;
  if (combined !== undefined || "const" in schema) return false;
  const types = schema.type === undefined ? ["object"] : [schema.type].flat();
  return types.includes("object") && (schema.required ?? []).length === 0;
}

/**
 * A root schema on one line with its local references written out in place;
 * only recursion (or very deep nesting) falls back to the alias name, since
 * a search result has no alias declarations next to it.
 */
function inlineType(
  root: JsonSchema,
  prefix: string,
  rootLabel: string,
): string {
  const stack = [""];
  const resolveRef = (ref: string): string => {
    const pointer = refToPointer(ref);
    const target = pointer === undefined ? undefined : lookupPointer(root, pointer);
    if (pointer === undefined || target === undefined) return "unknown";
    if (stack.includes(pointer) || stack.length > MAX_REF_DEPTH) {
      return aliasBaseName(prefix, rootLabel, pointer);
    }
    stack.push(pointer);
    try {
      return schemaToTs(target, { singleLine: true, resolveRef });
    } finally {
      stack.pop();
    }
  };
  return schemaToTs(root, { singleLine: true, resolveRef });
}
