/**
 * The texts the MCP server shows a model: the description of `execute_code`,
 * the server's instructions, and search results as text. They name the
 * namespaces, so they are rebuilt when the catalogue changes.
 *
 * @module
 */
import type { CatalogEntry } from "../../typegen/catalog.ts";
import { Discovery } from "../../typegen/discovery.ts";
import type { ToolMatch } from "../../typegen/search.ts";

/** The namespaces with their tool counts, as the description of `execute_code` names them. */
export function namespacesSummary(catalog: CatalogEntry[]): string {
  return new Discovery(catalog).namespaces();
}

/** The description of `execute_code`: how to write a script, and the namespaces. */
export function executeDescription(catalog: CatalogEntry[]): string {
  return [
    "Runs one TypeScript script in a sandbox that calls tools through the global `tools` object; returns the script's JSON result, its console output and a trace of the tool calls.",
    "The script is the body of an async function: call `await tools.<namespace>.<tool>(input)`, run independent calls together with `Promise.all`, filter and compute in the script, and `return` only the answer. There is no network, file system or import.",
    'Find tools first with search_tools (keywords → signatures) and get_tool_types (namespaces or names → TypeScript declarations); inside a script, `await tools.$search("keywords")` returns the same matches as an array of `{ name, score, signature, description }`, and `await tools.$types("namespace")` the same declarations as one string.',
    `Namespaces (tool count): ${namespacesSummary(catalog)}.`,
  ].join("\n");
}

/** The server's instructions, sent once when a client connects. */
export function instructions(catalog: CatalogEntry[]): string {
  return `Codemode: call tools by writing one TypeScript script for execute_code. Discover tools with search_tools and get_tool_types (or read the resources codemode://namespaces and codemode://types/<namespace>). Namespaces: ${
    namespacesSummary(catalog)
  }.`;
}

/** Search results as the text a model reads; no match lists the namespaces instead. */
export function matchesText(matches: ToolMatch[], query: string, discovery: Discovery): string {
  if (matches.length === 0) {
    return `No tools match ${JSON.stringify(query)}. Namespaces (tool count): ${discovery.namespaces()}.`;
  }
  return matches.map((m) => m.description ? `${m.signature}\n  ${m.description}` : m.signature).join("\n");
}
