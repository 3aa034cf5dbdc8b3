// docs/api.md, generated with `deno doc`: per entry point of each package,
// every export with its kind and the first sentence of its JSDoc. The full
// reference, with signatures and examples, is `deno doc <module>` (or
// `deno doc --html`), or the package's page on JSR once published.
import denoJson from "../../deno.json" with { type: "json" };
import cliJson from "../../cli/deno.json" with { type: "json" };
import { denoDoc, firstSentence, tableCell } from "./_deno_doc.ts";

/** The entry points: JSR specifier → module path in this repository. */
export function entryPoints(): [string, string][] {
  const core = Object.entries(denoJson.exports).map(([sub, path]): [string, string] => [
    `${denoJson.name}${sub === "." ? "" : sub.slice(1)}`,
    path.replace(/^\.\//, ""),
  ]);
  return [...core, [cliJson.name, `cli/${cliJson.exports.replace(/^\.\//, "")}`]];
}

/**
 * The API reference, as Markdown.
 *
 * @returns docs/api.md's body after its introduction.
 */
export async function apiReferenceMarkdown(): Promise<string> {
  const entries = entryPoints();
  const docs = await denoDoc(entries.map(([, path]) => path));
  return entries.map(([specifier, path]) => {
    const symbols = (docs.get(path) ?? []).filter((s) => s.kind !== "import" && s.kind !== "moduleDoc");
    const rows = symbols
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => `| \`${s.name}\` | ${s.kind} | ${tableCell(firstSentence(s.doc))} |`);
    return [
      `## \`${specifier}\``,
      "",
      `\`${path}\` · \`deno doc ${path}\``,
      "",
      "| export | kind | what it is |",
      "| --- | --- | --- |",
      ...rows,
      "",
    ].join("\n");
  }).join("\n");
}
