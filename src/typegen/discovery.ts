/**
 * Tool discovery: the {@linkcode Discovery} service (search, declarations by
 * name or namespace, suggestions) and the declarations of the two discovery
 * calls every script has besides its tools: `tools.$search` (its result is
 * `ToolMatch[]`, see `search.ts`) and `tools.$types` (a string of
 * declarations). Their inputs are checked on the host with the bounds here.
 *
 * @module
 */
import { type CatalogEntry, declarationsFor } from "./catalog.ts";
import { searchTools, type ToolMatch } from "./search.ts";
import { editDistance } from "./suggest.ts";
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

/** An unknown name given to {@linkcode Discovery.lookup}, with the names that are close to it. */
export interface UnknownName {
  /** The name as given. */
  name: string;
  /** Visible tools or namespaces that are close to it, best first (at most 5). */
  suggestions: string[];
}

/** What {@linkcode Discovery.lookup} found. */
export interface Lookup {
  /** The declarations of every known tool or namespace asked for; empty when none is known. */
  declarations: string;
  /** The names that are neither a visible tool nor a namespace. */
  unknown: UnknownName[];
}

/** Unknown names past this get no suggestions (each costs a scan of the catalogue). */
const MAX_SUGGESTED = 10;
/** The most namespaces listed by {@linkcode Discovery.namespaces}. */
const MAX_LISTED_NAMESPACES = 40;

/**
 * Tool discovery over the tools a model may see: search, declarations by
 * name or namespace, and "did you mean" suggestions. It is given only the
 * visible tools, so no answer ever names a denied tool. The sandbox's
 * `tools.$search`/`tools.$types` and unknown-tool errors, the MCP server's
 * `search_tools`/`get_tool_types` and the CLI's `types` all answer through it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Discovery } from "./discovery.ts";
 * const d = new Discovery([
 *   { name: "weather.get", path: ["weather", "get"], description: "Current weather.", inputSchema: { type: "object" } },
 * ]);
 * assert.equal(d.search("weather")[0].name, "weather.get");
 * assert.deepEqual(d.suggest("weather.gte"), ["weather.get"]);
 * const { declarations, unknown } = d.lookup(["weather", "wether"]);
 * assert.match(declarations, /get\(input/);
 * assert.deepEqual(unknown, [{ name: "wether", suggestions: ["weather"] }]);
 * ```
 */
export class Discovery {
  readonly #entries: CatalogEntry[];

  /**
   * Creates the service over a catalogue.
   * @param entries the tools the model may see (never denied ones).
   */
  constructor(entries: CatalogEntry[]) {
    this.#entries = entries;
  }

  /**
   * Finds tools by keywords, best first, each with a one-line signature.
   *
   * @param query keywords, e.g. `"list issues"`.
   * @param limit the most matches. @default {10}
   * @returns the matches.
   */
  search(query: string, limit = 10): ToolMatch[] {
    return searchTools(this.#entries, query, { limit });
  }

  /**
   * The declarations of tools or namespaces, and the names that are neither.
   *
   * @param names tool names (`weather.get`, original or identifier-safe) or namespaces (`github`).
   * @returns the declarations of the known names, and each unknown one with suggestions.
   */
  lookup(names: string[]): Lookup {
    const known = names.filter((n) => this.#entries.some((e) => nameMatches(e, n)));
    const unknown = names.filter((n) => !known.includes(n))
      .map((name, i) => ({ name, suggestions: i < MAX_SUGGESTED ? this.suggest(name) : [] }));
    const declarations = known.length > 0 ? declarationsFor(this.#entries, known) : "";
    return { declarations, unknown };
  }

  /**
   * Visible tools and namespaces close to an unknown name: by edit distance,
   * then by a search for it.
   *
   * @param name the unknown name, e.g. `weather.gte`.
   * @returns at most 5 names, best first.
   */
  suggest(name: string): string[] {
    const candidates = new Set<string>();
    for (const e of this.#entries) {
      for (let i = 1; i <= e.path.length; i++) candidates.add(e.path.slice(0, i).join("."));
    }
    const lower = name.toLowerCase();
    const close = [...candidates]
      .filter((c) => Math.abs(c.length - lower.length) <= 3) // farther ones are never close enough
      .map((c) => ({ c, d: editDistance(lower, c.toLowerCase()) }))
      .filter(({ c, d }) => d <= Math.max(2, Math.floor(c.length / 3)))
      .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1))
      .map(({ c }) => c);
    const query = name.replace(/[._$-]+/g, " ").trim();
    const searched = query ? this.search(query, 3).map((m) => m.name) : [];
    return [...new Set([...close, ...searched])].slice(0, 5);
  }

  /**
   * The top-level namespaces and how many tools each has, sorted by name.
   * @returns `[namespace, tool count]` pairs.
   */
  namespaceCounts(): [string, number][] {
    const counts = new Map<string, number>();
    for (const e of this.#entries) counts.set(e.path[0], (counts.get(e.path[0]) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  }

  /**
   * The namespaces and how many tools each has, e.g. `github (12), weather (1)`.
   * @returns the list, or `(none)`.
   */
  namespaces(): string {
    const sorted = this.namespaceCounts();
    const listed = sorted.slice(0, MAX_LISTED_NAMESPACES).map(([ns, n]) => `${ns} (${n})`);
    if (sorted.length > MAX_LISTED_NAMESPACES) listed.push(`… ${sorted.length - MAX_LISTED_NAMESPACES} more`);
    return listed.join(", ") || "(none)";
  }

  /**
   * Why a tool call's name is not a tool, with suggestions, as one sentence.
   *
   * @param name the dotted name the script called, e.g. `weather.gte`.
   * @returns e.g. `tools.weather.gte is not a tool. Did you mean: tools.weather.get?`
   */
  notATool(name: string): string {
    if (this.#entries.length === 0) return `tools.${name} is not a tool: no tools are loaded.`;
    const near = this.suggest(name);
    const hint = near.length > 0 ? ` Did you mean: ${near.map((n) => `tools.${n}`).join(", ")}?` : "";
    return `tools.${name} is not a tool.${hint}`;
  }

  /**
   * One line per unknown name of a lookup, with its suggestions, then the namespaces.
   *
   * @param unknown the unknown names of a {@linkcode Lookup}.
   * @returns the text.
   */
  unknownNote(unknown: UnknownName[]): string {
    const lines = unknown.map(({ name, suggestions }) =>
      `No tool or namespace named ${JSON.stringify(name)}.${
        suggestions.length ? ` Did you mean: ${suggestions.join(", ")}?` : ""
      }`
    );
    lines.push(`Namespaces (tool count): ${this.namespaces()}.`);
    return lines.join("\n");
  }
}

function nameMatches(entry: CatalogEntry, name: string): boolean {
  const safe = entry.path.join(".");
  return entry.name === name || safe === name || safe.startsWith(name + ".");
}
