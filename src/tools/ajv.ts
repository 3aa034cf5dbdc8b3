/**
 * The Ajv instance that validates plain JSON Schema, made safe for hostile
 * input: `pattern` and `patternProperties` run on RE2 (linear time, see
 * `linear_regex.ts`), `uniqueItems` is linear (`unique_items.ts`), formats
 * stay off.
 *
 * A pattern RE2 cannot run (lookaround, backreference) is treated as
 * matching every string, and a warning names the tool and the pattern: the
 * tool still loads (upstream MCP servers send such schemas), a `pattern` or
 * `propertyNames` pattern is then not checked on the host (the tool's own
 * server or handler must check it), and a `patternProperties` entry applies
 * to every property. Running it with JavaScript's backtracking engine instead
 * would let one crafted string hold the host's event loop.
 *
 * A schema is validated in the dialect its `$schema` declares: draft-07 (and
 * draft-06), 2019-09, or 2020-12, which is also the dialect of a schema that
 * declares none (as MCP says; one that is not valid 2020-12 but is valid
 * draft-07 is validated as draft-07, with a warning). A declared dialect Ajv
 * cannot speak is validated as the closest one it can, with a warning:
 * draft-04 and draft-03 as draft-07 (tuples in `items`, `dependencies`),
 * anything else as 2020-12. No meta-schema is ever fetched.
 *
 * @module
 */
import { Ajv } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import draft06 from "ajv/dist/refs/json-schema-draft-06.json" with { type: "json" };
import { linearRegExp, type LinearTest } from "./linear_regex.ts";
import { uniqueItemsKeyword } from "./unique_items.ts";

/** Ajv compiles a `pattern` with the `u` flag. */
const AJV_FLAGS = "u";

function linearOrAll(pattern: string, flags: string): LinearTest {
  const linear = linearRegExp(pattern, flags);
  if ("test" in linear) return linear;
  // Ajv keys compiled patterns by toString(): each must stay distinct.
  const shown = `/${pattern}/${flags} (not checked)`;
  return { test: () => true, toString: () => shown };
}

// `code` names the engine in standalone code, which Codemode never generates.
const ajvRegExp = Object.assign(linearOrAll, { code: "linearRegExp" });

/** The JSON Schema dialects Codemode validates. */
export type JsonSchemaDialect = "draft-07" | "2019-09" | "2020-12";

type AnyAjv = Ajv | Ajv2019 | Ajv2020;

const OPTIONS = { allErrors: true, strict: false, validateFormats: false, code: { regExp: ajvRegExp } };

function configured<T extends AnyAjv>(ajv: T): T {
  ajv.removeKeyword("uniqueItems");
  ajv.addKeyword(uniqueItemsKeyword);
  return ajv;
}

const MAKE: Record<JsonSchemaDialect, () => AnyAjv> = {
  "draft-07": () => {
    const ajv = configured(new Ajv(OPTIONS));
    ajv.addMetaSchema(draft06);
    return ajv;
  },
  "2019-09": () => configured(new Ajv2019(OPTIONS)),
  "2020-12": () => configured(new Ajv2020(OPTIONS)),
};
// Made on first use: most hosts only ever see 2020-12 (zod's) and draft-07 (most MCP servers').
const instances = new Map<JsonSchemaDialect, AnyAjv>();

function ajvFor(dialect: JsonSchemaDialect): AnyAjv {
  let ajv = instances.get(dialect);
  if (!ajv) instances.set(dialect, ajv = MAKE[dialect]());
  return ajv;
}

/** A compiled JSON Schema: returns whether the value is valid and leaves the reasons in `errors`. */
export type JsonSchemaCheck = ReturnType<Ajv2020["compile"]>;

// `http(s)://json-schema.org/draft-07/schema`, with or without `#`.
const DRAFT = /^https?:\/\/json-schema\.org\/(?:draft-(0[3467])\/schema|draft\/(2019-09|2020-12)\/schema)#?$/;

/**
 * The dialect a schema's `$schema` declares, and whether Ajv speaks it.
 *
 * @param schema a JSON Schema.
 * @returns the dialect it is validated in, and `known: false` when that is the closest, not the declared one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemaDialect } from "./ajv.ts";
 * assert.deepEqual(schemaDialect({ $schema: "http://json-schema.org/draft-07/schema#" }), { dialect: "draft-07", known: true });
 * assert.deepEqual(schemaDialect({ type: "string" }), { dialect: "2020-12", known: true });
 * assert.deepEqual(schemaDialect({ $schema: "http://json-schema.org/draft-04/schema#" }), { dialect: "draft-07", known: false });
 * ```
 */
export function schemaDialect(schema: unknown): { dialect: JsonSchemaDialect; known: boolean } {
  const declared = typeof schema === "object" && schema !== null
    ? (schema as { $schema?: unknown }).$schema
    : undefined;
  if (declared === undefined) return { dialect: "2020-12", known: true };
  const match = typeof declared === "string" ? DRAFT.exec(declared) : null;
  if (!match) return { dialect: "2020-12", known: false };
  if (match[2]) return { dialect: match[2] as JsonSchemaDialect, known: true };
  return { dialect: "draft-07", known: match[1] === "06" || match[1] === "07" };
}

/** The `$schema` Ajv knows each spelling by (`https`, no `#`, … are spellings too). */
function canonicalSchemaUri(declared: string): string {
  const match = DRAFT.exec(declared)!;
  return match[2]
    ? `https://json-schema.org/draft/${match[2]}/schema`
    : `http://json-schema.org/draft-${match[1]}/schema#`;
}

/**
 * Compiles a JSON Schema in the dialect it declares (see the module's notes),
 * warning once per pattern that RE2 cannot run, and when a declared dialect
 * is not one Ajv speaks.
 *
 * @param schema the JSON Schema (it is copied, not kept).
 * @param where names the tool and schema in warnings, e.g. `tool "a.b" input`.
 * @param warn receives each warning.
 * @returns the compiled check.
 * @throws {Error} when Ajv cannot compile the schema (including a pattern JavaScript rejects).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileJsonSchema } from "./ajv.ts";
 * const warnings: string[] = [];
 * const check = compileJsonSchema({ type: "string", pattern: "^(?!x)" }, `tool "t" input`, (w) => warnings.push(w));
 * assert.equal(check("x"), true); // not checked on the host
 * assert.match(warnings[0], /tool "t" input: the pattern "\^\(\?!x\)" is not checked on the host/);
 * // draft-07: an array of `items` is a tuple
 * const tuple = compileJsonSchema(
 *   { $schema: "http://json-schema.org/draft-07/schema#", items: [{ type: "string" }, { type: "number" }] },
 *   `tool "t" input`, () => {},
 * );
 * assert.equal(tuple(["a", 1]), true);
 * assert.equal(tuple([1, "a"]), false);
 * ```
 */
export function compileJsonSchema(schema: unknown, where: string, warn: (message: string) => void): JsonSchemaCheck {
  const copy = structuredClone(schema) as object;
  const { dialect, known } = schemaDialect(copy);
  const root = copy as { $schema?: unknown };
  if (!known) {
    const declared = String(root.$schema).slice(0, 200);
    warn(`[codemode] ${where}: JSON Schema dialect ${JSON.stringify(declared)} is validated as ${dialect}`);
    delete root.$schema;
  } else if (typeof root.$schema === "string") {
    root.$schema = canonicalSchemaUri(root.$schema);
  }
  for (const pattern of new Set(patternsOf(copy))) {
    let linear;
    try {
      linear = linearRegExp(pattern, AJV_FLAGS);
    } catch {
      continue; // invalid JavaScript: Ajv's compile reports it
    }
    if ("unsupported" in linear) {
      warn(
        `[codemode] ${where}: the pattern ${JSON.stringify(pattern)} is not checked on the host ` +
          `(RE2 cannot run ${linear.unsupported}); the tool itself must check it`,
      );
    }
  }
  try {
    return ajvFor(dialect).compile(copy) as JsonSchemaCheck;
  } catch (e) {
    if (root.$schema !== undefined || !known) throw e;
    return compileUndeclared(copy, e, where, warn);
  }
}

/**
 * A schema that declares no dialect and is not valid 2020-12: many servers
 * still write draft-07 (tuples as `items` arrays) without saying so. It is
 * validated as draft-07 when it is valid there, with a warning.
 */
function compileUndeclared(schema: object, error: unknown, where: string, warn: (m: string) => void): JsonSchemaCheck {
  let check: JsonSchemaCheck;
  try {
    check = ajvFor("draft-07").compile(schema) as JsonSchemaCheck;
  } catch {
    throw error;
  }
  const why = (error instanceof Error ? error.message : String(error)).slice(0, 200);
  warn(`[codemode] ${where}: declares no JSON Schema dialect and is not valid 2020-12 (${why}); validated as draft-07`);
  return check;
}

// Keywords whose values are data, not schemas: a "pattern" inside them is not a pattern.
const DATA_KEYWORDS = new Set(["const", "enum", "default", "examples"]);
// Keywords whose values map names to schemas: a name is never a keyword.
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);

/** Every `pattern` string and `patternProperties` key in a schema. */
function* patternsOf(node: unknown): Generator<string> {
  if (Array.isArray(node)) {
    for (const item of node) yield* patternsOf(item);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === "pattern" && typeof value === "string") yield value;
    if (typeof value !== "object" || value === null) continue;
    if (key === "patternProperties") yield* Object.keys(value);
    yield* patternsOf(SCHEMA_MAPS.has(key) && !Array.isArray(value) ? Object.values(value) : value);
  }
}
