/**
 * The tool declarations as MCP resources, for clients that read resources
 * rather than call tools: `codemode://namespaces` lists the namespaces, and
 * `codemode://types/{namespace}` holds the TypeScript declarations of one
 * namespace (or one tool, `codemode://types/weather.get`), the same text
 * `get_tool_types` returns.
 *
 * @module
 */
import { type McpServer, ResourceNotFoundError, ResourceTemplate } from "@modelcontextprotocol/server";
import { Discovery } from "../../typegen/discovery.ts";
import type { CatalogEntry } from "../../typegen/catalog.ts";

/** The resource that lists the namespaces. */
export const NAMESPACES_URI = "codemode://namespaces";
/** The URI template of one namespace's declarations. */
export const TYPES_URI_TEMPLATE = "codemode://types/{namespace}";
/** The MIME type of the declarations. */
export const TYPES_MIME_TYPE = "text/x-typescript";
/** The longest tool or namespace name asked for, in characters. */
export const MAX_NAME_CHARS = 256;

const TYPES_PREFIX = "codemode://types/";

/** What the catalogue is read through: the instance's catalogue, after loading its sources. */
interface CatalogReader {
  catalog(): CatalogEntry[];
}

/**
 * Registers `codemode://namespaces` and `codemode://types/{namespace}` on a server.
 *
 * @param server the SDK server.
 * @param codemode where the catalogue comes from.
 * @param load loads the tool sources (a failing one is logged and left out).
 */
export function registerTypeResources(server: McpServer, codemode: CatalogReader, load: () => Promise<void>): void {
  const discovery = async () => {
    await load();
    return new Discovery(codemode.catalog());
  };

  server.registerResource("namespaces", NAMESPACES_URI, {
    title: "Tool namespaces",
    description: "The namespaces of the tools a script can call, with their tool counts and the URI of their types.",
    mimeType: "application/json",
  }, async (uri) => {
    const namespaces = (await discovery()).namespaceCounts()
      .map(([name, tools]) => ({ name, tools, uri: typesUri(name) }));
    return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ namespaces }) }] };
  });

  const template = new ResourceTemplate(TYPES_URI_TEMPLATE, {
    list: async () => ({
      resources: (await discovery()).namespaceCounts().map(([name, tools]) => ({
        uri: typesUri(name),
        name,
        title: `${name} (${tools} ${tools === 1 ? "tool" : "tools"})`,
        description: `TypeScript declarations of tools.${name}`,
        mimeType: TYPES_MIME_TYPE,
      })),
    }),
    complete: {
      namespace: async (value) =>
        (await discovery()).namespaceCounts().map(([name]) => name).filter((n) => n.startsWith(value)).slice(0, 100),
    },
  });
  server.registerResource("types", template, {
    title: "TypeScript declarations of a namespace",
    description: "The declarations of the tools of one namespace (or one tool, e.g. codemode://types/weather.get).",
    mimeType: TYPES_MIME_TYPE,
  }, async (uri) => {
    const name = nameOf(uri.href);
    if (name === undefined) throw new ResourceNotFoundError(uri.href, `Not a types resource: ${clip(uri.href)}`);
    const found = await discovery();
    const { declarations, unknown } = found.lookup([name]);
    if (!declarations) throw new ResourceNotFoundError(uri.href, found.unknownNote(unknown));
    return { contents: [{ uri: uri.href, mimeType: TYPES_MIME_TYPE, text: declarations }] };
  });
}

/**
 * The URI of the declarations of a namespace or tool.
 *
 * @param name a namespace (`github`) or tool name (`weather.get`).
 * @returns e.g. `codemode://types/github`.
 */
export function typesUri(name: string): string {
  return TYPES_PREFIX + encodeURIComponent(name);
}

/** The name a types URI asks for, or `undefined` when it is not one (or too long). */
function nameOf(href: string): string | undefined {
  if (!href.startsWith(TYPES_PREFIX)) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(href.slice(TYPES_PREFIX.length));
  } catch {
    return undefined;
  }
  return name.length > 0 && name.length <= MAX_NAME_CHARS && !name.includes("/") ? name : undefined;
}

function clip(text: string): string {
  return text.length > 300 ? text.slice(0, 300) + "…" : text;
}
