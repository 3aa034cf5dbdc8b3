/**
 * Prints tool JSON Schemas as compact TypeScript declarations for an LLM's
 * prompt: {@linkcode renderDeclarations} for the whole `tools` object,
 * {@linkcode renderToolSignature} for one-line search results and
 * {@linkcode schemaToTs} for a single type.
 *
 * @example Declare a tool and describe it in one line
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderDeclarations, renderToolSignature } from "./mod.ts";
 *
 * const tool = {
 *   path: ["math", "add"],
 *   inputSchema: {
 *     type: "object",
 *     properties: { a: { type: "number" }, b: { type: "number" } },
 *     required: ["a", "b"],
 *   },
 *   outputSchema: { type: "number" },
 * };
 * assert.match(renderDeclarations([tool]), /add\(input: \{/);
 * assert.equal(
 *   renderToolSignature(tool),
 *   "tools.math.add(input: { a: number; b: number }): Promise<number>",
 * );
 * ```
 *
 * @module
 */

export { schemaToTs } from "./schema_to_ts.ts";
export type { SchemaToTsOptions } from "./schema_to_ts.ts";
export { renderDeclarations, renderToolSignature } from "./declarations.ts";
export type { RenderDeclarationsOptions, ToolTypeInfo } from "./declarations.ts";
export type { JsonSchema, JsonSchemaObject } from "../tools/json_schema.ts";
export { type PromptOptions, renderPrompt } from "./prompt.ts";
