/**
 * Turns an MCP `tools/call` result into the value a Codemode script receives:
 * structured content as it is, a lone text as a string, several items as a
 * compact array; an `isError` result becomes an exception. Embedded resources
 * become `{ type: "resource", uri, mimeType?, text | blob }` (`blob` is base64)
 * and resource links `{ type: "resource_link", uri, name, … }`, readable with
 * the server's `$read`; images and audio are replaced by their size.
 *
 * @module
 */

/** The parts of an MCP `CallToolResult` this module reads. */
export interface McpCallResult {
  /** Content items: text, image, audio, resource, resource_link. */
  content?: unknown[];
  /** The tool's structured output, when it has an output schema. */
  structuredContent?: Record<string, unknown>;
  /** Whether the tool failed. */
  isError?: boolean;
  /** Legacy (protocol 2024-10-07) results carry a bare value here. */
  toolResult?: unknown;
}

/**
 * Thrown when an upstream tool reports `isError: true`; the message is its text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpstreamToolError } from "./result.ts";
 * assert.equal(new UpstreamToolError("no such city").name, "UpstreamToolError");
 * ```
 */
export class UpstreamToolError extends Error {
  /** Always `UpstreamToolError`. */
  override name = "UpstreamToolError";
}

// An error text is for the model to read, not a channel for bulk data.
const MAX_ERROR_CHARS = 4000;

/**
 * Maps a call result to a script value, refusing one over `maxBytes` of JSON.
 *
 * @param result what `tools/call` returned.
 * @param maxBytes the largest value, in bytes of JSON, passed on.
 * @returns the value for the script.
 * @throws {UpstreamToolError} when the result has `isError: true`.
 * @throws {RangeError} when the value is over `maxBytes`, saying how large it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultValue } from "./result.ts";
 * assert.equal(resultValue({ content: [{ type: "text", text: "hi" }] }, 1000), "hi");
 * assert.deepEqual(resultValue({ content: [], structuredContent: { n: 1 } }, 1000), { n: 1 });
 * assert.throws(() => resultValue({ content: [{ type: "text", text: "no such city" }], isError: true }, 1000), /no such city/);
 * ```
 */
export function resultValue(result: McpCallResult, maxBytes: number): unknown {
  const content = Array.isArray(result.content) ? result.content : [];
  if (result.isError === true) {
    const text = textOf(content) || "the tool reported an error without a message";
    throw new UpstreamToolError(text.length > MAX_ERROR_CHARS ? text.slice(0, MAX_ERROR_CHARS) + "…" : text);
  }
  const value = result.structuredContent !== undefined
    ? result.structuredContent
    : "toolResult" in result && result.content === undefined
    ? result.toolResult
    : contentValue(content);
  const bytes = jsonBytes(value);
  if (bytes > maxBytes) {
    throw new RangeError(`the result is ${bytes} bytes of JSON, over the limit of ${maxBytes} bytes`);
  }
  return value;
}

function contentValue(content: unknown[]): unknown {
  if (content.length === 0) return null;
  const only = content[0] as { type?: unknown; text?: unknown };
  if (content.length === 1 && only?.type === "text" && typeof only.text === "string") return only.text;
  return content.map(compactItem);
}

/**
 * One content item as the script receives it: images and audio replaced by
 * their size (to keep results small), resources as plain values.
 */
function compactItem(item: unknown): unknown {
  if (typeof item !== "object" || item === null) return item;
  const record = item as Record<string, unknown>;
  if (typeof record.data === "string" && (record.type === "image" || record.type === "audio")) {
    return { type: record.type, mimeType: record.mimeType, data: omitted(record.data) };
  }
  if (record.type === "resource") {
    const content = resourceContent(record.resource);
    return content ? { type: "resource", ...content } : { type: "resource", unreadable: true };
  }
  if (record.type === "resource_link") return resourceLink(record);
  return item;
}

/** A resource link with its known fields only, each of its type. */
function resourceLink(record: Record<string, unknown>): Record<string, unknown> {
  const link: Record<string, unknown> = { type: "resource_link" };
  for (const key of ["uri", "name", "title", "description", "mimeType"]) {
    if (typeof record[key] === "string") link[key] = record[key];
  }
  if (typeof record.size === "number") link.size = record.size;
  return link;
}

function omitted(base64: string): string {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return `<${Math.max(0, Math.floor(base64.length * 3 / 4) - padding)} bytes base64 omitted>`;
}

function textOf(content: unknown[]): string {
  return content
    .flatMap((c) => {
      const item = c as { type?: unknown; text?: unknown };
      return item?.type === "text" && typeof item.text === "string" ? [item.text] : [];
    })
    .join("\n");
}

/**
 * Size of a value as JSON, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonBytes } from "./result.ts";
 * assert.equal(jsonBytes({ a: "é" }), 10);
 * ```
 */
export function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value) ?? "null").length;
}

/** One content of a resource, as the script receives it. */
export type ResourceContent =
  | { uri: string; mimeType?: string; text: string }
  | { uri: string; mimeType?: string; blob: string };

/**
 * One content of a resource as a plain value, or `undefined` for one that is
 * neither text nor base64 (a hostile or broken server's). Only known fields
 * are kept, and only when they are strings.
 *
 * @param item a content of `resources/read`, or an embedded resource's `resource`.
 * @returns the value for the script.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resourceContent } from "./result.ts";
 * assert.deepEqual(resourceContent({ uri: "a://1", mimeType: "text/plain", text: "hi", _meta: {} }), {
 *   uri: "a://1", mimeType: "text/plain", text: "hi",
 * });
 * assert.equal(resourceContent({ uri: "a://1", text: 5 }), undefined);
 * ```
 */
export function resourceContent(item: unknown): ResourceContent | undefined {
  const record = item as { uri?: unknown; mimeType?: unknown; text?: unknown; blob?: unknown } | null;
  if (typeof record?.uri !== "string") return undefined;
  const head = { uri: record.uri, ...(typeof record.mimeType === "string" ? { mimeType: record.mimeType } : {}) };
  if (typeof record.text === "string") return { ...head, text: record.text };
  if (typeof record.blob === "string") return { ...head, blob: record.blob };
  return undefined;
}
