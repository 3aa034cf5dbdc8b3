/**
 * Checks on JSON Schemas that arrive from an upstream MCP server, before they
 * reach Ajv and the declaration generator: an upstream is not trusted to send
 * schemas that are small, shallow and free of `$ref` loops.
 *
 * @module
 */

/** Limits for {@linkcode schemaProblem}. */
export interface SchemaLimits {
  /** Largest schema, in bytes of JSON. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
}

// Keywords whose values are data, not sub-schemas: a `$ref` inside them means nothing.
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples", "example"]);
// Keywords whose sub-schemas apply to the same value as the schema itself:
// following only these in a circle is a loop that never reaches a value.
const SAME_VALUE_ONE = ["not", "if", "then", "else"];
const SAME_VALUE_MANY = ["allOf", "anyOf", "oneOf"];

type Node = Record<string, unknown>;

/**
 * Tells what is wrong with an upstream schema, if anything.
 *
 * @param schema the schema as the server sent it.
 * @param limits size and depth limits.
 * @returns a reason to refuse it, or `undefined` when it is safe to compile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemaProblem } from "./schema_guard.ts";
 * const limits = { maxBytes: 1000, maxDepth: 10 };
 * assert.equal(schemaProblem({ type: "object", properties: { a: { type: "string" } } }, limits), undefined);
 * assert.match(schemaProblem({ $ref: "#" }, limits)!, /\$ref loop/);
 * ```
 */
export function schemaProblem(schema: unknown, limits: SchemaLimits): string | undefined {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return "is not a JSON Schema object";
  let json: string;
  try {
    json = JSON.stringify(schema);
  } catch {
    return "is not plain JSON";
  }
  const bytes = new TextEncoder().encode(json).length;
  if (bytes > limits.maxBytes) return `is ${bytes} bytes of JSON, over the limit of ${limits.maxBytes}`;
  const nodes = schemaNodes(schema as Node, limits.maxDepth);
  if (nodes === undefined) return `nests deeper than ${limits.maxDepth} levels`;
  if (hasRefLoop(schema as Node, nodes)) return "has a $ref loop that never reaches a value";
  return undefined;
}

/** Every object in the schema that may be a sub-schema, or `undefined` when too deep. */
function schemaNodes(root: Node, maxDepth: number): Node[] | undefined {
  const nodes: Node[] = [];
  // Iterative, so that a deeply nested schema cannot overflow the stack.
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth > maxDepth) return undefined;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
      continue;
    }
    nodes.push(value as Node);
    for (const [key, child] of Object.entries(value)) {
      if (!DATA_KEYWORDS.has(key)) stack.push([child, depth + 1]);
    }
  }
  return nodes;
}

/** Whether following same-value keywords and `$ref`s can come back to where it started. */
function hasRefLoop(root: Node, nodes: Node[]): boolean {
  const anchors = new Map<string, Node>();
  for (const node of nodes) {
    for (const key of ["$anchor", "$dynamicAnchor"]) {
      if (typeof node[key] === "string") anchors.set(node[key] as string, node);
    }
  }
  const edges = (node: Node): Node[] => sameValueChildren(node, root, anchors);
  const state = new Map<Node, "active" | "done">();
  for (const start of nodes) {
    if (state.has(start)) continue;
    // Iterative depth-first search: [node, its children, next child index].
    const stack: Array<[Node, Node[], number]> = [[start, edges(start), 0]];
    state.set(start, "active");
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top[2] >= top[1].length) {
        state.set(top[0], "done");
        stack.pop();
        continue;
      }
      const next = top[1][top[2]++];
      const seen = state.get(next);
      if (seen === "active") return true;
      if (seen === undefined) {
        state.set(next, "active");
        stack.push([next, edges(next), 0]);
      }
    }
  }
  return false;
}

function sameValueChildren(node: Node, root: Node, anchors: Map<string, Node>): Node[] {
  const out: unknown[] = [];
  for (const key of ["$ref", "$dynamicRef", "$recursiveRef"]) {
    if (typeof node[key] === "string") out.push(resolveLocalRef(node[key] as string, root, anchors));
  }
  for (const key of SAME_VALUE_ONE) out.push(node[key]);
  for (const key of SAME_VALUE_MANY) if (Array.isArray(node[key])) out.push(...(node[key] as unknown[]));
  const dependent = node.dependentSchemas;
  if (typeof dependent === "object" && dependent !== null) out.push(...Object.values(dependent));
  return out.filter((n): n is Node => typeof n === "object" && n !== null && !Array.isArray(n));
}

/** Resolves `#`, `#/json/pointer` and `#anchor`; anything else (remote refs) is left to Ajv, which refuses it. */
function resolveLocalRef(ref: string, root: Node, anchors: Map<string, Node>): unknown {
  if (!ref.startsWith("#")) return undefined;
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (fragment === "") return root;
  if (!fragment.startsWith("/")) return anchors.get(fragment);
  let at: unknown = root;
  for (const raw of fragment.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
