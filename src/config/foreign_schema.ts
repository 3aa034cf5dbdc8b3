/**
 * Schemas of tools from other libraries, recognised by shape so that Codemode
 * depends on none of them: zod v4, the AI SDK's `jsonSchema()`/`zodSchema()`
 * wrapper, and plain JSON Schema.
 *
 * @module
 */
import type { SchemaLike } from "../tools/define.ts";
import { isZodSchema } from "../tools/validate.ts";

/**
 * Tells whether a value looks like an AI SDK schema wrapper (`jsonSchema()`, `zodSchema()`).
 *
 * @param value any value.
 * @returns true when it has a `jsonSchema` property and a `validate` function or the `_type` marker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSchemaWrapper } from "./foreign_schema.ts";
 * assert.ok(isSchemaWrapper({ jsonSchema: { type: "object" }, validate: () => ({ success: true }) }));
 * assert.ok(!isSchemaWrapper({ type: "object" }));
 * ```
 */
export function isSchemaWrapper(value: unknown): value is { readonly jsonSchema: unknown } {
  return typeof value === "object" && value !== null && "jsonSchema" in value &&
    (typeof (value as { validate?: unknown }).validate === "function" || "_type" in value);
}

/**
 * Tells whether a value looks like a zod v3 schema (which Codemode cannot turn into JSON Schema).
 *
 * @param value any value.
 * @returns true for objects with `_def` and `safeParse` but no zod v4 `_zod`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isZodV3Schema } from "./foreign_schema.ts";
 * assert.ok(isZodV3Schema({ _def: {}, safeParse: () => ({}) }));
 * ```
 */
export function isZodV3Schema(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_def" in value && !("_zod" in value) &&
    typeof (value as { safeParse?: unknown }).safeParse === "function";
}

/**
 * Converts a foreign tool's schema into one `defineTool` accepts.
 *
 * @param value zod v4, an AI SDK schema wrapper, or (when `allowJsonSchema`) a JSON Schema object.
 * @param where names the tool and schema in errors.
 * @param allowJsonSchema whether a bare JSON Schema object is accepted (LangChain allows it; the AI SDK does not).
 * @returns the schema.
 * @throws {TypeError} for zod v3, an asynchronous wrapper or anything else, naming `where`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignSchema } from "./foreign_schema.ts";
 * const wrapped = { jsonSchema: { type: "object" }, validate: () => ({ success: true }) };
 * assert.deepEqual(foreignSchema(wrapped, "tool x input"), { type: "object" });
 * assert.throws(() => foreignSchema(42, "tool x input"), /tool x input/);
 * ```
 */
export function foreignSchema(value: unknown, where: string, allowJsonSchema = false): SchemaLike<unknown> {
  if (isZodSchema(value)) return value;
  if (isZodV3Schema(value)) {
    throw new TypeError(`${where}: zod v3 schemas are not supported; use zod v4 (or "zod/v4") or JSON Schema`);
  }
  if (isSchemaWrapper(value)) {
    const json = value.jsonSchema;
    if (typeof (json as { then?: unknown } | null)?.then === "function") {
      throw new TypeError(`${where}: asynchronous jsonSchema() is not supported; pass the schema object itself`);
    }
    return json as SchemaLike<unknown>;
  }
  if (allowJsonSchema && typeof value === "object" && value !== null && !Array.isArray(value)) {
    return value as SchemaLike<unknown>;
  }
  throw new TypeError(`${where}: expected a zod (v4) schema${allowJsonSchema ? ", JSON Schema" : ""} or jsonSchema()`);
}
