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
 * @module
 */
import { Ajv2020 } from "ajv/dist/2020.js";
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

const ajv = new Ajv2020({
  allErrors: true,
  strict: false,
  validateFormats: false,
  code: { regExp: ajvRegExp },
});
ajv.removeKeyword("uniqueItems");
ajv.addKeyword(uniqueItemsKeyword);

/** A compiled JSON Schema: returns whether the value is valid and leaves the reasons in `errors`. */
export type JsonSchemaCheck = ReturnType<typeof ajv.compile>;

/**
 * Compiles a JSON Schema, warning once per pattern that RE2 cannot run.
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
 * ```
 */
export function compileJsonSchema(schema: unknown, where: string, warn: (message: string) => void): JsonSchemaCheck {
  const copy = structuredClone(schema) as object;
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
  return ajv.compile(copy);
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
