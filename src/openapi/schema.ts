/**
 * OpenAPI schemas (3.0 and 3.1) as self-contained JSON Schemas for one tool:
 * every local `$ref` becomes `#/$defs/<Name>`, with the referenced schemas
 * (and theirs) copied into `$defs`, so cycles stay references; 3.0's
 * `nullable` and boolean `exclusiveMinimum`/`exclusiveMaximum` become their
 * JSON Schema forms; keywords that only describe (`xml`, `discriminator`,
 * `example`, `externalDocs`) are dropped. Each referenced schema is converted
 * once per spec and shared by the tools that use it.
 *
 * @module
 */
import type { JsonSchemaObject } from "../tools/json_schema.ts";

/** Why a schema cannot be used: the operation that needs it is skipped (or loses its output type). */
export class SchemaProblem extends Error {
  /** Always `SchemaProblem`. */
  override name = "SchemaProblem";
}

type Node = Record<string, unknown>;

/** How deep a schema (and the keywords inside it) may nest. */
const MAX_DEPTH = 64;
/** The most referenced schemas one tool's input or output may pull in. */
const MAX_DEFS = 400;
/** The most nodes one schema may have, counted as a tree (YAML aliases can make a small file a huge tree). */
const MAX_NODES = 100_000;
// Keywords whose value is one sub-schema, a list of them, or a map of them.
const ONE = new Set([
  "additionalProperties",
  "items",
  "not",
  "contains",
  "if",
  "then",
  "else",
  "propertyNames",
  "unevaluatedProperties",
  "unevaluatedItems",
  "additionalItems",
]);
const MANY = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const MAP = new Set(["properties", "patternProperties", "dependentSchemas"]);
const DROPPED = new Set(["xml", "discriminator", "example", "externalDocs", "$schema", "$id", "$anchor", "$comment"]);

/** A converted schema and the pointers (into the spec) of the schemas it refers to. */
interface Converted {
  schema: JsonSchemaObject | boolean;
  refs: Set<string>;
}

/**
 * Converts the schemas of one spec document. Not exported from the entry point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SchemaConverter } from "./schema.ts";
 * const doc = { components: { schemas: { Pet: { type: "object", nullable: true, properties: { self: { $ref: "#/components/schemas/Pet" } } } } } };
 * const c = new SchemaConverter(doc, "3.0");
 * const s = c.standalone({ $ref: "#/components/schemas/Pet" });
 * assert.equal(s.$ref, "#/$defs/Pet");
 * assert.deepEqual((s.$defs as Record<string, { type: unknown }>).Pet.type, ["object", "null"]);
 * ```
 */
export class SchemaConverter {
  readonly #doc: Node;
  readonly #v30: boolean;
  readonly #names = new Map<string, string>();
  readonly #taken = new Set<string>();
  readonly #done = new Map<string, Converted | SchemaProblem>();
  readonly #unresolved: ReadonlyMap<string, string>;
  #nodes = 0;

  /**
   * @param doc the (bundled) spec document.
   * @param version `3.0` or `3.1`: how `nullable` and exclusive bounds are read.
   * @param unresolved external `$ref`s the bundler could not follow → why.
   */
  constructor(doc: Node, version: "3.0" | "3.1", unresolved: ReadonlyMap<string, string> = new Map()) {
    this.#doc = doc;
    this.#v30 = version === "3.0";
    this.#unresolved = unresolved;
  }

  /**
   * A schema with the `$defs` it needs.
   *
   * @param schema a schema of the spec (it may be a `$ref`).
   * @returns the JSON Schema.
   * @throws {SchemaProblem} for a `$ref` that does not resolve, a schema too deep, or too many referenced schemas.
   */
  standalone(schema: unknown): JsonSchemaObject {
    const root = this.#convert(schema);
    const defs = this.defsOf(root.refs);
    const body = typeof root.schema === "boolean" ? (root.schema ? {} : { not: {} }) : root.schema;
    return Object.keys(defs).length === 0 ? body : { ...body, $defs: defs };
  }

  /**
   * Converts a schema, leaving its references to be collected (with others') by {@linkcode defsOf}.
   * @throws {SchemaProblem} as {@linkcode SchemaConverter.standalone} does.
   */
  part(schema: unknown): Converted {
    return this.#convert(schema);
  }

  /**
   * The `$defs` reached from some references, following theirs.
   * @throws {SchemaProblem} as {@linkcode SchemaConverter.standalone} does.
   */
  defsOf(refs: Iterable<string>): Record<string, JsonSchemaObject | boolean> {
    const defs: Record<string, JsonSchemaObject | boolean> = {};
    const queue = [...refs];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const pointer = queue.shift()!;
      if (seen.size > MAX_DEFS) throw new SchemaProblem(`it refers to more than ${MAX_DEFS} schemas`);
      const converted = this.#target(pointer);
      Object.defineProperty(defs, this.#names.get(pointer)!, {
        value: converted.schema,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      for (const next of converted.refs) {
        if (!seen.has(next)) (seen.add(next), queue.push(next));
      }
    }
    return defs;
  }

  #target(pointer: string): Converted {
    let done = this.#done.get(pointer);
    if (done === undefined) {
      const node = lookup(this.#doc, pointer);
      try {
        if (node === undefined) throw new SchemaProblem(`$ref "#${pointer}" does not resolve`);
        done = this.#convert(node);
      } catch (e) {
        done = e instanceof SchemaProblem ? e : new SchemaProblem(`schema "#${pointer}": ${(e as Error).message}`);
      }
      this.#done.set(pointer, done);
    }
    if (done instanceof SchemaProblem) throw done;
    return done;
  }

  #convert(schema: unknown): Converted {
    this.#nodes = 0;
    const refs = new Set<string>();
    return { schema: this.#node(schema, 0, refs), refs };
  }

  #node(value: unknown, depth: number, refs: Set<string>): JsonSchemaObject | boolean {
    if (typeof value === "boolean") return value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    if (depth > MAX_DEPTH) throw new SchemaProblem(`a schema nests deeper than ${MAX_DEPTH} levels`);
    if (++this.#nodes > MAX_NODES) throw new SchemaProblem(`a schema has more than ${MAX_NODES} nodes`);
    const node = value as Node;
    if (typeof node.$ref === "string") {
      const ref = this.#ref(node.$ref, refs);
      // 3.0 ignores a `$ref`'s siblings; 3.1 (JSON Schema 2020-12) keeps them, but only its description shows.
      return !this.#v30 && typeof node.description === "string" ? { ...ref, description: node.description } : ref;
    }
    const out: Node = {};
    for (const [key, item] of Object.entries(node)) {
      if (DROPPED.has(key) || key.startsWith("x-") || key === "nullable") continue;
      let converted: unknown = item;
      if (ONE.has(key)) converted = this.#node(item, depth + 1, refs);
      else if (MANY.has(key) && Array.isArray(item)) converted = item.map((i) => this.#node(i, depth + 1, refs));
      else if (MAP.has(key) && typeof item === "object" && item !== null && !Array.isArray(item)) {
        converted = mapValues(item as Node, (i) => this.#node(i, depth + 1, refs));
      } else if ((key === "$defs" || key === "definitions")) continue;
      put(out, key, converted);
    }
    if (this.#v30) this.#from30(node, out);
    return out as JsonSchemaObject;
  }

  /** 3.0 forms: `nullable: true` and boolean exclusive bounds. */
  #from30(node: Node, out: Node): void {
    for (const [flag, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
      if (typeof node[flag] !== "boolean") continue;
      delete out[flag];
      if (node[flag] === true && typeof node[bound] === "number") {
        out[flag] = node[bound];
        delete out[bound];
      }
    }
    if (node.nullable !== true) return;
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (out.type === undefined) {
      const copy = { ...out };
      for (const key of Object.keys(out)) delete out[key];
      out.anyOf = [copy, { type: "null" }];
      return;
    }
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }

  #ref(ref: string, refs: Set<string>): JsonSchemaObject {
    if (!ref.startsWith("#")) {
      const why = this.#unresolved.get(ref);
      throw new SchemaProblem(`$ref "${ref.slice(0, 200)}" was not loaded${why ? `: ${why}` : ""}`);
    }
    const pointer = decodePointer(ref.slice(1));
    if (!this.#names.has(pointer)) {
      if (lookup(this.#doc, pointer) === undefined) {
        throw new SchemaProblem(`$ref "${ref.slice(0, 200)}" does not resolve`);
      }
      this.#names.set(pointer, this.#reserve(pointer));
    }
    refs.add(pointer);
    return { $ref: `#/$defs/${encodeSegment(this.#names.get(pointer)!)}` };
  }

  /**
   * A readable, unique name for a referenced schema: its last pointer segment,
   * or its `title` where that segment says nothing (a bundled file's schema is
   * referred to by where it was first used, `…/application~1json/schema`).
   */
  #reserve(pointer: string): string {
    const last = pointer.split("/").at(-1)!.replaceAll("~1", "/").replaceAll("~0", "~");
    const title = (lookup(this.#doc, pointer) as { title?: unknown } | undefined)?.title;
    const vague = /^(schema|items|\d+)$/.test(last) || last === "";
    const wanted = vague && typeof title === "string" ? title : last;
    const base = wanted.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 64) || "Schema";
    let name = base;
    for (let n = 2; this.#taken.has(name); n++) name = `${base}_${n}`;
    this.#taken.add(name);
    return name;
  }
}

/**
 * The value a JSON pointer reaches in a document, if any; only own properties.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lookup } from "./schema.ts";
 * assert.equal(lookup({ a: { "b/c": 1 } }, "/a/b~1c"), 1);
 * assert.equal(lookup({ a: {} }, "/a/constructor"), undefined);
 * ```
 */
export function lookup(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  if (!pointer.startsWith("/")) return undefined;
  let node = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Node)[key];
  }
  return node;
}

/**
 * A `#...` fragment as a JSON pointer: percent-decoded when it can be.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePointer } from "./schema.ts";
 * assert.equal(decodePointer("/components/schemas/A%20B"), "/components/schemas/A B");
 * ```
 */
export function decodePointer(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

function encodeSegment(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Sets a key as an own property, whatever its name (`__proto__` included). */
export function put(target: Node, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mapValues(source: Node, f: (value: unknown) => unknown): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(source)) put(out, key, f(value));
  return out;
}
