/**
 * `ConfigError`: every problem found in a config file, each with its position and key path.
 *
 * @module
 */

/** One problem in a config file. */
export interface ConfigIssue {
  /** The file as the caller named it (e.g. `codemode.yaml`). */
  file: string;
  /** 1-based line; 0 when the problem is the whole file (missing, too large). */
  line: number;
  /** 1-based column of the offending value or key; 0 with line 0. */
  column: number;
  /** The key path, e.g. `executor.limits.timeoutMs` or `tools[2]`; empty for the whole document. */
  path: string;
  /** What is wrong. */
  message: string;
}

/**
 * Formats one issue as `file:line:column: path: message`.
 *
 * @param issue the issue.
 * @returns one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIssue } from "./errors.ts";
 * const line = formatIssue({ file: "c.yaml", line: 2, column: 5, path: "a.b", message: "bad" });
 * assert.equal(line, "c.yaml:2:5: a.b: bad");
 * ```
 */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/**
 * A config file that cannot be used. Holds every problem found, not just the
 * first; the message lists them all, one per line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./errors.ts";
 * const e = new ConfigError([{ file: "c.yaml", line: 1, column: 1, path: "", message: "bad" }]);
 * assert.equal(e.message, "c.yaml:1:1: bad");
 * ```
 */
export class ConfigError extends Error {
  /** Always `ConfigError`. */
  override name = "ConfigError";
  /** Every problem, in file order. */
  readonly issues: ConfigIssue[];

  /**
   * Creates the error.
   *
   * @param issues the problems, at least one.
   */
  constructor(issues: ConfigIssue[]) {
    const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
    super(sorted.map(formatIssue).join("\n"));
    this.issues = sorted;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Formats a key path the way it is written in messages: `a.b`, `tools[0]`, `policies["github.*"]`.
 *
 * @param path keys and indexes from the root.
 * @returns the path as text; empty for the root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./errors.ts";
 * assert.equal(formatPath(["tools", 2]), "tools[2]");
 * assert.equal(formatPath(["policies", "github.delete*"]), 'policies["github.delete*"]');
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(String(segment))) out += out ? `.${String(segment)}` : String(segment);
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
