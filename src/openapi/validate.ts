/**
 * Input validation for operation tools, made cheap for specs of a thousand
 * operations: each input schema is checked against the JSON Schema 2020-12
 * meta-schema when the spec loads (an operation whose schema is not valid is
 * skipped, named), and compiled by the core's validator (Ajv on RE2, see
 * `src/tools/validate.ts`) on the tool's first call. Compiling them all at load
 * took most of the time GitHub's spec took to load.
 *
 * @module
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { makeValidator, type Validator } from "../tools/validate.ts";

let metaChecker: Ajv2020 | undefined;

/**
 * What makes a schema invalid JSON Schema 2020-12, if anything.
 *
 * @param schema a converted input schema.
 * @returns the reason, or `undefined` when it is valid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metaSchemaProblem } from "./validate.ts";
 * assert.equal(metaSchemaProblem({ type: "object", properties: { a: { type: "string" } } }), undefined);
 * assert.match(metaSchemaProblem({ type: "file" })!, /type/);
 * ```
 */
export function metaSchemaProblem(schema: unknown): string | undefined {
  metaChecker ??= new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  if (metaChecker.validateSchema(schema as object) === true) return undefined;
  const [first] = metaChecker.errors ?? [];
  return `is not valid JSON Schema: ${first?.instancePath || "/"} ${first?.message ?? "is invalid"}`.slice(0, 300);
}

/**
 * A validator compiled on its first use.
 *
 * @param schema the input schema (already checked with {@linkcode metaSchemaProblem}).
 * @param where names the tool in messages, e.g. `tool "api.get" input`.
 * @returns the validator; if the schema cannot be compiled after all, every input is refused, saying why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lazyValidator } from "./validate.ts";
 * const check = lazyValidator({ type: "object", required: ["id"] }, `tool "a.b" input`);
 * assert.equal(check({ id: 1 }).ok, true);
 * assert.equal(check({}).ok, false);
 * ```
 */
export function lazyValidator<T>(schema: unknown, where: string): Validator<T> {
  let check: Validator<T> | undefined;
  return (value) => {
    if (check === undefined) {
      try {
        check = makeValidator<T>(schema, where);
      } catch (e) {
        const why = `its input schema cannot be checked: ${(e as Error).message}`.slice(0, 500);
        check = () => ({ ok: false, issues: [why] });
      }
    }
    return check(value);
  };
}
