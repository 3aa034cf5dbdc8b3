/**
 * Linear-time regular expressions for validation: a JavaScript pattern is
 * rewritten where RE2 reads it differently, then compiled with `re2js` (a
 * pure-JS RE2). RE2 never backtracks, so a test takes time linear in the
 * input whatever the pattern; a backtracking pattern (`^(a+)+$`) cannot
 * hold the host's event loop.
 *
 * RE2 has no lookaround and no backreferences: such patterns do not compile
 * here, and each caller decides what that means ({@linkcode linearRegExp}
 * returns the reason).
 *
 * Differences from JavaScript that remain: without the `u` flag, JavaScript
 * counts a character outside the BMP as two, RE2 as one; with `m`, `^` and
 * `$` see only `\n` as a line end; `i` folds case by Unicode's simple folding.
 *
 * @module
 */
import { RE2JS } from "re2js";

/** What {@linkcode linearRegExp} returns: something that tests strings in linear time. */
export interface LinearTest {
  /** Whether the pattern matches any part of `input`, as `RegExp.prototype.test`. */
  test(input: string): boolean;
  /** `/source/flags`, as `RegExp.prototype.toString`. */
  toString(): string;
}

/** A JavaScript pattern RE2 cannot run, and why. */
export interface Unsupported {
  /** What in it RE2 cannot run: "a lookahead", "a backreference", "this syntax (…)". */
  readonly unsupported: string;
}

// JavaScript's \s (ECMA-262 WhiteSpace and LineTerminator); RE2's \s is ASCII only.
const JS_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
// What `.` does not match without the `s` flag; RE2's `.` excludes only \n.
const LINE_END = "\\n\\r\\u2028\\u2029";
// Escapes JavaScript gives a meaning to; any other letter escape is that letter (without `u`).
const KNOWN_ESCAPES = new Set("dDwWsSbBnrtfvcxu0".split(""));
const CACHE_LIMIT = 1000;
const cache = new Map<string, LinearTest | Unsupported>();

/**
 * Compiles a JavaScript pattern to a linear-time tester, or says why RE2 cannot run it.
 *
 * @param source the pattern, as `RegExp.prototype.source`.
 * @param flags JavaScript flags; `g` and `d` are ignored, `y` and `v` are unsupported.
 * @returns a tester, or `{ unsupported }`.
 * @throws {SyntaxError} when JavaScript itself rejects the pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearRegExp } from "./linear_regex.ts";
 * const re = linearRegExp("^(a+)+$", "u");
 * assert.ok("test" in re && re.test("aaa") && !re.test("a".repeat(10_000) + "!"));
 * assert.deepEqual(Object.keys(linearRegExp("^(?=a)", "u")), ["unsupported"]);
 * ```
 */
export function linearRegExp(source: string, flags = ""): LinearTest | Unsupported {
  const key = `${flags}/${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  new RegExp(source, flags); // the pattern must be valid JavaScript first
  const made = compile(source, flags);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, made);
  return made;
}

function compile(source: string, flags: string): LinearTest | Unsupported {
  if (flags.includes("y")) return { unsupported: "the sticky flag y" };
  if (flags.includes("v")) return { unsupported: "the v flag" };
  const rewritten = rewrite(source, flags);
  if (typeof rewritten !== "string") return rewritten;
  const inline = [...flags].filter((f) => "ims".includes(f)).join("");
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile((inline ? `(?${inline})` : "") + RE2JS.translateRegExp(rewritten));
  } catch (e) {
    return { unsupported: lookaround(source) ?? `this syntax (${(e as Error).message})` };
  }
  const shown = `/${source}/${flags}`;
  return { test: (input) => re2.test(input), toString: () => shown };
}

function lookaround(source: string): string | undefined {
  if (/\(\?<[=!]/.test(source)) return "a lookbehind";
  if (/\(\?[=!]/.test(source)) return "a lookahead";
}

/**
 * Rewrites the parts of a JavaScript pattern RE2 reads differently: `\s`,
 * `\S` and `.` get JavaScript's sets, `[` inside a class is literal (RE2
 * would read `[[:alpha:]]` as a POSIX class), `[\b]` is a backspace, an
 * unknown letter escape is the letter; backreferences are refused.
 */
function rewrite(source: string, flags: string): string | Unsupported {
  const unicode = flags.includes("u");
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "[") {
      const end = classEnd(source, i);
      const cls = rewriteClass(source.slice(i + 1, end), unicode);
      if (typeof cls !== "string") return cls;
      out += cls;
      i = end;
    } else if (c === "\\") {
      const next = source[i + 1] ?? "";
      if (/[1-9]/.test(next) || (next === "k" && source[i + 2] === "<")) return { unsupported: "a backreference" };
      out += escape(next, unicode, false);
      i++;
    } else if (c === "." && !flags.includes("s")) {
      out += `[^${LINE_END}]`;
    } else {
      out += c;
    }
  }
  return out;
}

/** Index of the `]` that closes the class opened at `start`. */
function classEnd(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
  return i;
}

function rewriteClass(body: string, unicode: boolean): string | Unsupported {
  const negated = body.startsWith("^");
  const items = negated ? body.slice(1) : body;
  if (items === "") return negated ? "[\\d\\D]" : "[^\\d\\D]"; // JavaScript's [^] and []
  let out = "";
  let notSpace = false;
  for (let i = 0; i < items.length; i++) {
    const c = items[i];
    if (c === "\\") {
      const next = items[i + 1] ?? "";
      if (next === "S") notSpace = true;
      else out += escape(next, unicode, true);
      i++;
    } else {
      out += c === "[" ? "\\[" : c;
    }
  }
  if (!notSpace) return `[${negated ? "^" : ""}${out}]`;
  if (negated) return { unsupported: "\\S inside a negated class" };
  return out === "" ? `[^${JS_SPACE}]` : `(?:[${out}]|[^${JS_SPACE}])`;
}

function escape(next: string, unicode: boolean, inClass: boolean): string {
  if (next === "s") return inClass ? JS_SPACE : `[${JS_SPACE}]`;
  if (next === "S") return `[^${JS_SPACE}]`;
  if (next === "b" && inClass) return "\\x08";
  if (
    /[a-zA-Z]/.test(next) && !KNOWN_ESCAPES.has(next) && !(unicode && (next === "p" || next === "P" || next === "k"))
  ) {
    return next; // JavaScript without `u` reads `\z` as `z`; RE2 would read an anchor
  }
  return `\\${next}`;
}
