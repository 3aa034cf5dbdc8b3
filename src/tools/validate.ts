/**
 * Input and output validation for tools: zod schemas validate with zod;
 * plain JSON Schema validates with Ajv, in the dialect its `$schema`
 * declares (draft-07, 2019-09, or 2020-12 when it declares none; `ajv.ts`).
 *
 * Validation runs on the host's event loop with input from the sandbox, so
 * it is linear in the input whatever the schema: regexes run on RE2
 * (`zod_regex.ts`, `ajv.ts`), `uniqueItems` uses a hash set
 * (`unique_items.ts`), and a failure reports at most {@linkcode MAX_ISSUES}
 * issues of at most {@linkcode MAX_ISSUE_CHARS} characters each.
 *
 * @module
 */
import { z } from "zod";
import { compileJsonSchema, type JsonSchemaCheck } from "./ajv.ts";
import type { JsonSchema, JsonSchemaObject } from "./json_schema.ts";
import { linearizeZod } from "./zod_regex.ts";

/** How many issues a failed validation reports; the rest are counted. */
export const MAX_ISSUES = 10;

/** How long one reported issue may be, in characters. */
export const MAX_ISSUE_CHARS = 200;

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

/** Options of {@linkcode makeValidator}. */
export interface ValidatorOptions {
  /** Told about JSON Schema patterns that are not checked on the host. @default {console.warn} */
  onWarning?: (message: string) => void;
}

/**
 * Builds a validator for a zod schema or a JSON Schema. A zod schema's regex
 * checks are switched to RE2 in place (see `zod_regex.ts`).
 *
 * @throws {TypeError} when a JSON Schema does not compile, or a zod pattern
 * cannot run in linear time, naming `where`.
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
export function makeValidator<T>(schema: unknown, where: string, options: ValidatorOptions = {}): Validator<T> {
  if (isZodSchema(schema)) {
    linearizeZod(schema, where);
    return (value) => {
      const r = (schema as ZodSchema<T>).safeParse(value);
      return r.success ? { ok: true, value: r.data } : { ok: false, issues: bounded(r.error.issues, zodIssue) };
    };
  }
  let check: JsonSchemaCheck;
  try {
    check = compileJsonSchema(schema, where, options.onWarning ?? ((message) => console.warn(message)));
  } catch (e) {
    throw new TypeError(
      `${where}: invalid JSON Schema: ${(e as Error).message}`,
    );
  }
  return (value) => {
    if (check(value)) return { ok: true, value: value as T };
    return { ok: false, issues: bounded(check.errors ?? [], ajvIssue) };
  };
}

/** The first {@linkcode MAX_ISSUES} issues, each cut to {@linkcode MAX_ISSUE_CHARS}, then how many more there were. */
function bounded<I>(issues: readonly I[], show: (issue: I) => string): string[] {
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => cut(show(issue), MAX_ISSUE_CHARS));
  if (issues.length > MAX_ISSUES) shown.push(`… and ${issues.length - MAX_ISSUES} more`);
  return shown;
}

/**
 * Cuts text to at most `max` characters, marking the cut with `…`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cut } from "./validate.ts";
 * assert.equal(cut("abcdef", 4), "abc…");
 * assert.equal(cut("abc", 4), "abc");
 * ```
 */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
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
