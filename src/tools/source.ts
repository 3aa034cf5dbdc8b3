/**
 * Tool sources: tools that arrive from elsewhere (an upstream MCP server) under
 * one namespace, load asynchronously, and may change while Codemode runs.
 *
 * @module
 */
import type { AnyTool } from "./define.ts";

/**
 * A provider of the tools of one namespace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { defineTool, type ToolSource } from "../../mod.ts";
 * const source: ToolSource = {
 *   namespace: "demo",
 *   startup: "lazy",
 *   load: () => Promise.resolve([defineTool({ name: "demo.ping", input: z.object({}), handler: () => "pong" })]),
 *   close: () => Promise.resolve(),
 * };
 * assert.equal((await source.load()).length, 1);
 * ```
 */
export interface ToolSource {
  /** The namespace every tool of this source lives under (`tools.<namespace>.*`). */
  readonly namespace: string;
  /** `eager`: load when Codemode is built; `lazy`: on first need (an execute, `loadTools()`). */
  readonly startup: "lazy" | "eager";
  /** Connects if needed and lists the tools, each named `<namespace>.<tool>`. */
  load(): Promise<AnyTool[]>;
  /** Registers a callback for when the tool list changed (call `load()` again). */
  onChange?(callback: () => void): void;
  /** Releases the connection and everything it started. */
  close(): Promise<void>;
}
