/**
 * "Did you mean" suggestions for misspelt keys, by edit distance.
 *
 * @module
 */

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and
 * swaps of neighbours each cost 1, so `tpye` is one edit from `type`.
 *
 * @param a one word.
 * @param b the other word.
 * @returns the number of edits between them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { editDistance } from "./suggest.ts";
 * assert.equal(editDistance("limts", "limits"), 1);
 * assert.equal(editDistance("tpye", "type"), 1);
 * ```
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i, ...new Array<number>(b.length).fill(0)]);
  }
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/**
 * Picks the candidate closest to a word, if one is close enough to be a likely typo.
 *
 * @param word the unknown word.
 * @param candidates the words that are allowed, in preference order for ties.
 * @returns the closest candidate, or `undefined` when none is plausibly meant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suggest } from "./suggest.ts";
 * assert.equal(suggest("limts", ["type", "url", "limits"]), "limits");
 * assert.equal(suggest("banana", ["type", "url"]), undefined);
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // Case slips (`apikey`) are the likeliest typo, so compare case-insensitively.
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  // Allow about one edit per three letters: close enough to be a typo, far
  // enough apart that unrelated short words are not "suggested".
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestDistance <= allowed ? best : undefined;
}
