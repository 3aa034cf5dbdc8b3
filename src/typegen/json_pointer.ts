/**
 * Local `$ref` handling: parsing `#/...` references into JSON pointers,
 * looking them up, and comparing the sub-schemas they reach. Internal to
 * `typegen`.
 *
 * @module
 */

import type { JsonSchema } from "../tools/json_schema.ts";

/**
 * The JSON pointer of a document-local `$ref` (`#/$defs/A` → `/$defs/A`,
 * `#` → ``), or undefined for references to other documents.
 */
export function refToPointer(ref: string): string | undefined {
  if (!ref.startsWith("#")) return undefined;
  try {
    return decodeURIComponent(ref.slice(1));
  } catch {
    return ref.slice(1);
  }
}

/** The unescaped segments of a JSON pointer. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** A JSON pointer built from unescaped segments. */
export function segmentsToPointer(segments: string[]): string {
  return segments.map((s) => "/" + s.replaceAll("~", "~0").replaceAll("/", "~1"))
    .join("");
}

/** The sub-schema a pointer reaches inside `root`, if it is a schema. */
export function lookupPointer(
  root: JsonSchema,
  pointer: string,
): JsonSchema | undefined {
  let node: unknown = root;
  for (const segment of pointerSegments(pointer)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  const isSchema = typeof node === "boolean" ||
    (typeof node === "object" && node !== null && !Array.isArray(node));
  return isSchema ? node as JsonSchema : undefined;
}

/** Pointers of every `$defs`/`definitions` entry directly under the root. */
export function definitionPointers(root: JsonSchema): string[] {
  if (typeof root === "boolean") return [];
  const pointers: string[] = [];
  for (const keyword of ["$defs", "definitions"] as const) {
    for (const name of Object.keys(root[keyword] ?? {})) {
      pointers.push(segmentsToPointer([keyword, name]));
    }
  }
  return pointers;
}

/** Pointers of all local `$ref`s found anywhere inside `value`. */
function localRefs(value: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) localRefs(item, found);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const pointer = key === "$ref" && typeof child === "string" ? refToPointer(child) : undefined;
      if (pointer !== undefined) found.add(pointer);
      else localRefs(child, found);
    }
  }
  return found;
}

/**
 * Whether `pointer` reaches the same schema in both roots, including every
 * schema it transitively references, so one type alias can serve both.
 */
export function sameReachableSchemas(
  a: JsonSchema,
  b: JsonSchema,
  pointer: string,
): boolean {
  const seen = new Set<string>();
  const queue = [pointer];
  while (queue.length > 0) {
    const current = queue.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const left = lookupPointer(a, current);
    const right = lookupPointer(b, current);
    if (canonicalJson(left) !== canonicalJson(right)) return false;
    queue.push(...localRefs(left, new Set()));
  }
  return true;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      typeof v === "object" && v !== null && !Array.isArray(v)
        ? Object.fromEntries(
          Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
        : v,
  ) ?? "undefined";
}
