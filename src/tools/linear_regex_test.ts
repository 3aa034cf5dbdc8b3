import assert from "node:assert/strict";
import { linearRegExp } from "./linear_regex.ts";

Deno.test("linearRegExp() agrees with JavaScript where RE2's syntax differs", () => {
  const cases: [string, string, string][] = [
    ["^\\s$", "\v", ""],
    ["^\\s$", "\u00a0", "u"],
    ["^\\S$", "\ufeff", ""],
    ["^[\\s]$", "\u2005", ""],
    ["^[\\S\\s]$", "\n", ""],
    ["^[\\Sa]$", " ", ""],
    ["^.$", "\r", ""],
    ["^.$", "\u2028", "u"],
    ["^.$", "\n", "s"],
    ["^[^]$", "\n", ""],
    ["^a[]$", "a", ""],
    ["[[:alpha:]]", "b", ""],
    ["^[\\b]$", "\b", ""],
    ["^\\z$", "z", ""],
    ["^\\p{L}$", "é", "u"],
    ["^A$", "a", "i"],
    ["^a$", "x\na", "m"],
    ["^(?<n>a)\\u00e9$", "aé", ""],
  ];
  for (const [source, input, flags] of cases) {
    const re = linearRegExp(source, flags);
    assert.ok("test" in re, `${source} compiles`);
    assert.equal(
      re.test(input),
      new RegExp(source, flags).test(input),
      `/${source}/${flags} on ${JSON.stringify(input)}`,
    );
  }
});

Deno.test("linearRegExp() names what RE2 cannot run", () => {
  const unsupported = (source: string, flags = "") =>
    (linearRegExp(source, flags) as { unsupported: string }).unsupported;
  assert.equal(unsupported("^(?=a)"), "a lookahead");
  assert.equal(unsupported("(?<!a)b"), "a lookbehind");
  assert.equal(unsupported("^(a)\\1$"), "a backreference");
  assert.equal(unsupported("^(?<n>a)\\k<n>$"), "a backreference");
  assert.equal(unsupported("a", "y"), "the sticky flag y");
  assert.throws(() => linearRegExp("(", "u"), SyntaxError);
});
