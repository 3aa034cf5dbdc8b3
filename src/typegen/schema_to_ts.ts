/**
 * Renders a JSON Schema as a TypeScript type expression, compact enough to
 * sit in an LLM prompt and precise enough to type-check generated code.
 *
 * @module
 */

import type { JsonSchema, JsonSchemaObject } from "../tools/json_schema.ts";
import { pointerSegments, refToPointer } from "./json_pointer.ts";
import {
  arrayOf,
  formatJsDoc,
  intersectionOf,
  isCompound,
  literalType,
  propertyKey,
  toPascalCase,
  unionOf,
} from "./ts_text.ts";

/** Options for {@linkcode schemaToTs}. */
export interface SchemaToTsOptions {
  /**
   * Indentation of the line the type starts on; members of multi-line
   * objects get two more spaces and the closing brace gets this. Default "".
   */
  indent?: string;
  /**
   * Maps a `$ref` to the type expression printed in its place. Defaults to
   * the last pointer segment as a PascalCase name (`#/$defs/user` → `User`),
   * and `unknown` for references that have no usable name.
   */
  resolveRef?: (ref: string) => string;
  /**
   * Print the whole type on one line without JSDoc, as in
   * `{ city: string; days?: number }`. Default false.
   */
  singleLine?: boolean;
}

interface Context {
  indent: string;
  resolveRef: (ref: string) => string;
  singleLine: boolean;
}

/**
 * Renders a JSON Schema as a TypeScript type expression.
 *
 * @param schema The schema to render; `true`/`{}` give `unknown`, `false` gives `never`.
 * @param options Indentation, `$ref` naming and single-line output.
 * @returns The type expression, e.g. `{ city: string; tempC?: number }` spread over lines.
 *
 * @example Render an object schema
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemaToTs } from "./mod.ts";
 *
 * const schema = {
 *   type: "object",
 *   properties: { city: { type: "string" }, days: { type: "integer" } },
 *   required: ["city"],
 * };
 * assert.equal(schemaToTs(schema), "{\n  city: string;\n  days?: number;\n}");
 * assert.equal(
 *   schemaToTs(schema, { singleLine: true }),
 *   "{ city: string; days?: number }",
 * );
 * ```
 */
export function schemaToTs(
  schema: JsonSchema,
  options: SchemaToTsOptions = {},
): string {
  return render(schema, {
    indent: options.indent ?? "",
    resolveRef: options.resolveRef ?? defaultRefName,
    singleLine: options.singleLine ?? false,
  });
}

/** The name the default resolver gives a `$ref`, or `unknown`. */
export function defaultRefName(ref: string): string {
  const pointer = refToPointer(ref);
  if (pointer === undefined) return "unknown";
  return toPascalCase(pointerSegments(pointer).at(-1) ?? "") || "unknown";
}

function render(schema: JsonSchema, ctx: Context): string {
  if (schema === true) return "unknown";
  if (schema === false) return "never";
  if (schema.not === true || isEmptySchema(schema.not)) return "never";
  const base = renderBase(schema, ctx);
  const combinators = renderCombinators(schema, ctx);
  let parts = base === undefined ? combinators : [base, ...combinators];
  // OpenAPI documents often say `type: object` beside a `oneOf` of object
  // shapes; intersecting with `Record<string, unknown>` would only add noise.
  if (combinators.length > 0 && isBareType(schema)) parts = combinators;
  const type = intersectionOf(parts);
  return schema.nullable === true ? unionOf([type, "null"]) : type;
}

function isEmptySchema(value: unknown): boolean {
  return typeof value === "object" && value !== null &&
    Object.keys(value).length === 0;
}

const STRUCTURE_KEYWORDS = [
  "$ref",
  "const",
  "enum",
  "properties",
  "additionalProperties",
  "patternProperties",
  "propertyNames",
  "items",
  "prefixItems",
];

function isBareType(schema: JsonSchemaObject): boolean {
  return STRUCTURE_KEYWORDS.every((keyword) => !(keyword in schema));
}

function renderBase(
  schema: JsonSchemaObject,
  ctx: Context,
): string | undefined {
  if (typeof schema.$ref === "string") return ctx.resolveRef(schema.$ref);
  if ("const" in schema) return literalType(schema.const);
  if (Array.isArray(schema.enum)) return unionOf(schema.enum.map(literalType));
  const types = schemaTypes(schema);
  if (types === undefined) return undefined;
  return unionOf(types.map((type) => renderNamedType(type, schema, ctx)));
}

function renderCombinators(schema: JsonSchemaObject, ctx: Context): string[] {
  const parts: string[] = [];
  for (const options of [schema.anyOf, schema.oneOf]) {
    if (Array.isArray(options)) {
      parts.push(unionOf(options.map((option) => render(option, ctx))));
    }
  }
  for (const member of schema.allOf ?? []) parts.push(render(member, ctx));
  // Constraint-only branches (`{ required: [...] }`) say nothing about the
  // shape, so they must not turn a known type into `unknown`.
  return parts.filter((part) => part !== "unknown");
}

function schemaTypes(schema: JsonSchemaObject): string[] | undefined {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type;
  if (
    schema.properties || schema.additionalProperties !== undefined ||
    schema.patternProperties
  ) return ["object"];
  if (schema.items !== undefined || schema.prefixItems) return ["array"];
  return undefined;
}

function renderNamedType(
  type: string,
  schema: JsonSchemaObject,
  ctx: Context,
): string {
  switch (type) {
    case "string":
    case "number":
    case "boolean":
    case "null":
      return type;
    case "integer":
      return "number";
    case "object":
      return renderObject(schema, ctx);
    case "array":
      return renderArray(schema, ctx);
    default:
      return "unknown";
  }
}

interface ObjectShape {
  properties: [string, JsonSchema][];
  extra: JsonSchema[];
}

function objectShape(schema: JsonSchemaObject): ObjectShape {
  const additional = schema.additionalProperties;
  const keys = literalKeys(schema.propertyNames);
  if (schema.properties === undefined && keys !== undefined) {
    // A record keyed by an enum (zod's `z.record(z.enum(...), ...)`) reads
    // best as plain properties; `required` then says which keys must exist.
    return { properties: keys.map((k) => [k, additional ?? true]), extra: [] };
  }
  const extra: JsonSchema[] = additional === undefined || additional === false ? [] : [additional];
  extra.push(...Object.values(schema.patternProperties ?? {}));
  return { properties: Object.entries(schema.properties ?? {}), extra };
}

function literalKeys(names: unknown): string[] | undefined {
  if (typeof names !== "object" || names === null) return undefined;
  const schema = names as JsonSchemaObject;
  const values = "const" in schema ? [schema.const] : schema.enum;
  if (!Array.isArray(values)) return undefined;
  return values.every((v) => typeof v === "string") ? values : undefined;
}

interface Member {
  doc: string[];
  text: string;
}

function renderObject(schema: JsonSchemaObject, ctx: Context): string {
  const { properties, extra } = objectShape(schema);
  if (properties.length === 0) {
    if (extra.length > 0) {
      return `Record<string, ${unionOf(extra.map((s) => render(s, ctx)))}>`;
    }
    return schema.additionalProperties === false ? "{}" : "Record<string, unknown>";
  }
  const inner: Context = { ...ctx, indent: ctx.indent + "  " };
  const required = new Set(schema.required ?? []);
  const members: Member[] = [];
  const memberTypes: string[] = [];
  for (const [name, property] of properties) {
    const type = render(property, inner);
    const optional = required.has(name) ? "" : "?";
    // An optional property also contributes `undefined` to the index type.
    memberTypes.push(optional ? unionOf([type, "undefined"]) : type);
    const doc = ctx.singleLine ? [] : propertyDoc(property, inner.indent);
    members.push({ doc, text: `${propertyKey(name)}${optional}: ${type}` });
  }
  if (extra.length > 0) {
    const index = unionOf(extra.map((s) => render(s, inner)));
    const text = `[key: string]: ${indexType(index, memberTypes)}`;
    members.push({ doc: [], text });
  }
  return layoutMembers(members, ctx);
}

const MAX_INDEX_TYPE_LENGTH = 60;

/**
 * TypeScript demands that every property fits the index signature, so the
 * extra-key type is widened by the property types, or to `unknown` when
 * that would grow into a wall of text.
 */
function indexType(index: string, memberTypes: string[]): string {
  if (index === "unknown") return index;
  const widened = unionOf([index, ...memberTypes]);
  const tooLong = widened.includes("\n") ||
    widened.length > MAX_INDEX_TYPE_LENGTH;
  return tooLong ? "unknown" : widened;
}

function propertyDoc(property: JsonSchema, indent: string): string[] {
  if (typeof property === "boolean") return [];
  const tags: string[] = [];
  if ("default" in property && property.default !== undefined) {
    tags.push(`@default ${JSON.stringify(property.default)}`);
  }
  if (property.deprecated === true) tags.push("@deprecated");
  const description = typeof property.description === "string" ? property.description : undefined;
  return formatJsDoc(description, tags, indent);
}

function layoutMembers(members: Member[], ctx: Context): string {
  if (ctx.singleLine) return `{ ${members.map((m) => m.text).join("; ")} }`;
  const inner = ctx.indent + "  ";
  const lines = members.flatMap((m) => [...m.doc, `${inner}${m.text};`]);
  return `{\n${lines.join("\n")}\n${ctx.indent}}`;
}

function renderArray(schema: JsonSchemaObject, ctx: Context): string {
  if (Array.isArray(schema.prefixItems)) {
    return renderTuple(schema.prefixItems, schema.items, schema, ctx);
  }
  if (Array.isArray(schema.items)) {
    return renderTuple(schema.items, schema.additionalItems, schema, ctx);
  }
  return arrayOf(
    schema.items === undefined ? "unknown" : render(schema.items, ctx),
  );
}

function renderTuple(
  elements: JsonSchema[],
  rest: unknown,
  schema: JsonSchemaObject,
  ctx: Context,
): string {
  const minItems = typeof schema.minItems === "number" ? schema.minItems : elements.length;
  const parts = elements.map((element, i) => {
    const type = render(element, ctx);
    if (i < minItems) return type;
    return isCompound(type) ? `(${type})?` : `${type}?`;
  });
  const restType = isSchema(rest) ? render(rest, ctx) : "unknown";
  // JSON Schema leaves tuples open unless told otherwise, but `...unknown[]`
  // tells a reader nothing, so only a real rest type is shown.
  if (restType !== "unknown" && restType !== "never") {
    parts.push(`...${arrayOf(restType)}`);
  }
  return `[${parts.join(", ")}]`;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "boolean" ||
    (typeof value === "object" && value !== null && !Array.isArray(value));
}
