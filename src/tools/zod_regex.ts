/**
 * Linear-time regex checks for zod (v4) schemas. zod tests strings with the
 * `RegExp` in a check's `def.pattern` (`.regex()`, `.email()`, `.uuid()`, …),
 * in `z.url({ hostname, protocol })` and in a template literal's pattern;
 * V8 backtracks, so one crafted string can hold the host for seconds.
 * {@linkcode linearizeZod} walks a schema once, when its tool is defined, and
 * swaps each such `RegExp` for a {@linkcode LinearRegExp} (the same source and
 * flags; `test` runs on RE2).
 *
 * A pattern RE2 cannot run (lookaround, backreference) makes the tool fail to
 * load, naming the pattern: zod schemas are the host's own code, and no one
 * else would validate that input. The exceptions are zod's own format
 * patterns with lookaheads (`domain`, `hostname`, `duration`,
 * `extendedDuration`, `emoji`, `iban`): each is anchored and its lookahead is
 * bounded, and `zod_regex_test.ts` checks they stay linear on crafted inputs.
 *
 * @module
 */
import { z } from "zod";
import { linearRegExp, type LinearTest } from "./linear_regex.ts";

/** A `RegExp` whose `test` runs in linear time on RE2; `source`, `flags` and `toString` are the original's. */
export class LinearRegExp extends RegExp {
  #linear: LinearTest;

  /**
   * Wraps a pattern RE2 has compiled.
   *
   * @param original the pattern.
   * @param linear its compiled form, from `linearRegExp`.
   */
  constructor(original: RegExp, linear: LinearTest) {
    super(original.source, original.flags);
    this.#linear = linear;
  }

  /** Derived regexes (`split`, `matchAll`) are plain `RegExp`s. */
  static override get [Symbol.species](): RegExpConstructor {
    return RegExp;
  }

  /** Whether the pattern matches any part of `input`, in linear time. */
  override test(input: string): boolean {
    return this.#linear.test(String(input));
  }
}

// zod's own patterns that need a lookahead, checked by hand and by zod_regex_test.ts.
const BOUNDED_BUILTINS = new Set(
  [z.regexes.domain, z.regexes.hostname, z.regexes.iban, z.regexes.duration, z.regexes.extendedDuration]
    .concat(z.regexes.emoji()).map((re) => `/${re.source}/${re.flags}`),
);

/**
 * Makes every regex check of a zod schema run in linear time, in place.
 *
 * @param schema a zod (v4) schema; nested schemas and checks are walked too.
 * @param where names the tool and schema in errors.
 * @throws {TypeError} when a pattern cannot run in linear time, naming `where` and the pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { linearizeZod } from "./zod_regex.ts";
 * const schema = z.object({ name: z.string().regex(/^(a+)+$/) });
 * linearizeZod(schema, "tool t input");
 * assert.equal(schema.safeParse({ name: "a".repeat(100) + "!" }).success, false);
 * assert.throws(() => linearizeZod(z.string().regex(/^(?=a)/), "tool t input"), /tool t input/);
 * ```
 */
export function linearizeZod(schema: unknown, where: string): void {
  walk(schema, new Set(), where);
}

function walk(node: unknown, seen: Set<object>, where: string): void {
  if (typeof node !== "object" || node === null || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node) walk(item, seen, where);
    return;
  }
  const zod = (node as { _zod?: { def?: Record<string, unknown>; pattern?: unknown; innerType?: unknown } })._zod;
  if (zod?.def) {
    const def = zod.def;
    for (const [key, value] of Object.entries(def)) {
      if (value instanceof RegExp) def[key] = linearize(value, where);
    }
    if (def.type === "template_literal" && zod.pattern instanceof RegExp) zod.pattern = linearize(zod.pattern, where);
    // A lazy schema's getter makes a new schema per call; zod parses with the one it cached.
    if (def.type === "lazy") walk(zod.innerType, seen, where);
    walk(Object.values(def), seen, where);
    return;
  }
  const proto = Object.getPrototypeOf(node);
  if (proto === Object.prototype || proto === null) walk(Object.values(node), seen, where);
}

function linearize(pattern: RegExp, where: string): RegExp {
  if (pattern instanceof LinearRegExp) return pattern;
  const linear = linearRegExp(pattern.source, pattern.flags);
  if ("test" in linear) return new LinearRegExp(pattern, linear);
  if (BOUNDED_BUILTINS.has(String(pattern))) return pattern;
  throw new TypeError(
    `${where}: the pattern ${pattern} cannot be checked in linear time (RE2 cannot run ${linear.unsupported}); ` +
      "rewrite it without lookaround or backreferences, e.g. as several .regex() checks",
  );
}
