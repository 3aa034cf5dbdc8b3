/**
 * Keyword search over a tool catalogue: BM25F (per-field weights and length
 * normalisation) over each tool's name segments, namespace, description words
 * and input property names, raised for a tool whose name is what was asked.
 * Results carry a one-line TypeScript signature, so a model can call a tool it
 * found without asking for more types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { searchTools } from "./search.ts";
 * const matches = searchTools([
 *   { name: "github.listIssues", path: ["github", "listIssues"], description: "Lists issues.", inputSchema: { type: "object" } },
 *   { name: "weather.get", path: ["weather", "get"], description: "Current weather.", inputSchema: { type: "object" } },
 * ], "issue");
 * assert.equal(matches[0].name, "github.listIssues");
 * assert.equal(matches[0].signature, "tools.github.listIssues(input?: Record<string, unknown>): Promise<unknown>");
 * ```
 *
 * @module
 */
import type { JsonSchema } from "../tools/json_schema.ts";
import { renderToolSignature } from "./declarations.ts";

/** A tool as search sees it (a `CatalogEntry` fits). */
export interface SearchableTool {
  /** The tool's name as given, e.g. `github.list-issues`. */
  name: string;
  /** Namespace path of identifier-safe segments, e.g. `["github", "list_issues"]`. */
  path: string[];
  /** What the tool does. */
  description?: string;
  /** JSON Schema of its input; its property names are searched. */
  inputSchema: JsonSchema;
  /** JSON Schema of its result, for the signature. */
  outputSchema?: JsonSchema;
}

/** One search hit. */
export interface ToolMatch {
  /** The tool's name as given. */
  name: string;
  /** Relevance, higher is better; rounded to 4 decimals. */
  score: number;
  /** One-line call signature, e.g. `tools.weather.get(input: { city: string }): Promise<unknown>`. */
  signature: string;
  /** The tool's description (empty when it has none). */
  description: string;
}

/** Options of {@linkcode searchTools}. */
export interface SearchOptions {
  /** The most matches returned. @default {10} */
  limit?: number;
}

/** The default of {@linkcode SearchOptions.limit}. */
export const DEFAULT_SEARCH_LIMIT = 10;

/** How much one occurrence of a term counts, by where it occurs. */
const FIELD_WEIGHTS = { name: 3, namespace: 2, property: 1, description: 1 } as const;
type Field = keyof typeof FIELD_WEIGHTS;
const FIELDS = Object.keys(FIELD_WEIGHTS) as Field[];

/** BM25 saturation, and length normalisation (applied to each field on its own, as in BM25F). */
const K1 = 1.2;
const B = 0.75;
/** A query term that is only a prefix of a tool's term counts this much. */
const PREFIX_FACTOR = 0.5;
const MIN_PREFIX_LENGTH = 3;
/** Query terms past this are ignored (queries are keywords, not documents). */
const MAX_QUERY_TERMS = 32;
/** How deep nested input properties are read. */
const MAX_PROPERTY_DEPTH = 3;

const STOP_WORDS = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "for",
  "from",
  "in",
  "into",
  "is",
  "it",
  "its",
  "of",
  "on",
  "or",
  "the",
  "this",
  "that",
  "to",
  "with",
]);

/**
 * Splits text into lower-case search terms: words and identifiers are split
 * at camelCase humps, `_`, `-`, `.` and other punctuation; plurals are folded
 * (`issues` → `issue`); stop words are dropped.
 *
 * @param text a name, description or query.
 * @returns the terms, in order, with repeats.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenize } from "./search.ts";
 * assert.deepEqual(tokenize("github.listIssues"), ["github", "list", "issue"]);
 * assert.deepEqual(tokenize("get_HTTPResponse for a user"), ["get", "http", "response", "user"]);
 * assert.deepEqual(tokenize("listURLs"), ["list", "url"]);
 * ```
 */
export function tokenize(text: string): string[] {
  const spaced = text
    .replace(/(\p{Lu}{2,})s(?!\p{Ll})/gu, "$1S") // `PRs`, `URLs`: an acronym's plural stays one word
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2");
  const terms: string[] = [];
  for (const word of spaced.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word === "" || STOP_WORDS.has(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}

/** Folds common English plurals so that `issue` finds `listIssues`. */
function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith("ies") && word.length > 4) return word.slice(0, -3) + "y";
  if (/(?:ss|us|is|ws)$/.test(word)) return word;
  if (/(?:sses|shes|ches|xes|zes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s")) return word.slice(0, -1);
  return word;
}

/** A tool's terms, by field, each with its count. */
interface Document {
  tool: SearchableTool;
  /** Term counts per field. */
  fields: Record<Field, Map<string, number>>;
  /** Number of terms per field. */
  lengths: Record<Field, number>;
  /** The distinct terms of the tool's own name (the last path segment). */
  nameTerms: Set<string>;
  /** The distinct terms of its namespace. */
  namespaceTerms: Set<string>;
}

function propertyNames(schema: JsonSchema, depth = 0, seen = new Set<JsonSchema>()): string[] {
  if (typeof schema !== "object" || schema === null || depth > MAX_PROPERTY_DEPTH || seen.has(schema)) return [];
  seen.add(schema);
  const names: string[] = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    names.push(key, ...propertyNames(sub, depth + 1, seen));
  }
  const items = Array.isArray(schema.items) ? schema.items : schema.items === undefined ? [] : [schema.items];
  for (const sub of [...items, ...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    names.push(...propertyNames(sub, depth + 1, seen));
  }
  return names;
}

function index(tool: SearchableTool): Document {
  const terms: Record<Field, string[]> = {
    name: tokenize(tool.path.at(-1) ?? tool.name),
    namespace: tool.path.slice(0, -1).flatMap(tokenize),
    property: propertyNames(tool.inputSchema).flatMap(tokenize),
    description: tokenize(tool.description ?? ""),
  };
  const fields = {} as Record<Field, Map<string, number>>;
  const lengths = {} as Record<Field, number>;
  for (const field of FIELDS) {
    const counts = new Map<string, number>();
    for (const term of terms[field]) counts.set(term, (counts.get(term) ?? 0) + 1);
    fields[field] = counts;
    lengths[field] = terms[field].length;
  }
  return { tool, fields, lengths, nameTerms: new Set(terms.name), namespaceTerms: new Set(terms.namespace) };
}

/** How much of a query term one term of a tool is: 1 if equal, a share if the query term is a prefix of it. */
function termMatch(queryTerm: string, term: string): number {
  if (term === queryTerm) return 1;
  return queryTerm.length >= MIN_PREFIX_LENGTH && term.startsWith(queryTerm) ? PREFIX_FACTOR : 0;
}

/** A query term's count in one field: exact matches, plus a share of prefix matches. */
function fieldFrequency(counts: Map<string, number>, queryTerm: string): number {
  let f = 0;
  for (const [term, n] of counts) f += n * termMatch(queryTerm, term);
  return f;
}

/**
 * BM25F's pseudo-frequency of a query term in a tool: each field's count is
 * normalised by that field's length against its average over the catalogue,
 * weighted, and summed. A long description thus does not dilute a name
 * match, and a name with more words counts each of them for less.
 */
function pseudoFrequency(doc: Document, queryTerm: string, avgLengths: Record<Field, number>): number {
  let f = 0;
  for (const field of FIELDS) {
    const raw = fieldFrequency(doc.fields[field], queryTerm);
    if (raw === 0) continue;
    f += FIELD_WEIGHTS[field] * raw / (1 - B + B * doc.lengths[field] / (avgLengths[field] || 1));
  }
  return f;
}

/**
 * How exactly the query names the tool, from 0 to 1: the Dice overlap of the
 * tool's name terms and the query terms, leaving out query terms that name
 * only its namespace. A tool named exactly what was asked scores 1; each name
 * word the query lacks, and each query word the name lacks, lowers it. BM25
 * alone cannot see this: a word every tool's description uses (`directory` in
 * a filesystem server) is worth almost nothing, so `list directory` would
 * otherwise rank `list_allowed_directories`, whose short description says
 * `list`, above `list_directory`.
 */
function nameMatch(doc: Document, terms: string[]): number {
  const asked = terms.filter((t) => doc.nameTerms.has(t) || !doc.namespaceTerms.has(t));
  if (asked.length === 0 || doc.nameTerms.size === 0) return 0;
  let matched = 0;
  for (const term of doc.nameTerms) {
    matched += Math.max(0, ...asked.map((q) => termMatch(q, term)));
  }
  return 2 * matched / (doc.nameTerms.size + asked.length);
}

/**
 * Ranks tools by how well they match keywords, best first (ties by name),
 * with BM25F over name segments, namespaces (both weighted higher),
 * description words and input property names, each field normalised by its
 * own length. A query term also matches the start of a longer term (`conv` →
 * `convert`), at half weight. A tool's score is then raised by up to double
 * for how exactly the query spells its name, so `list directory` finds
 * `list_directory` before `list_allowed_directories`.
 *
 * @param tools the catalogue (e.g. `codemode.catalog()`).
 * @param query keywords, e.g. `"list issues"`; an empty query matches nothing.
 * @param options the most matches returned.
 * @returns the tools that match at least one term, each with a one-line signature.
 * @throws {RangeError} when `limit` is not a positive integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { searchTools } from "./search.ts";
 * const tools = [
 *   { name: "weather.get", path: ["weather", "get"], inputSchema: { type: "object" } },
 *   { name: "db.orders.list", path: ["db", "orders", "list"], description: "Orders by weather.", inputSchema: { type: "object" } },
 * ];
 * assert.deepEqual(searchTools(tools, "weather").map((m) => m.name), ["weather.get", "db.orders.list"]);
 * ```
 */
export function searchTools(tools: SearchableTool[], query: string, options: SearchOptions = {}): ToolMatch[] {
  const limit = options.limit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new RangeError(`limit must be a positive integer, got ${JSON.stringify(limit)}`);
  }
  const terms = [...new Set(tokenize(query))].slice(0, MAX_QUERY_TERMS);
  if (terms.length === 0 || tools.length === 0) return [];
  const docs = tools.map(index);
  const avgLengths = {} as Record<Field, number>;
  for (const field of FIELDS) avgLengths[field] = docs.reduce((sum, d) => sum + d.lengths[field], 0) / docs.length;
  const scores = docs.map(() => 0);
  for (const term of terms) {
    const freqs = docs.map((d) => pseudoFrequency(d, term, avgLengths));
    const n = freqs.filter((f) => f > 0).length;
    if (n === 0) continue;
    const idf = Math.log(1 + (docs.length - n + 0.5) / (n + 0.5));
    freqs.forEach((f, i) => {
      if (f > 0) scores[i] += idf * (f * (K1 + 1)) / (f + K1);
    });
  }
  // A tool named exactly what was asked scores up to twice its BM25F score.
  docs.forEach((d, i) => scores[i] *= 1 + nameMatch(d, terms));
  return docs
    .map((d, i) => ({ tool: d.tool, score: Math.round(scores[i] * 10_000) / 10_000 }))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || compareStrings(a.tool.name, b.tool.name))
    .slice(0, limit)
    .map(({ tool, score }) => ({
      name: tool.name,
      score,
      signature: renderToolSignature(tool),
      description: tool.description?.trim() ?? "",
    }));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
