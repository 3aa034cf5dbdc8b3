/**
 * Discovers tools from the modules and directories named in `codemode.yaml`'s
 * `tools:` or by the CLI's `--tools`: both use this one loader. Tool modules are trusted host code: importing one runs it in the host
 * process with the host's permissions, never in the sandbox.
 *
 * @module
 */
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { importProblem } from "./_import_problem.ts";
import { type DiscoveredTool, scanModule } from "./tool_exports.ts";

export type { DiscoveredTool };

/** Options of {@linkcode discoverTools}. */
export interface DiscoverOptions {
  /** Imports a module by file URL; replaceable for tests. Defaults to dynamic `import()`. */
  importModule?: (url: string) => Promise<Record<string, unknown>>;
}

/** Tool modules could not be discovered; `problems` lists each, naming the files involved. */
export class ToolDiscoveryError extends Error {
  /** Always `ToolDiscoveryError`. */
  override name = "ToolDiscoveryError";
  /** Every problem, one sentence each. */
  readonly problems: string[];

  /**
   * Creates the error.
   *
   * @param problems one sentence per problem.
   */
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.join("\n")}`);
    this.problems = problems;
  }
}

const MODULE = /\.(ts|js|mts)$/;
const EXCLUDED = /(^_|[._]test\.(ts|js|mts)$|\.d\.m?ts$)/;

/**
 * Lists the tool modules directly in a directory: `.ts`, `.js` and `.mts` files,
 * except `_*` helpers, `*_test.*`/`*.test.*` tests and `.d.ts` declarations, sorted by name.
 *
 * @param dir an absolute directory path.
 * @returns absolute module paths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listToolModules } from "./discover.ts";
 * const dir = await Deno.makeTempDir();
 * for (const f of ["b.ts", "a.js", "_util.ts", "a_test.ts", "notes.md"]) await Deno.writeTextFile(`${dir}/${f}`, "");
 * assert.deepEqual(await listToolModules(dir), [`${dir}/a.js`, `${dir}/b.ts`]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function listToolModules(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!MODULE.test(entry.name) || EXCLUDED.test(entry.name)) continue;
    const path = join(dir, entry.name);
    // Follow symlinks: a linked module counts, a linked directory does not.
    if (entry.isFile || (entry.isSymlink && (await Deno.stat(path)).isFile)) files.push(path);
  }
  return files.sort();
}

/** The modules an entry names, and whether it is a directory (whose helpers would be skipped by name). */
async function modulesOf(entry: string, problems: string[]): Promise<{ files: string[]; inDirectory: boolean }> {
  try {
    const info = await Deno.stat(entry);
    return info.isDirectory
      ? { files: await listToolModules(entry), inDirectory: true }
      : { files: [entry], inDirectory: false };
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound ? "no such file or directory" : (e as Error).message;
    problems.push(`tool path ${entry}: ${reason}`);
    return { files: [], inDirectory: false };
  }
}

function noToolsProblem(file: string, inDirectory: boolean): string {
  const helper = inDirectory ? `; a helper module in a tool directory is skipped when named "_${basename(file)}"` : "";
  return `tool module ${file} exports no tools: export tools made with defineTool, AI SDK tools or LangChain tools, ` +
    `by name, in an array or in an object${helper}`;
}

/**
 * Finds tools that share a name (after making it safe), or whose name is
 * another's namespace, naming where each came from.
 *
 * @param tools the tools with their sources.
 * @returns one sentence per clash; empty when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { defineTool } from "../tools/define.ts";
 * import { toolClashes } from "./discover.ts";
 * const tool = defineTool({ name: "a.b", input: z.object({}), handler: () => 1 });
 * const again = defineTool({ name: "a.b", input: z.object({}), handler: () => 2 });
 * assert.deepEqual(toolClashes([{ tool, source: "one.ts#default[0]" }, { tool: again, source: "two.ts#t" }]), [
 *   `tool name "a.b" is used twice: by one.ts#default[0] and by two.ts#t`,
 * ]);
 * ```
 */
export function toolClashes(tools: DiscoveredTool[]): string[] {
  const problems: string[] = [];
  const byName = new Map<string, DiscoveredTool>();
  for (const found of tools) {
    const name = found.tool.path.join(".");
    const other = byName.get(name);
    if (other) {
      problems.push(`tool name "${name}" is used twice: by ${other.source} and by ${found.source}`);
      continue;
    }
    for (const [otherName, t] of byName) {
      if (otherName.startsWith(`${name}.`) || name.startsWith(`${otherName}.`)) {
        problems.push(
          `tool "${name}" (${found.source}) and tool "${otherName}" (${t.source}) clash: ` +
            `one's name is the other's namespace`,
        );
      }
    }
    byName.set(name, found);
  }
  return problems;
}

/**
 * Imports tool modules (files, or every module directly in a directory) and
 * collects their tools: tools made with `defineTool` as they are, Vercel AI SDK
 * and LangChain tools converted. Tool modules are trusted host code: they run
 * in this process with its permissions. All problems are gathered and thrown together;
 * a module that fails to import is named with the line Deno reports
 * (`cannot import tool module /abs/tools.ts:2:7: boom`).
 *
 * @param entries absolute paths of modules or directories (relative ones start from the cwd).
 * @param options how modules are imported.
 * @returns the tools in order: entries as given, modules by name, exports default first then A–Z.
 * @throws {ToolDiscoveryError} when a path is missing, a module fails to import or exports no
 * tools, a tool cannot be converted, or two tools share a name (naming both sources).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverTools } from "./discover.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/echo.ts`, `export const echo = {
 *   name: "echo", description: "Echoes.", schema: { type: "object" }, invoke: async (x: unknown) => x,
 * };`);
 * const found = await discoverTools([dir]);
 * assert.deepEqual(found.map((t) => t.source), [`${dir}/echo.ts#echo`]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function discoverTools(entries: string[], options: DiscoverOptions = {}): Promise<DiscoveredTool[]> {
  const importModule = options.importModule ?? ((url: string) => import(url));
  const problems: string[] = [];
  const tools: DiscoveredTool[] = [];
  const seen = new WeakSet<object>();
  for (const entry of entries) {
    const { files, inDirectory } = await modulesOf(resolve(entry), problems);
    for (const file of files) {
      let mod: Record<string, unknown>;
      try {
        mod = await importModule(pathToFileURL(file).href);
      } catch (e) {
        problems.push(importProblem(file, e));
        continue;
      }
      const scan = scanModule(file, mod, seen);
      tools.push(...scan.tools);
      problems.push(...scan.problems);
      if (scan.found === 0) problems.push(noToolsProblem(file, inDirectory));
    }
  }
  problems.push(...toolClashes(tools));
  if (problems.length > 0) throw new ToolDiscoveryError(problems);
  return tools;
}
