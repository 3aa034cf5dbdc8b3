/**
 * JSON Schema `uniqueItems` without comparing every pair. Ajv compares every
 * pair of items with a deep equality unless their type is a known scalar:
 * 80,000 numbers held the host for seconds. Here numbers are sorted as
 * doubles (`1` and `1.0` are one number), other scalars go in a `Set`, and
 * arrays and objects get one canonical key each (JSON with sorted object keys,
 * so key order does not matter) in a `Set`: time and memory grow with the size
 * of the array (times a log factor for the sorts), never with its square.
 *
 * @module
 */
import type { FuncKeywordDefinition, SchemaValidateFunction } from "ajv";

/**
 * The canonical text of a JSON value: equal values (in the JSON Schema sense) give equal text.
 *
 * @param value a JSON value.
 * @returns its canonical JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./unique_items.ts";
 * assert.equal(canonicalJson({ b: [1.0, "x"], a: null }), canonicalJson({ a: null, b: [1, "x"] }));
 * assert.notEqual(canonicalJson("1"), canonicalJson(1));
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys) ?? "undefined";
}

// Native JSON.stringify does the work; an object whose keys are out of order is replaced by a sorted copy.
function sortKeys(_key: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
  if (sorted) return value;
  const copy: Record<string, unknown> = {};
  for (const key of keys.sort()) copy[key] = (value as Record<string, unknown>)[key];
  return copy;
}

/**
 * Finds two equal items (in the JSON Schema sense), if any.
 *
 * @param items the array.
 * @returns the indexes `[earlier, later]` of one repeat, or `undefined` when all items differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstDuplicate } from "./unique_items.ts";
 * assert.deepEqual(firstDuplicate([{ a: 1, b: 2 }, 3, { b: 2, a: 1 }]), [0, 2]);
 * assert.equal(firstDuplicate([1, "1", [1]]), undefined);
 * ```
 */
export function firstDuplicate(items: readonly unknown[]): [number, number] | undefined {
  // Numbers are sorted and compared with their neighbours (a Set of 150,000
  // doubles is slower); other scalars are their own keys; only arrays and
  // objects need the canonical text.
  const numbers = new Float64Array(items.length);
  let count = 0;
  const others = new Set<unknown>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item === "number") {
      numbers[count++] = item;
      continue;
    }
    const key = typeof item === "object" && item !== null ? canonicalJson(item) : item;
    if (others.has(key)) return earliestPair(items, i);
    others.add(key);
  }
  const sorted = numbers.subarray(0, count).sort();
  for (let k = 1; k < count; k++) {
    if (sorted[k] === sorted[k - 1]) return earliestPair(items, items.indexOf(sorted[k], items.indexOf(sorted[k]) + 1));
  }
  return undefined;
}

// Runs once, on failure: finding the earlier copy costs no more than the first pass.
function earliestPair(items: readonly unknown[], later: number): [number, number] {
  const key = canonicalJson(items[later]);
  return [items.findIndex((item) => canonicalJson(item) === key), later];
}

// Ajv reads a function keyword's errors from the function itself.
const validateUniqueItems: SchemaValidateFunction = (schema: boolean, data: unknown[]) => {
  const duplicate = schema ? firstDuplicate(data) : undefined;
  if (!duplicate) return true;
  const [j, i] = duplicate;
  validateUniqueItems.errors = [{
    keyword: "uniqueItems",
    message: `must NOT have duplicate items (items ## ${j} and ${i} are identical)`,
    params: { i, j },
  }];
  return false;
};

/**
 * The keyword definition that replaces Ajv's own `uniqueItems`
 * (`ajv.removeKeyword("uniqueItems"); ajv.addKeyword(uniqueItemsKeyword)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Ajv2020 } from "ajv/dist/2020.js";
 * import { uniqueItemsKeyword } from "./unique_items.ts";
 * const ajv = new Ajv2020();
 * ajv.removeKeyword("uniqueItems");
 * ajv.addKeyword(uniqueItemsKeyword);
 * const check = ajv.compile({ type: "array", uniqueItems: true });
 * assert.equal(check([{ a: 1, b: 2 }, { b: 2, a: 1 }]), false);
 * assert.equal(check([1, 2, 3]), true);
 * ```
 */
export const uniqueItemsKeyword: FuncKeywordDefinition = {
  keyword: "uniqueItems",
  type: "array",
  schemaType: "boolean",
  errors: true,
  validate: validateUniqueItems,
};
