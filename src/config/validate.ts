/**
 * Validates parsed config data against the schema, locating every problem in
 * the YAML source and suggesting the closest allowed key for unknown ones.
 *
 * @module
 */
import type { z } from "zod";
import { formatPath } from "./errors.ts";
import { describeIssue } from "./issue_text.ts";
import type { YamlLocator } from "./positions.ts";
import { type CodemodeConfig, configSchema } from "./schema.ts";
import { allowedKeysAt } from "./schema_keys.ts";
import { suggest } from "../typegen/suggest.ts";
import type { LocatedIssue } from "./yaml_document.ts";

type Path = readonly PropertyKey[];

function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function isUnder(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(path[i]) === String(segment));
}

/**
 * Whether a rule's issue concerns the object at `objectPath` or one of its keys. When that object
 * has an unknown key, the rule ("url is required") is most likely the typo's echo, so it is dropped.
 */
function isRuleOf(path: Path, objectPath: Path): boolean {
  return isUnder(path, objectPath) && path.length - objectPath.length <= 1;
}

function unknownKeys(issue: z.core.$ZodIssueUnrecognizedKeys, locator: YamlLocator): LocatedIssue[] {
  const allowed = allowedKeysAt(configSchema, issue.path);
  return issue.keys.map((key) => {
    const path = [...issue.path, key];
    const hint = suggest(key, allowed);
    return {
      ...locator.key(path),
      path: formatPath(path),
      message: hint ? `unknown key; did you mean "${hint}"?` : `unknown key; expected one of ${allowed.join(", ")}`,
    };
  });
}

function locate(issue: z.core.$ZodIssue, data: unknown, locator: YamlLocator): LocatedIssue[] {
  if (issue.code === "unrecognized_keys") return unknownKeys(issue, locator);
  const value = valueAt(data, issue.path);
  // A rule about a whole mapping ("exactly one of command or url") points at the mapping's key.
  const atKey = issue.code === "invalid_key" || (issue.code === "custom" && typeof value === "object");
  const at = atKey ? locator.key(issue.path) : locator.value(issue.path);
  return [{ ...at, path: formatPath(issue.path), message: describeIssue(issue, value) }];
}

/**
 * Validates config data (already interpolated) against {@linkcode configSchema}.
 *
 * @param data the parsed data.
 * @param locator positions of paths in the YAML source.
 * @param skip paths that already have a problem (e.g. an unset variable), so they are not reported twice.
 * @returns the config with defaults filled in, or every problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineCounter, parseDocument } from "yaml";
 * import { YamlLocator } from "./positions.ts";
 * import { validateConfig } from "./validate.ts";
 * const lineCounter = new LineCounter();
 * const doc = parseDocument("executor:\n  limts: {}\n", { lineCounter });
 * const r = validateConfig(doc.toJS(), new YamlLocator(doc, lineCounter));
 * assert.deepEqual(r.issues, [
 *   { line: 2, column: 3, path: "executor.limts", message: 'unknown key; did you mean "limits"?' },
 * ]);
 * ```
 */
export function validateConfig(
  data: unknown,
  locator: YamlLocator,
  skip: readonly Path[] = [],
): { config?: CodemodeConfig; issues: LocatedIssue[] } {
  const result = configSchema.safeParse(data);
  if (result.success) return { config: result.data, issues: [] };
  const misspelt = result.error.issues.filter((issue) => issue.code === "unrecognized_keys").map((i) => i.path);
  const issues = result.error.issues
    .filter((issue) => !skip.some((path) => isUnder(issue.path, path)))
    .filter((issue) => !(issue.code === "custom" && misspelt.some((path) => isRuleOf(issue.path, path))))
    .flatMap((issue) => locate(issue, data, locator));
  return { issues };
}
