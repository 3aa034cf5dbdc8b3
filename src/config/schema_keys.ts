/**
 * Which keys a zod schema allows at a given path, for "did you mean" hints.
 *
 * @module
 */

/** The parts of a zod (v4) schema definition this walk reads. */
interface DefLike {
  type: string;
  shape?: Record<string, unknown>;
  valueType?: unknown;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
  out?: unknown;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

function defOf(schema: unknown): DefLike | undefined {
  const def = (schema as { _zod?: { def?: DefLike } } | undefined)?._zod?.def;
  return typeof def?.type === "string" ? def : undefined;
}

/** Strips wrappers (optional, default, …) and pipes (preprocess, transform) down to the schema that holds the shape. */
function unwrap(schema: unknown): DefLike | undefined {
  let def = defOf(schema);
  for (let depth = 0; def && depth < 32; depth++) {
    if (WRAPPERS.has(def.type)) def = defOf(def.innerType);
    else if (def.type === "pipe") {
      // `.transform()` pipes the schema into a transform; `z.preprocess()` pipes a transform into the schema.
      const inner = defOf(def.in);
      def = inner?.type === "transform" ? defOf(def.out) : inner;
    } else return def;
  }
  return def;
}

/**
 * Lists the keys allowed in the object a zod schema expects at `path`.
 *
 * @param schema a zod (v4) schema.
 * @param path keys and indexes from the root to the object.
 * @returns the allowed keys in schema order; empty when there is no object there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { allowedKeysAt } from "./schema_keys.ts";
 * const schema = z.object({ servers: z.record(z.string(), z.object({ url: z.string() }).optional()) });
 * assert.deepEqual(allowedKeysAt(schema, ["servers", "a"]), ["url"]);
 * ```
 */
export function allowedKeysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let def = unwrap(schema);
  for (const segment of path) {
    if (!def) return [];
    if (def.type === "object") def = unwrap(def.shape?.[String(segment)]);
    else if (def.type === "record") def = unwrap(def.valueType);
    else if (def.type === "array") def = unwrap(def.element);
    else return [];
  }
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}
