/**
 * Tool naming: `namespace.tool` (namespaces may nest) made into safe
 * identifier segments, e.g. `github.list-issues` → `github.list_issues`.
 *
 * @module
 */

const SAFE_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_NAME_LENGTH = 256;

/**
 * Splits a tool name into identifier segments usable as `tools.a.b`.
 *
 * @param name the tool's name, e.g. `weather.get` or `my-server.list/items`.
 * @returns the safe segments, e.g. `["weather", "get"]`.
 * @throws {TypeError} when the name is empty, too long or has an empty segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolPath } from "./names.ts";
 * assert.deepEqual(toolPath("github.list-issues"), ["github", "list_issues"]);
 * assert.deepEqual(toolPath("db.2fa"), ["db", "_2fa"]);
 * ```
 */
export function toolPath(name: string): string[] {
  if (
    typeof name !== "string" || name.length === 0 ||
    name.length > MAX_NAME_LENGTH
  ) {
    throw new TypeError(
      `Tool name must be a string of 1 to ${MAX_NAME_LENGTH} characters, got ${JSON.stringify(name)}`,
    );
  }
  return name.split(".").map((segment) => {
    if (segment === "") {
      throw new TypeError(`Tool name "${name}" has an empty segment`);
    }
    if (SAFE_SEGMENT.test(segment)) return segment;
    const safe = segment.replace(/[^A-Za-z0-9_$]/g, "_");
    return /^[0-9]/.test(safe) ? `_${safe}` : safe;
  });
}

/**
 * Tells whether a string is a plain identifier segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSafeSegment } from "./names.ts";
 * assert.ok(isSafeSegment("get"));
 * assert.ok(!isSafeSegment("list-issues"));
 * ```
 */
export function isSafeSegment(segment: string): boolean {
  return SAFE_SEGMENT.test(segment);
}
