/**
 * Follows the pagination of an MCP list request (`tools/list`,
 * `resources/list`), bounded: an upstream may send endless pages, repeat a
 * cursor, or list more items than anyone can use.
 *
 * @module
 */
import type { Client } from "@modelcontextprotocol/client";
import { z } from "zod";

/** Most pages followed. */
export const MAX_PAGES = 100;

/** How {@linkcode listAll} lists. */
export interface ListOptions {
  /** The request, e.g. `tools/list`. */
  method: "tools/list" | "resources/list";
  /** Most items kept; more are dropped with a warning. */
  maxItems: number;
  /** Time one page may take, in ms. */
  timeoutMs: number;
  /** Told when items are dropped or the pages do not end. */
  warn: (message: string) => void;
  /** Turns a failed request into the error thrown. */
  fail: (error: unknown) => Error;
}

// Permissive on purpose: one malformed item must not make the whole list fail.
const Page = z.object({
  tools: z.array(z.unknown()).optional(),
  resources: z.array(z.unknown()).optional(),
  nextCursor: z.string().optional(),
});

/**
 * Lists every item, page after page.
 *
 * @param client a connected SDK client.
 * @param options the request, limits, and how to report.
 * @returns the items as sent (unchecked), at most `maxItems`.
 * @throws {Error} what `fail` makes of a failed request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Client } from "@modelcontextprotocol/client";
 * import { listAll } from "./paging.ts";
 * const pages: Record<string, unknown> = { "": { tools: [1, 2], nextCursor: "b" }, b: { tools: [3] } };
 * const client = { request: ({ params }: { params: { cursor?: string } }) => Promise.resolve(pages[params.cursor ?? ""]) };
 * const items = await listAll(client as unknown as Client, {
 *   method: "tools/list", maxItems: 10, timeoutMs: 1000, warn: () => {}, fail: (e) => e as Error,
 * });
 * assert.deepEqual(items, [1, 2, 3]);
 * ```
 */
export async function listAll(client: Client, options: ListOptions): Promise<unknown[]> {
  const key = options.method === "tools/list" ? "tools" : "resources";
  const items: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1;; page++) {
    let result: z.infer<typeof Page>;
    try {
      const params = cursor === undefined ? {} : { cursor };
      result = await client.request({ method: options.method, params }, Page, { timeout: options.timeoutMs });
    } catch (e) {
      throw options.fail(e);
    }
    items.push(...(result[key] ?? []));
    cursor = result.nextCursor;
    if (items.length > options.maxItems) {
      options.warn(`lists more than ${options.maxItems} ${key}; only the first ${options.maxItems} are used`);
      return items.slice(0, options.maxItems);
    }
    if (cursor === undefined) return items;
    if (seen.has(cursor) || page >= MAX_PAGES) {
      options.warn(`its ${options.method} pagination does not end; stopped after ${page} pages`);
      return items;
    }
    seen.add(cursor);
  }
}
