/**
 * The declarations of the two discovery calls every script has besides its
 * tools: `tools.$search` (its result is `ToolMatch[]`, see `search.ts`) and
 * `tools.$types` (a string of declarations, see `catalog.ts`). Their inputs
 * are checked on the host (`Codemode`'s `#discover`) with the same bounds.
 *
 * @module
 */
import { formatJsDoc } from "./ts_text.ts";

/** The most matches `tools.$search` returns. */
export const MAX_SEARCH_LIMIT = 50;
/** The longest `tools.$search` query, in characters. */
export const MAX_SEARCH_QUERY_CHARS = 500;
/** The most names one `tools.$types` call takes. */
export const MAX_TYPES_NAMES = 100;

/**
 * The members declaring `$search` and `$types`, indented for the body of
 * `declare const tools: {…}`.
 *
 * @param indent the indentation of a member.
 * @returns the lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderDiscoveryMembers } from "./discovery.ts";
 * const text = renderDiscoveryMembers("  ").join("\n");
 * assert.match(text, /\$search\(query: string, limit\?: number\): Promise<\{/);
 * assert.match(text, /\$types\(names: string \| string\[\]\): Promise<string>;/);
 * ```
 */
export function renderDiscoveryMembers(indent: string): string[] {
  const inner = indent + "  ";
  const field = (doc: string, declaration: string) => [...formatJsDoc(doc, [], inner), `${inner}${declaration}`];
  return [
    ...formatJsDoc("Finds tools by keywords (names, namespaces, descriptions, input fields), best first.", [
      `@param query keywords, 1 to ${MAX_SEARCH_QUERY_CHARS} characters, e.g. "list issues".`,
      `@param limit the most matches, an integer from 1 to ${MAX_SEARCH_LIMIT}; default 10.`,
      "@returns an array of matches (not text): `.map((m) => m.signature)` lists their signatures.",
    ], indent),
    `${indent}$search(query: string, limit?: number): Promise<{`,
    ...field("The tool's name as registered, e.g. `github.list-issues`.", "name: string;"),
    ...field("Relevance, higher is better.", "score: number;"),
    ...field(
      "How to call it, on one line, e.g. `tools.weather.get(input: { city: string }): Promise<unknown>`.",
      "signature: string;",
    ),
    ...field("What the tool does; empty when it has no description.", "description: string;"),
    `${indent}}[]>;`,
    ...formatJsDoc("The full TypeScript declarations of tools or whole namespaces.", [
      `@param names a tool (\`"weather.get"\`) or namespace (\`"github"\`), or an array of 1 to ${MAX_TYPES_NAMES} of them.`,
      "@returns the declarations, as one string of TypeScript source.",
    ], indent),
    `${indent}$types(names: string | string[]): Promise<string>;`,
  ];
}
