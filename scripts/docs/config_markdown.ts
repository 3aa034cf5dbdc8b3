// The config reference as Markdown: one table per top-level key of codemode.yaml.
import { type ConfigKey, configKeys } from "./config_reference.ts";
import { tableCell } from "./_deno_doc.ts";

function row(key: ConfigKey): string {
  const fallback = key.default ?? (key.required ? "required" : "—");
  return `| \`${key.path}\` | ${tableCell(key.type)} | ${tableCell(fallback)} | ${tableCell(key.description)} |`;
}

/**
 * Every key of codemode.yaml, as Markdown tables, one per top-level key.
 *
 * @returns the reference part of docs/configuration.md.
 */
export async function configReferenceMarkdown(): Promise<string> {
  const keys = await configKeys();
  const tops = keys.filter((k) => !k.path.includes("."));
  return tops.map((top) => {
    const rows = keys.filter((k) => k.path === top.path || k.path.startsWith(`${top.path}.`)).map(row);
    return [
      `### \`${top.path}\``,
      "",
      "| key | type | default | description |",
      "| --- | --- | --- | --- |",
      ...rows,
      "",
    ]
      .join("\n");
  }).join("\n");
}
