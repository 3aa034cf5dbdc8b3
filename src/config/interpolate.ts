/**
 * Environment interpolation in config values: `${VAR}`, `${VAR:-default}` and
 * `$$` for a literal `$`. It runs on string values after YAML parsing and is
 * plain text substitution: nothing is ever evaluated by a shell, and a
 * substituted value is never scanned again (so a value cannot pull in other variables).
 *
 * @module
 */

/** Where variables come from: a record, or a lookup function. */
export type EnvSource =
  | Readonly<Record<string, string | undefined>>
  | ((name: string) => string | undefined);

/** A problem found while interpolating, at a key path. */
export interface InterpolationIssue {
  /** Keys and indexes from the root to the string. */
  path: (string | number)[];
  /** What is wrong, e.g. `environment variable TOKEN is not set`. */
  message: string;
}

/** A `${…}` reference that cannot be substituted. */
export class InterpolationError extends Error {
  /** Always `InterpolationError`. */
  override name = "InterpolationError";
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;
// Config values are a few levels deep; a bound keeps hostile input from exhausting the stack.
const MAX_DEPTH = 64;

/**
 * Reads variables from `Deno.env`, failing clearly without env permission.
 *
 * @returns a lookup function.
 * @throws {InterpolationError} from the lookup when env access is not granted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoEnv } from "./interpolate.ts";
 * Deno.env.set("CODEMODE_DOC_EXAMPLE", "1");
 * assert.equal(denoEnv()("CODEMODE_DOC_EXAMPLE"), "1");
 * ```
 */
export function denoEnv(): (name: string) => string | undefined {
  return (name) => {
    try {
      return Deno.env.get(name);
    } catch (e) {
      throw new InterpolationError(
        `cannot read environment variable ${name} (${(e as Error).name}); ` +
          `run with --allow-env=${name} or pass the variables in options.env`,
      );
    }
  };
}

function lookup(env: EnvSource, name: string): string | undefined {
  if (typeof env === "function") return env(name);
  // Own properties only: `${constructor}` must not find Object.prototype.constructor.
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

function resolveReference(inner: string, env: EnvSource): string {
  const match = REFERENCE.exec(inner);
  if (!match) {
    throw new InterpolationError(
      `invalid reference "\${${inner}}"; expected \${NAME} or \${NAME:-default} (write $$ for a literal $)`,
    );
  }
  const [, name, fallback] = match;
  const value = lookup(env, name);
  if (fallback !== undefined && (value === undefined || value === "")) return fallback;
  if (value === undefined) throw new InterpolationError(`environment variable ${name} is not set`);
  return value;
}

/**
 * Substitutes `${VAR}` and `${VAR:-default}` in one string and turns `$$` into `$`.
 * The default is used when the variable is unset or empty; a `$` not followed by
 * `{` or `$` is kept as it is, so `$(whoami)` and backticks stay literal text.
 *
 * @param text the string.
 * @param env where variables come from.
 * @returns the string with every reference substituted.
 * @throws {InterpolationError} for an unset variable without default, an unclosed `${` or a bad name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { interpolateString } from "./interpolate.ts";
 * const env = { USER: "ada", EMPTY: "" };
 * assert.equal(interpolateString("hi ${USER}, ${EMPTY:-none}, $$5, $(whoami)", env), "hi ada, none, $5, $(whoami)");
 * assert.throws(() => interpolateString("${NOPE}", env), /NOPE is not set/);
 * ```
 */
export function interpolateString(text: string, env: EnvSource): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar === -1 || dollar === text.length - 1) return out + text.slice(i);
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "{") {
      const close = text.indexOf("}", dollar + 2);
      if (close === -1) throw new InterpolationError(`unclosed "\${" at character ${dollar + 1}`);
      out += resolveReference(text.slice(dollar + 2, close), env);
      i = close + 1;
    } else {
      out += "$";
      i = dollar + 1;
    }
  }
  return out;
}

/**
 * Interpolates every string value (not keys) in parsed data, collecting every problem with its path.
 *
 * @param value parsed data: plain objects, arrays and scalars.
 * @param env where variables come from; defaults to {@linkcode denoEnv}.
 * @returns the new data (the input is not changed) and the problems; a string with a problem is kept as written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { interpolateValues } from "./interpolate.ts";
 * const r = interpolateValues({ executor: { apiKey: "${KEY}" }, n: 1 }, {});
 * assert.deepEqual(r.issues, [{ path: ["executor", "apiKey"], message: "environment variable KEY is not set" }]);
 * ```
 */
export function interpolateValues(
  value: unknown,
  env: EnvSource = denoEnv(),
): { value: unknown; issues: InterpolationIssue[] } {
  const issues: InterpolationIssue[] = [];
  const result = walk(value, env, [], issues);
  return { value: result, issues };
}

function walk(value: unknown, env: EnvSource, path: (string | number)[], issues: InterpolationIssue[]): unknown {
  if (path.length > MAX_DEPTH) {
    issues.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
    return value;
  }
  if (typeof value === "string") {
    try {
      return interpolateString(value, env);
    } catch (e) {
      issues.push({ path, message: (e as Error).message });
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => walk(item, env, [...path, i], issues));
  if (typeof value === "object" && value !== null) {
    // fromEntries defines own properties, so a "__proto__" key can never set a prototype.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, walk(item, env, [...path, key], issues)]),
    );
  }
  return value;
}
