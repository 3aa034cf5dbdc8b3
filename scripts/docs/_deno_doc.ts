// Reads what `deno doc --json` says of some modules: the documentation
// generators take their prose from the code's own JSDoc, never a copy of it.

/** One property of an interface, as `deno doc` describes it. */
export interface DocProperty {
  name: string;
  /** The JSDoc text, without an inline `@default {…}`. */
  doc: string;
  /** The `@default` value, when the JSDoc has one. */
  default?: string;
}

/** One exported symbol of a module, as `deno doc` describes it. */
export interface DocSymbol {
  name: string;
  kind: string;
  doc: string;
  /** The properties of an interface (or class), else empty. */
  properties: DocProperty[];
}

interface RawJsDoc {
  doc?: string;
  tags?: { kind: string; value?: string }[];
}
interface RawDeclaration {
  kind: string;
  jsDoc?: RawJsDoc;
  def?: { properties?: { name: string; jsDoc?: RawJsDoc }[] };
}
interface RawOutput {
  nodes: Record<string, { symbols?: { name: string; declarations: RawDeclaration[] }[] }>;
}

/**
 * Runs `deno doc --json` on modules of this repository.
 *
 * @param modules paths relative to the repository root.
 * @returns every symbol of each module, by module path.
 */
export async function denoDoc(modules: string[]): Promise<Map<string, DocSymbol[]>> {
  const root = new URL("../../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...modules],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`deno doc failed: ${new TextDecoder().decode(out.stderr)}`);
  const raw = JSON.parse(new TextDecoder().decode(out.stdout)) as RawOutput;
  const result = new Map<string, DocSymbol[]>();
  for (const [url, node] of Object.entries(raw.nodes)) {
    const path = url.slice(root.href.length);
    result.set(path, (node.symbols ?? []).map(({ name, declarations }) => symbolOf(name, declarations)));
  }
  return result;
}

function symbolOf(name: string, declarations: RawDeclaration[]): DocSymbol {
  const main = declarations.find((d) => d.jsDoc?.doc) ?? declarations[0];
  return {
    name,
    kind: main.kind,
    doc: docText(main.jsDoc).doc,
    properties: (main.def?.properties ?? []).map((p) => ({ name: p.name, ...docText(p.jsDoc) })),
  };
}

function docText(jsDoc: RawJsDoc | undefined): { doc: string; default?: string } {
  let doc = jsDoc?.doc ?? "";
  let value = jsDoc?.tags?.find((t) => t.kind === "default")?.value;
  const inline = /\s*@default\s*\{([^}]*)\}\s*$/.exec(doc);
  if (inline) {
    value ??= inline[1];
    doc = doc.slice(0, inline.index);
  }
  value = value?.replace(/^\{(.*)\}$/, "$1");
  return { doc: doc.trim(), ...(value === undefined ? {} : { default: value }) };
}

/**
 * The first sentence of a JSDoc text, for a one-line summary.
 *
 * @returns the sentence, with its full stop.
 */
export function firstSentence(doc: string): string {
  // The first paragraph, before any list.
  const text = doc.split(/\n\s*\n|\n\s*- /)[0].replace(/\{@link(?:code|plain)?\s+([^}|\s]+)[^}]*\}/g, "`$1`").replace(
    /\s+/g,
    " ",
  ).trim();
  // A full stop ends a sentence only when a space follows, never inside `code`.
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "`") inCode = !inCode;
    if (inCode || text[i] !== "." || (i + 1 < text.length && text[i + 1] !== " ")) continue;
    if (/\b(e\.g|i\.e)$/.test(text.slice(0, i))) continue;
    return text.slice(0, i + 1);
  }
  return text;
}

/**
 * Text for a Markdown table cell: `|` escaped, and `<` outside code spans (it would open an HTML tag).
 *
 * @returns the cell's text.
 */
export function tableCell(text: string): string {
  return text.replace(/\s+/g, " ").split("`").map((part, i) => i % 2 ? part : part.replaceAll("<", "\\<")).join("`")
    .replaceAll("|", "\\|");
}
