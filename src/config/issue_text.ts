/**
 * Turns zod issues into short messages that show the offending value:
 * `expected number, got "30s"`.
 *
 * @module
 */
import type { z } from "zod";

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  int: "integer",
  record: "a mapping",
};

/**
 * Describes a value briefly for an error message.
 *
 * @param value any parsed value.
 * @returns e.g. `"30s"`, `0`, `null`, `a list`, `a mapping`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { showValue } from "./issue_text.ts";
 * assert.equal(showValue("30s"), '"30s"');
 * assert.equal(showValue([1]), "a list");
 * ```
 */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  return String(value);
}

function bound(issue: { origin: string; inclusive?: boolean }, limit: number | bigint, word: "least" | "most"): string {
  if (issue.origin === "string") return word === "least" ? `expected at least ${limit} characters` : `too long`;
  if (issue.origin === "array") return `expected at ${word} ${limit} items`;
  if (!issue.inclusive && limit === 0 && word === "least") return "expected a positive number";
  const cmp = issue.inclusive === false ? (word === "least" ? "more than" : "less than") : `at ${word}`;
  return `expected ${cmp} ${limit}`;
}

/**
 * Describes one zod issue, using the value found at its path.
 *
 * @param issue the zod issue.
 * @param value the value at the issue's path (`undefined` when missing).
 * @returns the message, without the path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { describeIssue } from "./issue_text.ts";
 * const issue = z.number().safeParse("30s").error!.issues[0];
 * assert.equal(describeIssue(issue, "30s"), 'expected number, got "30s"');
 * ```
 */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const got = `got ${showValue(value)}`;
  switch (issue.code) {
    case "invalid_type": {
      // A key that no value may have (a refused feature) carries its own explanation.
      if (issue.expected === "never") return issue.message;
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return value === undefined ? `required (${expected})` : `expected ${expected}, ${got}`;
    }
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      return `${bound(issue, issue.minimum, "least")}, ${got}`;
    case "too_big":
      return `${bound(issue, issue.maximum, "most")}, ${got}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, ${got}`;
    case "invalid_format":
      // Every format check in the schema carries its own message ("expected an http(s) URL").
      return `${issue.message}, ${got}`;
    case "invalid_key": {
      // The value at the path is the entry's value; the key itself is what is wrong.
      const key = issue.path.at(-1);
      return issue.issues.map((inner) => describeIssue(inner as z.core.$ZodIssue, key)).join("; ");
    }
    default:
      return issue.message;
  }
}
