/**
 * Finds the tools among one module's exports: tools made with `defineTool`,
 * AI SDK tools and LangChain tools, directly, in arrays, or as values of a
 * plain object (`export const tools = { getWeather: tool({...}) }`).
 *
 * @module
 */
import { type AnyTool, isTool } from "../tools/define.ts";
import { fromAiSdkTool, isAiSdkTool } from "./from_ai_sdk.ts";
import { fromLangChainTool, isLangChainTool } from "./from_langchain.ts";

/** A tool and where it came from. */
export interface DiscoveredTool {
  /** The tool, ready to register. */
  tool: AnyTool;
  /** `path/to/module.ts#exportName`, with `[i]` for array items and `.key` for object members. */
  source: string;
}

/** What scanning one module found. */
export interface ModuleScan {
  /** The tools, in export order (default first, then named exports A–Z). */
  tools: DiscoveredTool[];
  /** Exports that look like tools but cannot be used, each naming its source. */
  problems: string[];
  /** How many tool-like values were seen, including ones skipped as already found. */
  found: number;
}

type Seen = WeakSet<object>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isToolLike(value: unknown): boolean {
  return isTool(value) || isLangChainTool(value) || isAiSdkTool(value);
}

/**
 * Converts one value if it is a tool. `name` is the export or key name an AI SDK tool is
 * known by, `undefined` for array items (which have none).
 */
function convert(value: unknown, name: string | undefined, source: string, scan: ModuleScan, seen: Seen): void {
  if (typeof value !== "object" || value === null) return;
  scan.found++;
  if (seen.has(value)) return;
  // A tool exported twice (`export const t = …; export default [t]`) is one tool.
  seen.add(value);
  try {
    if (isTool(value)) scan.tools.push({ tool: value, source });
    else if (isLangChainTool(value)) scan.tools.push({ tool: fromLangChainTool(value), source });
    else if (name === undefined) {
      scan.problems.push(`${source}: an AI SDK tool in a list has no name; export it by name or in an object`);
    } else scan.tools.push({ tool: fromAiSdkTool(name, value as Parameters<typeof fromAiSdkTool>[1]), source });
  } catch (e) {
    scan.problems.push(`${source}: ${(e as Error).message}`);
  }
}

function scanExport(value: unknown, name: string, source: string, scan: ModuleScan, seen: Seen): void {
  if (isToolLike(value)) {
    if (name === "default" && !isTool(value) && !isLangChainTool(value)) {
      scan.found++;
      scan.problems.push(`${source}: a default-exported AI SDK tool has no name; export it by name`);
      return;
    }
    convert(value, name, source, scan, seen);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (isToolLike(item)) convert(item, undefined, `${source}[${i}]`, scan, seen);
    });
  } else if (isPlainObject(value)) {
    // Only one level deep: tool modules export tools or collections of them, not trees.
    for (const [key, item] of Object.entries(value)) {
      if (isToolLike(item)) convert(item, key, `${source}.${key}`, scan, seen);
    }
  }
}

/**
 * Scans a module's exports for tools (default export first, then named exports A–Z).
 *
 * @param file the module's path, used in `source`.
 * @param mod the module namespace.
 * @param seen tool objects already found (in this or earlier modules), which are skipped.
 * @returns the tools and the problems.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { scanModule } from "./tool_exports.ts";
 * const getWeather = { description: "Weather.", inputSchema: z.object({ city: z.string() }), execute: () => 21 };
 * const scan = scanModule("/t/weather.ts", { tools: { getWeather }, helper: 1 });
 * assert.deepEqual(scan.tools.map((t) => [t.tool.name, t.source]), [["getWeather", "/t/weather.ts#tools.getWeather"]]);
 * ```
 */
export function scanModule(file: string, mod: Record<string, unknown>, seen: Seen = new WeakSet()): ModuleScan {
  const scan: ModuleScan = { tools: [], problems: [], found: 0 };
  const names = Object.keys(mod).sort((a, b) => a === "default" ? -1 : b === "default" ? 1 : a < b ? -1 : 1);
  for (const name of names) scanExport(mod[name], name, `${file}#${name}`, scan, seen);
  return scan;
}
