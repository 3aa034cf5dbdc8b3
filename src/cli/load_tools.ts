/**
 * Loads the tool modules named by `--tools`, with the same loader (and the
 * same error messages) as `codemode.yaml`'s `tools:`. Tool modules are trusted
 * host code: they run in the host process with its permissions, never in the sandbox.
 *
 * @module
 */
import { resolve } from "node:path";
import { type DiscoveredTool, discoverTools, ToolDiscoveryError } from "../config/discover.ts";

/** A problem with the command line or a tool module; the CLI exits with 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Loads the tools of `--tools` paths: modules, or directories of them, exactly
 * as `codemode.yaml`'s `tools:` does (every exported `defineTool` tool, AI SDK
 * tool and LangChain tool, by name, in an array or in an object).
 *
 * @param paths module or directory paths, relative to `cwd` unless absolute.
 * @param cwd the directory relative paths start from.
 * @returns the tools, each with the module and export it came from.
 * @throws {UsageError} listing every problem, each naming its file (and the line, for a
 * module that throws at import): a missing path, a module without tools, two tools with one name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadToolModules } from "./load_tools.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/echo.ts`, `export const echo = {
 *   name: "echo", description: "Echoes.", schema: { type: "object" }, invoke: async (x: unknown) => x,
 * };`);
 * const found = await loadToolModules(["."], dir);
 * assert.deepEqual(found.map((t) => t.source), [`${dir}/echo.ts#echo`]);
 * await assert.rejects(loadToolModules(["./nope.ts"], dir), /nope\.ts: no such file or directory/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadToolModules(paths: string[], cwd: string): Promise<DiscoveredTool[]> {
  try {
    return await discoverTools(paths.map((path) => resolve(cwd, path)));
  } catch (e) {
    if (e instanceof ToolDiscoveryError) throw new UsageError(e.message);
    throw e;
  }
}
