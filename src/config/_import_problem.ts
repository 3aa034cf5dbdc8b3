/**
 * Describes why a tool module could not be imported, naming the file and,
 * where Deno gives one, the line: of the module itself when the failure is
 * in it (a throw, a syntax error, a missing import), else of the dependency
 * that threw.
 *
 * @module
 */
import { fileURLToPath, pathToFileURL } from "node:url";

// deno-lint-ignore no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
/** A `file://` URL with `:line:column`, as in stack frames and Deno's module errors (which show spaces unencoded). */
const LOCATION = /file:\/\/[^\n"'`()]+?:\d+:\d+/g;
/** A `file://` URL anywhere in a message (`Module not found "file:///…"`). */
const FILE_URL = /file:\/\/[^\s"'`()]+/g;
/** The loader's frames say where it awaited the import, not where the import failed. */
const LOADER = new URL("./discover.ts", import.meta.url).href;

function decoded(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

function toPath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

/** `/abs/file.ts:3:7` for a `file:///abs/file.ts:3:7` location. */
function locationPath(location: string): string {
  const [, url, line, column] = location.match(/^(.*):(\d+):(\d+)$/)!;
  return `${toPath(url)}:${line}:${column}`;
}

/**
 * Where the failure happened: a location in `fileUrl` wherever Deno gives one,
 * else the first location that is not the loader's own (the dependency that threw).
 */
function failureLocation(fileUrl: string, text: string): { location: string; inFile: boolean } | undefined {
  const locations = [...text.matchAll(LOCATION)].map((m) => m[0]);
  const inFile = locations.find((l) => decoded(l).startsWith(`${decoded(fileUrl)}:`));
  if (inFile) return { location: inFile, inFile: true };
  const other = locations.find((l) => !l.startsWith(LOADER));
  return other ? { location: other, inFile: false } : undefined;
}

/**
 * One sentence saying that a tool module failed to import, with the file, the
 * line and column where Deno reports them, and the error's first line.
 *
 * @param file the module's absolute path.
 * @param error what `import()` rejected with.
 * @returns `cannot import tool module /abs/tools.ts:2:7: boom`, or, when a dependency
 * threw, `cannot import tool module /abs/tools.ts: boom (at /abs/_helper.ts:3:1)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importProblem } from "./_import_problem.ts";
 * const error = new Error("boom");
 * error.stack = "Error: boom\n    at file:///srv/tools/weather.ts:2:7";
 * assert.equal(importProblem("/srv/tools/weather.ts", error), "cannot import tool module /srv/tools/weather.ts:2:7: boom");
 * assert.equal(importProblem("/srv/tools/weather.ts", "nope"), "cannot import tool module /srv/tools/weather.ts: nope");
 * ```
 */
export function importProblem(file: string, error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(ANSI, "");
  const stack = error instanceof Error ? (error.stack ?? "").replace(ANSI, "") : "";
  const found = failureLocation(pathToFileURL(file).href, `${message}\n${stack}`);
  let reason = message.split("\n")[0].trim();
  // Deno ends some messages with the location ("… at file:///x.ts:1:10"): it is reported once, as a path.
  if (found) reason = reason.replace(` at ${found.location}`, "");
  reason = reason.replace(FILE_URL, toPath) || (error instanceof Error ? error.name : "an empty error");
  if (!found) return `cannot import tool module ${file}: ${reason}`;
  const where = locationPath(found.location);
  return found.inFile
    ? `cannot import tool module ${where}: ${reason}`
    : `cannot import tool module ${file}: ${reason} (at ${where})`;
}
