/**
 * The operations of a spec as tool descriptions: a name, a typed input (its
 * parameters by name, flat, and the request body as `body`), a typed output
 * (the success response's schema) and what the request needs to be built.
 * An operation that cannot be offered is skipped with the reason; it never
 * stops the others.
 *
 * @module
 */
import type { JsonSchemaObject } from "../tools/json_schema.ts";
import { operationName, UniqueNames } from "./names.ts";
import { decodePointer, lookup, put, type SchemaConverter, SchemaProblem } from "./schema.ts";

/** The HTTP methods an OpenAPI path item may hold, in the order they are read. */
export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** Where a parameter goes. */
export type ParameterLocation = "path" | "query" | "header" | "cookie";

/** One parameter, as the request builder needs it. */
export interface OperationParameter {
  /** The name in the spec (and on the wire). */
  name: string;
  /** Where it goes. */
  in: ParameterLocation;
  /** Its key in the tool's input (the name, or `<in>_<name>` when the name is taken). */
  key: string;
  /** `form`, `simple`, `spaceDelimited`, `pipeDelimited` or `deepObject`. */
  style: string;
  /** Whether arrays and objects are exploded. */
  explode: boolean;
  /** Sent as JSON text (a parameter described by `content`, not `schema`). */
  json: boolean;
}

/** How the request body is sent. */
export interface OperationBody {
  /** The media type sent as `Content-Type`. */
  mediaType: string;
  /** `json`, `form` (`application/x-www-form-urlencoded`) or `text`. */
  kind: "json" | "form" | "text";
}

/** One operation, ready to be a tool. */
export interface Operation {
  /** The tool's name within the namespace (an identifier). */
  name: string;
  /** The HTTP method, upper case. */
  method: string;
  /** The path template, as in the spec. */
  path: string;
  /** `METHOD /path (operationId)`, as skipped operations are named. */
  label: string;
  /** The JSDoc: summary, description, and `METHOD /path`. */
  description: string;
  /** Its parameters. */
  parameters: OperationParameter[];
  /** Its request body, if any. */
  body?: OperationBody;
  /** Whether the success response is declared JSON. */
  jsonResponse: boolean;
  /** The input's JSON Schema. */
  inputSchema: JsonSchemaObject;
  /** The output's JSON Schema, when the spec declares one. */
  outputSchema?: JsonSchemaObject;
}

/** An operation left out, and why. */
export interface SkippedOperation {
  /** `METHOD /path` (and its `operationId`, if any). */
  operation: string;
  /** Why. */
  reason: string;
}

/** What {@linkcode readOperations} needs besides the document. */
export interface ReadOptions {
  /** Reads the document's schemas. */
  converter: SchemaConverter;
  /** Header names (lower case) the source sets itself; parameters of these names are left out. */
  ownHeaders: ReadonlySet<string>;
  /** Query names the source sets itself (an API key); parameters of these names are left out. */
  ownQuery: ReadonlySet<string>;
  /** Told about a parameter left out. */
  warn: (message: string) => void;
  /** Longest description kept, in characters. */
  maxDescriptionChars: number;
}

type Node = Record<string, unknown>;
// OpenAPI says these header parameters are ignored: the request's own machinery sets them.
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);
const MAX_REF_HOPS = 16;

/**
 * Reads every operation of a spec document.
 *
 * @param doc the (bundled) spec.
 * @param options the schema converter, the names the source sets itself, a warning sink.
 * @returns the operations, in the spec's order, and those skipped with the reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readOperations } from "./operations.ts";
 * import { SchemaConverter } from "./schema.ts";
 * const doc = { paths: { "/pets/{id}": { get: {
 *   parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
 *   responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "string" } } } } },
 * } } } };
 * const options = { converter: new SchemaConverter(doc, "3.0"), ownHeaders: new Set<string>(), ownQuery: new Set<string>(), warn: () => {}, maxDescriptionChars: 1000 };
 * const { operations } = readOperations(doc, options);
 * assert.equal(operations[0].name, "getPetsById");
 * assert.deepEqual(operations[0].inputSchema.required, ["id"]);
 * ```
 */
export function readOperations(
  doc: Node,
  options: ReadOptions,
): { operations: Operation[]; skipped: SkippedOperation[] } {
  const operations: Operation[] = [];
  const skipped: SkippedOperation[] = [];
  const names = new UniqueNames();
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    let item: unknown;
    try {
      item = resolve(doc, rawItem);
    } catch (e) {
      item = (e as Error).message;
    }
    if (!isObject(item)) {
      const reason = typeof item === "string" ? item : "its path item is not an object";
      skipped.push({ operation: path.slice(0, 200), reason });
      continue;
    }
    for (const method of METHODS) {
      if (!Object.hasOwn(item, method)) continue;
      const op = item[method];
      const id = isObject(op) && typeof op.operationId === "string" ? op.operationId : undefined;
      const label = `${method.toUpperCase()} ${path.slice(0, 200)}${id ? ` (${id.slice(0, 100)})` : ""}`;
      try {
        if (!isObject(op)) throw new SchemaProblem("the operation is not an object");
        if (!path.startsWith("/")) throw new SchemaProblem(`the path does not start with "/"`);
        const name = names.take(operationName(id, method, path));
        operations.push(readOperation(doc, { name, method, path, item, op, label }, options));
      } catch (e) {
        skipped.push({ operation: label, reason: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return { operations, skipped };
}

interface Where {
  name: string;
  label: string;
  method: string;
  path: string;
  item: Node;
  op: Node;
}

function readOperation(doc: Node, where: Where, options: ReadOptions): Operation {
  const { converter } = options;
  const body = requestBody(doc, where.op);
  const { inputSchema, parameters } = inputOf(mergedParameters(doc, where, options), body, converter);
  const success = successResponse(doc, where.op);
  let outputSchema: JsonSchemaObject | undefined;
  try {
    outputSchema = success.schema === undefined ? undefined : converter.standalone(success.schema);
  } catch (e) {
    options.warn(`${where.method.toUpperCase()} ${where.path}: its output type is unknown: ${(e as Error).message}`);
  }
  return {
    name: where.name,
    method: where.method.toUpperCase(),
    path: where.path,
    label: where.label,
    description: describe(where, options.maxDescriptionChars),
    parameters,
    ...(body ? { body: { mediaType: body.mediaType, kind: body.kind } } : {}),
    jsonResponse: success.json,
    inputSchema,
    ...(outputSchema !== undefined ? { outputSchema } : success.empty ? { outputSchema: { type: "null" } } : {}),
  };
}

/** The input schema: each parameter by name (flat), the request body as `body`; and how each parameter is sent. */
function inputOf(
  raw: RawParameter[],
  body: RawBody | undefined,
  converter: SchemaConverter,
): { inputSchema: JsonSchemaObject; parameters: OperationParameter[] } {
  const properties: Node = {};
  const required: string[] = [];
  const refs = new Set<string>();
  // The body keeps its name: a parameter called `body` becomes `<in>_body`.
  const taken = new Set<string>(body ? ["body"] : []);
  const parameters: OperationParameter[] = [];
  for (const param of raw) {
    const schema = converter.part(param.schema);
    schema.refs.forEach((r) => refs.add(r));
    const key = uniqueKey(param.name, param.in, taken);
    put(properties, key, withDescription(schema.schema, param.description));
    if (param.required) required.push(key);
    const { name, style, explode } = param;
    parameters.push({ name, in: param.in, key, style, explode, json: param.content });
  }
  if (body) {
    const schema = converter.part(body.schema);
    schema.refs.forEach((r) => refs.add(r));
    put(properties, "body", withDescription(schema.schema, body.description));
    if (body.required) required.push("body");
  }
  const defs = converter.defsOf(refs);
  const inputSchema: JsonSchemaObject = {
    type: "object",
    properties: properties as JsonSchemaObject["properties"],
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  };
  return { inputSchema, parameters };
}

interface RawParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  description?: string;
  schema: unknown;
  style: string;
  explode: boolean;
  content: boolean;
}

/** Path-level parameters, overridden by the operation's of the same name and place. */
function mergedParameters(doc: Node, where: Where, options: ReadOptions): RawParameter[] {
  const byKey = new Map<string, RawParameter>();
  for (const list of [where.item.parameters, where.op.parameters]) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new SchemaProblem("its parameters are not a list");
    for (const raw of list) {
      const param = parameter(resolve(doc, raw));
      const skip = param.in === "header" && IGNORED_HEADERS.has(param.name.toLowerCase())
        ? "OpenAPI says such a header parameter is ignored"
        : (param.in === "header" && options.ownHeaders.has(param.name.toLowerCase())) ||
            (param.in === "query" && options.ownQuery.has(param.name))
        ? "the source's own headers or authentication set it"
        : undefined;
      if (skip) {
        if (param.required || !/ignored/.test(skip)) {
          options.warn(
            `${where.method.toUpperCase()} ${where.path}: left out ${param.in} parameter "${param.name}": ${skip}`,
          );
        }
        continue;
      }
      byKey.set(`${param.in}:${param.name}`, param);
    }
  }
  const params = [...byKey.values()];
  for (const name of where.path.match(/\{[^}]*\}/g) ?? []) {
    if (!params.some((p) => p.in === "path" && `{${p.name}}` === name)) {
      throw new SchemaProblem(`path parameter ${name.slice(0, 100)} is not described`);
    }
  }
  return params;
}

function parameter(raw: unknown): RawParameter {
  if (!isObject(raw) || typeof raw.name !== "string" || raw.name === "") {
    throw new SchemaProblem("a parameter has no name");
  }
  const place = raw.in;
  if (place !== "path" && place !== "query" && place !== "header" && place !== "cookie") {
    throw new SchemaProblem(`parameter "${raw.name.slice(0, 100)}" is in ${JSON.stringify(place)?.slice(0, 40)}`);
  }
  const media = isObject(raw.content) ? Object.values(raw.content)[0] : undefined;
  const style = typeof raw.style === "string" ? raw.style : place === "query" || place === "cookie" ? "form" : "simple";
  return {
    name: raw.name,
    in: place,
    required: place === "path" || raw.required === true,
    ...(typeof raw.description === "string" ? { description: raw.description } : {}),
    schema: raw.schema ?? (isObject(media) ? media.schema : undefined) ?? {},
    style,
    explode: typeof raw.explode === "boolean" ? raw.explode : style === "form",
    content: raw.schema === undefined && media !== undefined,
  };
}

interface RawBody {
  schema: unknown;
  required: boolean;
  description?: string;
  mediaType: string;
  kind: OperationBody["kind"];
}

function requestBody(doc: Node, op: Node): RawBody | undefined {
  if (op.requestBody === undefined) return undefined;
  const body = resolve(doc, op.requestBody);
  if (!isObject(body) || !isObject(body.content)) throw new SchemaProblem("its request body has no content");
  const types = Object.keys(body.content);
  const pick = types.find(isJson) ?? types.find((t) => /^application\/x-www-form-urlencoded\b/i.test(t)) ??
    types.find((t) => /^text\//i.test(t));
  if (pick === undefined) {
    throw new SchemaProblem(`its request body's media types (${types.join(", ").slice(0, 200)}) are not supported`);
  }
  const media = body.content[pick];
  return {
    schema: isObject(media) && media.schema !== undefined ? media.schema : {},
    required: body.required === true,
    ...(typeof body.description === "string" ? { description: body.description } : {}),
    mediaType: pick,
    kind: isJson(pick) ? "json" : /^text\//i.test(pick) ? "text" : "form",
  };
}

/** The first 2xx response (200 first), its schema, and whether it is JSON or empty. */
function successResponse(doc: Node, op: Node): { schema?: unknown; json: boolean; empty: boolean } {
  const responses = isObject(op.responses) ? op.responses : {};
  const codes = Object.keys(responses).filter((c) => /^2(\d\d|XX)$/i.test(c)).sort();
  if (codes.length === 0) return { json: false, empty: false };
  const response = resolve(doc, responses[codes[0]]);
  const content = isObject(response) && isObject(response.content) ? response.content : undefined;
  if (content === undefined || Object.keys(content).length === 0) return { json: false, empty: codes[0] === "204" };
  const types = Object.keys(content);
  const json = types.find(isJson);
  const media = content[json ?? types[0]];
  const schema = isObject(media) ? media.schema : undefined;
  if (json === undefined) {
    return { schema: /^text\//i.test(types[0]) ? { type: "string" } : undefined, json: false, empty: false };
  }
  return { ...(schema !== undefined ? { schema } : {}), json: true, empty: false };
}

function describe(where: Where, max: number): string {
  const { op } = where;
  const parts = [op.summary, op.description].filter((t): t is string => typeof t === "string" && t.trim() !== "");
  let text = parts.join("\n\n");
  if (text.length > max) text = `${text.slice(0, max)}…`;
  const deprecated = op.deprecated === true ? "\n\nDeprecated." : "";
  return `${text}${text ? "\n\n" : ""}\`${where.method.toUpperCase()} ${where.path.slice(0, 300)}\`${deprecated}`;
}

function withDescription(schema: JsonSchemaObject | boolean, description: string | undefined): unknown {
  if (description === undefined || typeof schema === "boolean" || schema.description !== undefined) return schema;
  return { ...schema, description };
}

function uniqueKey(name: string, place: string, taken: Set<string>): string {
  // Ajv cannot check a property named `__proto__`, and a script's object literal cannot hold one.
  let key = taken.has(name) || name === "__proto__" ? `${place}_${name}` : name;
  for (let n = 2; taken.has(key); n++) key = `${place}_${name}_${n}`;
  taken.add(key);
  return key;
}

/** Follows local `$ref`s (of parameters, bodies, responses, path items) to the object they name. */
function resolve(doc: Node, value: unknown): unknown {
  let node = value;
  for (let hops = 0; isObject(node) && typeof node.$ref === "string"; hops++) {
    if (hops >= MAX_REF_HOPS) throw new SchemaProblem("a chain of $refs is too long or loops");
    const ref: string = node.$ref;
    if (!ref.startsWith("#")) throw new SchemaProblem(`$ref "${ref.slice(0, 200)}" was not loaded`);
    node = lookup(doc, decodePointer(ref.slice(1)));
    if (node === undefined) throw new SchemaProblem(`$ref "${ref.slice(0, 200)}" does not resolve`);
  }
  return node;
}

function isJson(mediaType: string): boolean {
  return /^application\/(.+\+)?json\b/i.test(mediaType) || mediaType === "*/*";
}

function isObject(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
