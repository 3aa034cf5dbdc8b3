/**
 * Output types observed from tool results, for tools that declare none (most
 * MCP servers): the shape of each successful result, as a JSON Schema of
 * types only, merged over calls. No value is ever kept: no string, number,
 * enum or example, only `type`, `properties`, `required`, `items`,
 * `additionalProperties` and `anyOf`. Object keys are names, not values,
 * only when they look like field names: an object with other keys, or with
 * many, is a record (`{ [key: string]: T }`), so a result keyed by e-mail
 * addresses or ids shows none of them. Everything is bounded: the nodes
 * looked at per result, the depth, the keys, the union's members and the
 * schema's size; past a bound the part is `unknown`.
 *
 * @module
 */
import type { JsonSchema } from "../tools/json_schema.ts";

/** Nesting looked into; deeper parts are `unknown`. */
export const MAX_OBSERVED_DEPTH = 6;
/** Named fields per object; an object with more is a record. */
export const MAX_OBSERVED_KEYS = 32;
/** Values looked at per result (array elements and record values are sampled). */
export const MAX_OBSERVED_NODES = 400;
/** Array elements, or record values, looked at per array or record. */
const SAMPLE = 20;
/** Members of a union before it becomes `unknown`. */
const MAX_UNION = 4;
/** The largest schema kept per tool, as JSON text; a larger one is `unknown`. */
export const MAX_OBSERVED_SCHEMA_CHARS = 4096;
/** Tools observed at once; results of further tools are not observed. */
export const MAX_OBSERVED_TOOLS = 1000;
/** A key that reads as a field name: an identifier of at most 40 characters. */
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,39}$/;

type Shape = Exclude<JsonSchema, boolean>;

// `__proto__` is a key JSON can carry but an object literal cannot hold as a field.
function isFieldName(key: string): boolean {
  return FIELD_NAME.test(key) && key !== "__proto__";
}

/** One tool's observed output: its shape and how many results made it. */
export interface ObservedOutput {
  schema: Shape;
  calls: number;
}

/**
 * Observed output shapes, per tool; in memory only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ObservedOutputs } from "./observed.ts";
 * const seen = new ObservedOutputs();
 * seen.record("crm.find", { id: 7, name: "Ada", tags: ["vip"] });
 * seen.record("crm.find", { id: 8, name: "Bob", tags: [], email: "b@x.io" });
 * assert.deepEqual(seen.get("crm.find")?.schema, {
 *   type: "object",
 *   properties: {
 *     id: { type: "number" },
 *     name: { type: "string" },
 *     tags: { type: "array", items: { type: "string" } },
 *     email: { type: "string" },
 *   },
 *   required: ["id", "name", "tags"],
 * });
 * assert.ok(!JSON.stringify(seen.get("crm.find")).includes("Ada"));
 * ```
 */
export class ObservedOutputs {
  readonly #byTool = new Map<string, ObservedOutput>();

  /** Merges one successful result of `tool` into its observed shape. */
  record(tool: string, value: unknown): void {
    const before = this.#byTool.get(tool);
    if (!before && this.#byTool.size >= MAX_OBSERVED_TOOLS) return;
    const calls = (before?.calls ?? 0) + 1;
    // Once unknown, always unknown: the result need not be looked at.
    if (before && isUnknown(before.schema)) return void this.#byTool.set(tool, { schema: before.schema, calls });
    const shape = shapeOf(value, { nodes: MAX_OBSERVED_NODES }, 0);
    const schema = before ? merge(before.schema, shape) : shape;
    this.#byTool.set(tool, { schema: JSON.stringify(schema).length > MAX_OBSERVED_SCHEMA_CHARS ? {} : schema, calls });
  }

  /** The observed output of `tool`, if any result was seen. */
  get(tool: string): ObservedOutput | undefined {
    return this.#byTool.get(tool);
  }
}

function shapeOf(value: unknown, budget: { nodes: number }, depth: number): Shape {
  if (--budget.nodes < 0 || depth > MAX_OBSERVED_DEPTH) return {};
  if (value === null) return { type: "null" };
  switch (typeof value) {
    case "string":
      return { type: "string" };
    case "number":
      return { type: "number" };
    case "boolean":
      return { type: "boolean" };
    case "object":
      return Array.isArray(value) ? arrayShape(value, budget, depth) : objectShape(value, budget, depth);
    default:
      return {};
  }
}

function arrayShape(value: unknown[], budget: { nodes: number }, depth: number): Shape {
  let items: Shape | undefined;
  for (const element of value.slice(0, SAMPLE)) {
    const shape = shapeOf(element, budget, depth + 1);
    items = items ? merge(items, shape) : shape;
  }
  return items ? { type: "array", items } : { type: "array" };
}

function objectShape(value: object, budget: { nodes: number }, depth: number): Shape {
  const keys = Object.keys(value);
  const entries = value as Record<string, unknown>;
  if (keys.length <= MAX_OBSERVED_KEYS && keys.every(isFieldName)) {
    const properties = Object.fromEntries(keys.map((k) => [k, shapeOf(entries[k], budget, depth + 1)]));
    return { type: "object", properties, required: keys };
  }
  return recordOf(keys.slice(0, SAMPLE).map((k) => shapeOf(entries[k], budget, depth + 1)));
}

function recordOf(values: Shape[]): Shape {
  const merged = values.reduce<Shape | undefined>((a, b) => a ? merge(a, b) : b, undefined);
  return { type: "object", additionalProperties: merged ?? {} };
}

function merge(a: Shape, b: Shape): Shape {
  if (isUnknown(a) || isUnknown(b)) return {};
  const members = [...variants(a)];
  for (const v of variants(b)) {
    const i = members.findIndex((m) => m.type === v.type);
    if (i < 0) members.push(v);
    else members[i] = mergeSameType(members[i], v);
  }
  if (members.length > MAX_UNION) return {};
  return members.length === 1 ? members[0] : { anyOf: members };
}

function variants(s: Shape): Shape[] {
  return Array.isArray(s.anyOf) ? s.anyOf as Shape[] : [s];
}

function isUnknown(s: Shape): boolean {
  return s.type === undefined && s.anyOf === undefined;
}

function mergeSameType(a: Shape, b: Shape): Shape {
  if (a.type === "array") {
    if (!a.items) return b;
    if (!b.items) return a;
    return { type: "array", items: merge(a.items as Shape, b.items as Shape) };
  }
  if (a.type !== "object") return a;
  if (a.properties && b.properties) return mergeObjects(a, b);
  // A record and an object, or two records: a record of everything seen.
  const values = [a, b].flatMap((s) =>
    s.properties ? Object.values(s.properties as Record<string, Shape>) : [s.additionalProperties as Shape]
  );
  return recordOf(values);
}

function mergeObjects(a: Shape, b: Shape): Shape {
  const pa = a.properties as Record<string, Shape>;
  const pb = b.properties as Record<string, Shape>;
  const keys = [...new Set([...Object.keys(pa), ...Object.keys(pb)])];
  if (keys.length > MAX_OBSERVED_KEYS) return recordOf([...Object.values(pa), ...Object.values(pb)]);
  const properties = Object.fromEntries(
    keys.map((k) => {
      const [inA, inB] = [Object.hasOwn(pa, k), Object.hasOwn(pb, k)];
      return [k, inA && inB ? merge(pa[k], pb[k]) : inA ? pa[k] : pb[k]];
    }),
  );
  const requiredInB = new Set(b.required as string[]);
  return { type: "object", properties, required: (a.required as string[]).filter((k) => requiredInB.has(k)) };
}
