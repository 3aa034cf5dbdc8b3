/**
 * The script's discovery calls, `tools.$search(query, limit?)` and
 * `tools.$types(names)`, answered on the host from a {@linkcode Discovery}:
 * their inputs checked, their failures a `ToolError` the script reads.
 *
 * @module
 */
import { z } from "zod";
import { ToolError } from "../tools/run.ts";
import { type Discovery, MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY_CHARS, MAX_TYPES_NAMES } from "./discovery.ts";

const SEARCH_INPUT = z.object({
  query: z.string().min(1).max(MAX_SEARCH_QUERY_CHARS),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional(),
});
const TYPES_INPUT = z.object({ names: z.array(z.string().min(1).max(256)).min(1).max(MAX_TYPES_NAMES) });

/**
 * Answers one discovery call of the script.
 *
 * @param discovery discovery over the tools the model may see.
 * @param name `$search` or `$types`.
 * @param input the call's input as the sandbox sent it.
 * @returns the matches (`$search`), or the declarations with a note on unknown names (`$types`).
 * @throws {ToolError} for an invalid input, or `$types` names none of which is known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Discovery } from "./discovery.ts";
 * import { answerDiscoveryCall } from "./discovery_call.ts";
 * const discovery = new Discovery([{ name: "weather.get", path: ["weather", "get"], inputSchema: { type: "object" } }]);
 * const matches = answerDiscoveryCall(discovery, "$search", { query: "weather" }) as { name: string }[];
 * assert.equal(matches[0].name, "weather.get");
 * assert.throws(() => answerDiscoveryCall(discovery, "$types", { names: [] }), /tools\.\$types/);
 * ```
 */
export function answerDiscoveryCall(discovery: Discovery, name: "$search" | "$types", input: unknown): unknown {
  if (name === "$search") {
    const parsed = SEARCH_INPUT.safeParse(input);
    if (!parsed.success) {
      throw new ToolError(`tools.$search(query: string, limit?: number): ${parsed.error.issues[0].message}`);
    }
    return discovery.search(parsed.data.query, parsed.data.limit ?? 10);
  }
  const parsed = TYPES_INPUT.safeParse(input);
  if (!parsed.success) {
    throw new ToolError(`tools.$types(names: string | string[]): ${parsed.error.issues[0].message}`);
  }
  // Answered as the MCP server's get_tool_types: unknown names get suggestions, and fail only when none is known.
  const { declarations, unknown } = discovery.lookup(parsed.data.names);
  if (unknown.length === 0) return declarations;
  const note = discovery.unknownNote(unknown);
  if (!declarations) throw new ToolError(`tools.$types: ${note}`);
  return note.split("\n").map((line) => `// ${line}`).join("\n") + "\n\n" + declarations;
}
