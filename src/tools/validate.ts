/**
 * Input and output validation for tools: zod schemas validate with zod;
 * plain JSON Schema validates with Ajv (draft 2020-12, which also reads the
 * draft-07 schemas most MCP servers send).
 *
 * @module
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { z } from "zod";
import type { JsonSchema, JsonSchemaObject } from "./json_schema.ts";

/** The outcome of validating a value. */
export type Validation<T> = { ok: true; value: T } | {
  ok: false;
  issues: string[];
};

/** A validator for one schema. */
export type Validator<T> = (value: unknown) => Validation<T>;

/**
 * The part of a zod (v4) schema Codemode relies on, recognized by shape so
 * that any copy of zod works.
 */
export interface ZodLike<T = unknown> {
  /** zod's internals. */
  readonly _zod: unknown;
  /** Parses a value without throwing. */
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: ZodIssueLike[] } };
}

/** A zod validation issue: where and what. */
export interface ZodIssueLike {
  /** Path to the offending value. */
  readonly path: PropertyKey[];
  /** What is wrong. */
  readonly message: string;
}

type ZodSchema<T = unknown> = ZodLike<T>;

/**
 * Tells a zod schema from a JSON Schema object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { isZodSchema } from "./validate.ts";
 * assert.ok(isZodSchema(z.string()));
 * assert.ok(!isZodSchema({ type: "string" }));
 * ```
 */
export function isZodSchema(schema: unknown): schema is ZodSchema {
  return typeof schema === "object" && schema !== null && "_zod" in schema &&
    typeof (schema as { safeParse?: unknown }).safeParse === "function";
}

/**
 * Converts a zod schema to JSON Schema, or checks and returns a JSON Schema.
 *
 * @throws {TypeError} when the schema is neither zod nor a JSON Schema object,
 * or when zod cannot represent it (e.g. a transform), naming `where`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { toJsonSchema } from "./validate.ts";
 * assert.equal((toJsonSchema(z.object({ a: z.string() }), "x") as { type: string }).type, "object");
 * ```
 */
export function toJsonSchema(schema: unknown, where: string): JsonSchema {
  if (isZodSchema(schema)) {
    try {
      const json = z.toJSONSchema(schema as unknown as z.ZodType, {
        io: "input",
        unrepresentable: "any",
      }) as JsonSchemaObject;
      delete json.$schema;
      return json;
    } catch (e) {
      throw new TypeError(
        `${where}: zod schema cannot be turned into JSON Schema: ${(e as Error).message}`,
      );
    }
  }
  if (
    typeof schema === "boolean" ||
    (typeof schema === "object" && schema !== null && !Array.isArray(schema))
  ) {
    return schema as JsonSchema;
  }
  throw new TypeError(
    `${where}: expected a zod schema or a JSON Schema object, got ${typeof schema}`,
  );
}

const ajv = new Ajv2020({
  allErrors: true,
  strict: false,
  validateFormats: false,
});

/**
 * Builds a validator for a zod schema or a JSON Schema.
 *
 * @throws {TypeError} when a JSON Schema does not compile, naming `where`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeValidator } from "./validate.ts";
 * const v = makeValidator({ type: "object", properties: { n: { type: "number" } }, required: ["n"] }, "t");
 * assert.deepEqual(v({ n: 1 }), { ok: true, value: { n: 1 } });
 * assert.equal(v({}).ok, false);
 * ```
 */
export function makeValidator<T>(schema: unknown, where: string): Validator<T> {
  if (isZodSchema(schema)) {
    return (value) => {
      const r = (schema as ZodSchema<T>).safeParse(value);
      return r.success ? { ok: true, value: r.data } : { ok: false, issues: r.error.issues.map(zodIssue) };
    };
  }
  let check: ReturnType<typeof ajv.compile>;
  try {
    check = ajv.compile(structuredClone(schema as object));
  } catch (e) {
    throw new TypeError(
      `${where}: invalid JSON Schema: ${(e as Error).message}`,
    );
  }
  return (value) => {
    if (check(value)) return { ok: true, value: value as T };
    return { ok: false, issues: (check.errors ?? []).map(ajvIssue) };
  };
}

function zodIssue(issue: ZodIssueLike): string {
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

function ajvIssue(
  error: {
    instancePath: string;
    message?: string;
    params?: Record<string, unknown>;
  },
): string {
  const path = error.instancePath.slice(1).replaceAll("/", ".");
  const extra = error.params?.missingProperty
    ? ` (${error.params.missingProperty})`
    : error.params?.additionalProperty
    ? ` (${error.params.additionalProperty})`
    : "";
  const message = `${error.message ?? "is invalid"}${extra}`;
  return path ? `${path}: ${message}` : message;
}
