/**
 * Loads tool modules named on the command line. Tool modules are trusted host
 * code: they run in the host process with its permissions, never in the sandbox.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type AnyTool, isTool } from "../tools/define.ts";

/** A problem with the command line or a tool module; the CLI exits with 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Imports a module whose default export is an array of tools made with `defineTool`.
 *
 * @param path the module's path, relative to `cwd`.
 * @param cwd the directory relative paths start from.
 * @returns the tools.
 * @throws {UsageError} naming the file when it cannot be imported or exports no tool array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadToolModule } from "./load_tools.ts";
 * await assert.rejects(loadToolModule("./nope.ts", "/tmp"), /nope\.ts/);
 * ```
 */
export async function loadToolModule(
  path: string,
  cwd: string,
): Promise<AnyTool[]> {
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    throw new UsageError(
      `Cannot load tool module ${file}: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  const tools = mod.default;
  if (!Array.isArray(tools)) {
    throw new UsageError(
      `Tool module ${file} must default-export an array of tools made with defineTool`,
    );
  }
  tools.forEach((t, i) => {
    if (!isTool(t)) {
      throw new UsageError(
        `Tool module ${file}: default export item ${i} is not a tool made with defineTool`,
      );
    }
  });
  return tools;
}
