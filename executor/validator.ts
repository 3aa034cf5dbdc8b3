/**
 * The static validator: a cheap check of the script's text before any process
 * starts. It is defence in depth only and can be bypassed (string tricks,
 * `eval`); the sandbox's permissions are the security boundary.
 *
 * @module
 */
import type { ErrorName } from "../src/rpc/result.ts";

/** A pattern the script must not contain, with the reason shown on a match. */
export interface DeniedPattern {
  /** The pattern, matched against the whole script. */
  pattern: RegExp;
  /** Why it is denied (shown to the model). */
  reason: string;
}

/** Options of {@linkcode validateCode}. */
export interface ValidatorOptions {
  /** Largest script accepted, in bytes. @default {100000} */
  maxCodeBytes?: number;
  /** Patterns to refuse. @default {DEFAULT_DENIED_PATTERNS} */
  deniedPatterns?: DeniedPattern[];
}

/** The patterns refused by default: things the sandbox would deny anyway. */
export const DEFAULT_DENIED_PATTERNS: readonly DeniedPattern[] = Object.freeze([
  {
    pattern: /^\s*import\s+[\w*{"']/m,
    reason: "static imports are not available; use the `tools` API",
  },
  {
    pattern: /\bDeno\s*\.\s*(?:Command|run|dlopen)\b/,
    reason: "subprocesses and FFI are not available",
  },
]);

/** Why a script was refused. */
export interface ValidationFailure {
  /** Always `ValidationError`. */
  name: Extract<ErrorName, "ValidationError">;
  /** What was refused and where. */
  message: string;
  /** 1-based line of the match. */
  line?: number;
  /** 1-based column of the match. */
  column?: number;
}

/**
 * Checks a script before it runs.
 *
 * @param code the script body.
 * @param options the size cap and the denied patterns.
 * @returns `undefined` when the script may run, or why not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateCode } from "./validator.ts";
 * assert.equal(validateCode("return 1"), undefined);
 * assert.match(validateCode("x".repeat(10), { maxCodeBytes: 5 })!.message, /maxCodeBytes/);
 * ```
 */
export function validateCode(
  code: string,
  options: ValidatorOptions = {},
): ValidationFailure | undefined {
  if (typeof code !== "string") {
    return { name: "ValidationError", message: "The code must be a string" };
  }
  const max = options.maxCodeBytes ?? 100_000;
  const bytes = new TextEncoder().encode(code).length;
  if (bytes > max) {
    return {
      name: "ValidationError",
      message: `The code is ${bytes} bytes, over the ${max}-byte limit (maxCodeBytes)`,
    };
  }
  if (code.trim() === "") {
    return { name: "ValidationError", message: "The code is empty" };
  }
  for (
    const { pattern, reason } of options.deniedPatterns ??
      DEFAULT_DENIED_PATTERNS
  ) {
    const match = new RegExp(pattern.source, pattern.flags.replace("g", ""))
      .exec(code);
    if (!match) continue;
    const before = code.slice(0, match.index).split("\n");
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    return {
      name: "ValidationError",
      message: `Refused at line ${line}, column ${column}: ${reason} (matched ${JSON.stringify(match[0].trim())})`,
      line,
      column,
    };
  }
  return undefined;
}
