/**
 * Finds many fixed strings in a text in one pass (Aho–Corasick, compiled to a
 * table), case-insensitively, in two views at once: the text as it is, and the
 * text with separators (whitespace, `-`, `_`, `.`, `:`, `,`, `;`, `|`) left
 * out, so that `s-e-c-r-e-t` or `s e c r e t` is found as `secret`. Time is
 * linear in the text whatever it holds: a hostile upstream writes the text.
 *
 * @module
 */

const UNITS = 0x10000;
let foldTable: Uint16Array | undefined;
let separatorTable: Uint8Array | undefined;

/** Each UTF-16 code unit's case-folded unit (itself when folding would change the length). */
function folds(): Uint16Array {
  if (foldTable) return foldTable;
  foldTable = new Uint16Array(UNITS);
  for (let unit = 0; unit < UNITS; unit++) {
    const upper = String.fromCharCode(unit).toUpperCase();
    const lower = upper.length === 1 ? upper.toLowerCase() : String.fromCharCode(unit).toLowerCase();
    foldTable[unit] = lower.length === 1 ? lower.charCodeAt(0) : unit;
  }
  return foldTable;
}

/** 1 for the code units the separator-free view leaves out. */
function separators(): Uint8Array {
  if (separatorTable) return separatorTable;
  separatorTable = new Uint8Array(UNITS);
  for (let unit = 0; unit < UNITS; unit++) {
    if (/[\s\-_.:,;|]/.test(String.fromCharCode(unit))) separatorTable[unit] = 1;
  }
  return separatorTable;
}

/**
 * The text case-folded code unit by code unit (same length, so positions hold).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fold } from "./_matcher.ts";
 * assert.equal(fold("AbC-1"), "abc-1");
 * ```
 */
export function fold(text: string): string {
  const table = folds();
  let out = "";
  for (let i = 0; i < text.length; i++) out += String.fromCharCode(table[text.charCodeAt(i)]);
  return out;
}

/**
 * The text without separators, as the separator-free view sees it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutSeparators } from "./_matcher.ts";
 * assert.equal(withoutSeparators("a b-c_d.e:f"), "abcdef");
 * ```
 */
export function withoutSeparators(text: string): string {
  const table = separators();
  let out = "";
  for (let i = 0; i < text.length; i++) if (!table[text.charCodeAt(i)]) out += text[i];
  return out;
}

/** A deterministic automaton over character classes. */
interface Automaton {
  /** `next[state * classes + class]`. */
  next: Int32Array;
  /** Length of the longest pattern that ends in each state, 0 for none. */
  longest: Int32Array;
  /** Length of the longest pattern. */
  maxLength: number;
}

/**
 * Finds folded patterns in texts; build once, scan many times.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matcher } from "./_matcher.ts";
 * const m = new Matcher(["secret"], ["secret"]);
 * assert.deepEqual(m.ranges("a SECRET, s-e-c-r-e-t"), [2, 8, 10, 21]);
 * ```
 */
export class Matcher {
  readonly #classOf: Uint16Array;
  readonly #classes: number;
  readonly #exact: Automaton;
  readonly #spaced: Automaton;

  /**
   * Builds the matcher.
   *
   * @param exact folded patterns to find in the text as it is.
   * @param spaced folded, separator-free patterns to find in the separator-free view.
   */
  constructor(exact: readonly string[], spaced: readonly string[]) {
    const table = folds();
    const classOfFolded = new Map<number, number>();
    for (const pattern of [...exact, ...spaced]) {
      for (let i = 0; i < pattern.length; i++) {
        const unit = pattern.charCodeAt(i);
        if (!classOfFolded.has(unit)) classOfFolded.set(unit, classOfFolded.size + 1);
      }
    }
    this.#classes = classOfFolded.size + 1;
    this.#classOf = new Uint16Array(UNITS);
    for (let unit = 0; unit < UNITS; unit++) this.#classOf[unit] = classOfFolded.get(table[unit]) ?? 0;
    const toClasses = (p: string) => Array.from({ length: p.length }, (_, i) => classOfFolded.get(p.charCodeAt(i))!);
    this.#exact = build(exact.map(toClasses), this.#classes);
    this.#spaced = build(spaced.map(toClasses), this.#classes);
  }

  /**
   * Where the patterns occur: disjoint, sorted `[start, end)` pairs, flattened;
   * overlapping and touching occurrences are merged.
   *
   * @param text any text.
   * @returns `[start0, end0, start1, end1, …]`, empty when nothing matched.
   */
  ranges(text: string): number[] {
    const classOf = this.#classOf, classes = this.#classes, isSeparator = separators();
    const exact = this.#exact, spaced = this.#spaced;
    // Where each of the last fed units of the separator-free view stands in the text.
    const ring = new Int32Array(Math.max(1, spaced.maxLength));
    const out: number[] = [];
    let e = 0, s = 0, fed = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      const cls = classOf[unit];
      e = exact.next[e * classes + cls];
      if (exact.longest[e] > 0) add(out, i + 1 - exact.longest[e], i + 1);
      if (isSeparator[unit]) continue;
      ring[fed % ring.length] = i;
      s = spaced.next[s * classes + cls];
      const length = spaced.longest[s];
      if (length > 0) add(out, ring[(fed + 1 - length) % ring.length], i + 1);
      fed++;
    }
    return out;
  }
}

/** Adds `[start, end)`, whose end is at or after every end so far, merging what it touches. */
function add(ranges: number[], start: number, end: number): void {
  while (ranges.length > 0 && ranges[ranges.length - 1] >= start) {
    start = Math.min(start, ranges[ranges.length - 2]);
    ranges.length -= 2;
  }
  ranges.push(start, end);
}

/** The Aho–Corasick automaton of the patterns, with every transition filled in. */
function build(patterns: number[][], classes: number): Automaton {
  const children: Map<number, number>[] = [new Map()];
  const depthEnds: number[] = [0];
  for (const pattern of patterns) {
    let state = 0;
    for (const cls of pattern) {
      let child = children[state].get(cls);
      if (child === undefined) {
        child = children.length;
        children.push(new Map());
        depthEnds.push(0);
        children[state].set(cls, child);
      }
      state = child;
    }
    depthEnds[state] = Math.max(depthEnds[state], pattern.length);
  }
  const count = children.length;
  const next = new Int32Array(count * classes);
  const longest = Int32Array.from(depthEnds);
  const fail = new Int32Array(count);
  // Breadth first: a state's fallback is shallower, so its row is complete when it is read.
  const queue: number[] = [0];
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head];
    for (let cls = 0; cls < classes; cls++) {
      const child = children[state].get(cls);
      const fallback = state === 0 ? 0 : next[fail[state] * classes + cls];
      if (child === undefined) {
        next[state * classes + cls] = fallback;
        continue;
      }
      fail[child] = fallback;
      longest[child] = Math.max(longest[child], longest[fallback]);
      next[state * classes + cls] = child;
      queue.push(child);
    }
  }
  return { next, longest, maxLength: Math.max(0, ...patterns.map((p) => p.length)) };
}
