/**
 * Upstream resources, readable from the script: the URIs a server returned
 * (resource links and embedded resources in tool results) are remembered,
 * and `tools.<server>.$read({ uri })` reads one of them, or one the server
 * lists, with `resources/read` on that server only. Contents become plain
 * values: text as a string, binary as base64 with its MIME type.
 *
 * @module
 */
import type { Client } from "@modelcontextprotocol/client";
import { z } from "zod";
import { type AnyTool, defineTool, type ToolContext } from "../../tools/define.ts";
import type { JsonSchema } from "../../tools/json_schema.ts";
import { listAll } from "./paging.ts";
import { jsonBytes, type ResourceContent, resourceContent } from "./result.ts";

/** The name of the per-server read call: `tools.<server>.$read`. */
export const READ_TOOL = "$read";

/** The longest URI remembered or read. */
export const MAX_URI_CHARS = 8192;

// URIs remembered per server; the oldest are forgotten first.
const MAX_REMEMBERED = 10_000;

/**
 * The URIs one server returned, bounded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SeenUris } from "./resources.ts";
 * const seen = new SeenUris();
 * seen.addFrom({ content: [{ type: "resource_link", uri: "docs://a", name: "a" }] });
 * assert.equal(seen.has("docs://a"), true);
 * assert.equal(seen.has("docs://b"), false);
 * ```
 */
export class SeenUris {
  readonly #uris = new Set<string>();

  /** Remembers a URI (not one over {@linkcode MAX_URI_CHARS}). */
  add(uri: unknown): void {
    if (typeof uri !== "string" || uri.length === 0 || uri.length > MAX_URI_CHARS) return;
    this.#uris.delete(uri);
    this.#uris.add(uri);
    if (this.#uris.size > MAX_REMEMBERED) this.#uris.delete(this.#uris.values().next().value!);
  }

  /** Remembers the resource links and embedded resources of a `tools/call` result's content. */
  addFrom(result: unknown): void {
    const content = (result as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) return;
    for (const item of content) {
      const record = item as { type?: unknown; uri?: unknown; resource?: { uri?: unknown } } | null;
      if (record?.type === "resource_link") this.add(record.uri);
      else if (record?.type === "resource") this.add(record.resource?.uri);
    }
  }

  /** Whether the server returned this URI. */
  has(uri: string): boolean {
    return this.#uris.has(uri);
  }
}

/**
 * The contents of a `resources/read` answer as plain values.
 *
 * @param result what the server answered.
 * @returns the readable contents (others are left out).
 * @throws {TypeError} when the result has no `contents` list.
 */
export function readContents(result: unknown): ResourceContent[] {
  const contents = (result as { contents?: unknown } | null)?.contents;
  if (!Array.isArray(contents)) throw new TypeError("its resources/read answer has no contents list");
  return contents.flatMap((item) => resourceContent(item) ?? []);
}

/** What {@linkcode ResourceReader} needs from its source. */
export interface ResourceReaderOptions {
  /** The server's name, for messages. */
  server: string;
  /** Limits: the largest answer, and how long requests and list pages may take. */
  options: { maxResultBytes: number; callTimeoutMs: number; listTimeoutMs: number; maxTools: number };
  /** Sends one request on the server's connection; fails with a message naming the server; redacts the answer. */
  request: (what: string, signal: AbortSignal, send: (client: Client) => Promise<unknown>) => Promise<unknown>;
  /** Told when the server's resource list is cut. */
  warn: (message: string) => void;
}

// What the answer of resources/read must be before `readContents` looks at it: anything.
const AnyResult = z.looseObject({});

/**
 * Reads a server's resources for `$read`: only URIs the server returned in a
 * tool result or lists, only on that server, answers bounded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResourceReader } from "./resources.ts";
 * const reader = new ResourceReader({
 *   server: "docs",
 *   options: { maxResultBytes: 1000, callTimeoutMs: 1000, listTimeoutMs: 1000, maxTools: 10 },
 *   request: (what) => Promise.resolve(what.startsWith("the listing") ? [] : { contents: [{ uri: "d://a", text: "A" }] }),
 *   warn: () => {},
 * });
 * const context = { executionId: "x", tool: "docs.$read", signal: new AbortController().signal };
 * await assert.rejects(reader.read("d://a", context), /neither returned nor lists the resource "d:\/\/a"/);
 * reader.remember({ content: [{ type: "resource_link", uri: "d://a", name: "a" }] });
 * assert.deepEqual(await reader.read("d://a", context), [{ uri: "d://a", text: "A" }]);
 * ```
 */
export class ResourceReader {
  readonly #o: ResourceReaderOptions;
  readonly #seen = new SeenUris();

  /** @param options the server, limits, and how to send a request. */
  constructor(options: ResourceReaderOptions) {
    this.#o = options;
  }

  /** Remembers the URIs of a `tools/call` result (already redacted: as the script sees them). */
  remember(result: unknown): void {
    this.#seen.addFrom(result);
  }

  /**
   * Reads a resource the server returned or lists.
   *
   * @param uri the URI, as the script has it.
   * @param context the call's context (its signal aborts the read).
   * @returns its contents.
   * @throws {Error} naming the server: a URI it neither returned nor lists, a failed request, an answer without contents.
   * @throws {RangeError} when the answer is over `maxResultBytes`.
   */
  async read(uri: string, { signal }: ToolContext): Promise<ResourceContent[]> {
    const { server, options } = this.#o;
    const shown = JSON.stringify(uri.length > 200 ? `${uri.slice(0, 200)}…` : uri);
    const upstream = `upstream MCP server "${server}"`;
    if (!this.#seen.has(uri) && !(await this.#lists(uri, signal))) {
      throw new Error(`${upstream} neither returned nor lists the resource ${shown}; $read reads only those`);
    }
    const result = await this.#o.request(
      `the read of ${shown}`,
      signal,
      (client) =>
        client.request({ method: "resources/read", params: { uri } }, AnyResult, {
          signal,
          timeout: options.callTimeoutMs,
        }),
    );
    let contents: ResourceContent[];
    try {
      contents = readContents(result);
    } catch (e) {
      throw new Error(`${upstream}, resource ${shown}: ${(e as Error).message}`);
    }
    const bytes = jsonBytes(contents);
    if (bytes > options.maxResultBytes) {
      throw new RangeError(
        `${upstream}, resource ${shown}: it is ${bytes} bytes of JSON, over the limit of ${options.maxResultBytes} bytes`,
      );
    }
    for (const content of contents) this.#seen.add(content.uri);
    return contents;
  }

  /** Whether the server lists this URI (`resources/list`, every page, bounded). */
  async #lists(uri: string, signal: AbortSignal): Promise<boolean> {
    const { options, warn } = this.#o;
    const listed = await this.#o.request("the listing of its resources", signal, (client) =>
      listAll(client, {
        method: "resources/list",
        maxItems: options.maxTools * 10,
        timeoutMs: options.listTimeoutMs,
        warn,
        fail: (e) => e as Error,
      })) as unknown[];
    const found = listed.some((r) => (r as { uri?: unknown } | null)?.uri === uri);
    if (found) this.#seen.add(uri);
    return found;
  }
}

const text = { type: "string" } as const;
const CONTENT_SCHEMA: JsonSchema = {
  type: "array",
  items: {
    anyOf: [
      {
        type: "object",
        properties: { uri: text, mimeType: text, text: { ...text, description: "The content, as text." } },
        required: ["uri", "text"],
      },
      {
        type: "object",
        properties: { uri: text, mimeType: text, blob: { ...text, description: "The content, base64-encoded." } },
        required: ["uri", "blob"],
      },
    ],
  },
};

/**
 * The `tools.<namespace>.$read` tool of a server.
 *
 * @param namespace the server's namespace.
 * @param read reads one URI on that server.
 * @returns the tool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTool } from "./resources.ts";
 * const tool = readTool("docs", (uri) => Promise.resolve([{ uri, text: "hello" }]));
 * assert.deepEqual(tool.path, ["docs", "$read"]);
 * ```
 */
export function readTool(
  namespace: string,
  read: (uri: string, context: ToolContext) => Promise<ResourceContent[]>,
): AnyTool {
  return defineTool<{ uri: string }, ResourceContent[]>({
    name: `${namespace}.${READ_TOOL}`,
    description: "Reads a resource of this MCP server: one its tools returned (the `uri` of a `resource_link` or " +
      "embedded `resource` item of a result) or one it lists. Text comes back as `text`, binary as base64 `blob`.",
    input: {
      type: "object",
      properties: {
        uri: { type: "string", minLength: 1, maxLength: MAX_URI_CHARS, description: "The resource's URI." },
      },
      required: ["uri"],
      additionalProperties: false,
    },
    output: CONTENT_SCHEMA,
    handler: ({ uri }, context) => read(uri, context),
  });
}
