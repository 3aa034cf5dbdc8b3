/**
 * Declarations for a chosen part of the catalogue: tools by name or namespace.
 *
 * @module
 */
import { renderDeclarations, type ToolTypeInfo } from "./declarations.ts";

/** A tool as the catalogue sees it: its dotted safe name and its types. */
export interface CatalogEntry extends ToolTypeInfo {
  /** The tool's name as given (e.g. `github.list-issues`). */
  name: string;
}

/**
 * Renders the declarations of the tools that match `names`: a tool's dotted
 * name (original or safe) or a namespace prefix (`github`, `github.issues`).
 *
 * @param entries the catalogue.
 * @param names tool names or namespaces.
 * @returns the declarations.
 * @throws {RangeError} naming every unknown name and suggesting near ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { declarationsFor } from "./catalog.ts";
 * const entries = [{ name: "a.b", path: ["a", "b"], inputSchema: { type: "object" } }];
 * assert.match(declarationsFor(entries, ["a"]), /b\(input/);
 * assert.throws(() => declarationsFor(entries, ["zz"]), /No tool or namespace named "zz"/);
 * ```
 */
export function declarationsFor(entries: CatalogEntry[], names: string[]): string {
  const matches = (e: CatalogEntry, n: string) => {
    const safe = e.path.join(".");
    return e.name === n || safe === n || safe.startsWith(n + ".");
  };
  const unknown = names.filter((n) => !entries.some((e) => matches(e, n)));
  if (unknown.length > 0) {
    const namespaces = [...new Set(entries.map((e) => e.path[0]))].sort();
    throw new RangeError(
      unknown.map((n) => `No tool or namespace named "${n}"`).join("; ") +
        `. Namespaces: ${namespaces.join(", ") || "(none)"}`,
    );
  }
  return renderDeclarations(entries.filter((e) => names.some((n) => matches(e, n))));
}
