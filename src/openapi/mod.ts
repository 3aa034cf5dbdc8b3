/**
 * REST APIs as typed tools, from their OpenAPI (3.0 or 3.1) specs: each
 * operation becomes `tools.<namespace>.<operationId>`, with its parameters
 * and request body as a typed input and its success response as a typed
 * output. Calls run in the host with `fetch`; headers and credentials stay
 * there, redacted from all the sandbox sees.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openApiTools } from "./mod.ts";
 * const spec = { openapi: "3.0.3", info: { title: "t", version: "1" }, servers: [{ url: "https://api.example.com/v1" }],
 *   paths: { "/pets/{petId}": { get: { operationId: "getPet", summary: "One pet.",
 *     parameters: [{ name: "petId", in: "path", required: true, schema: { type: "integer" } }],
 *     responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } } } } } };
 * const source = openApiTools({ namespace: "pets", spec, auth: { type: "bearer", token: "t0k3n-example" } });
 * const [tool] = await source.load();
 * assert.equal(tool.name, "pets.getPet");
 * // new Codemode({ sources: [source] }): scripts call `await tools.pets.getPet({ petId: 1 })`.
 * ```
 *
 * @module
 */
export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_SPEC_BYTES, openApiTools, OpenApiToolSource } from "./source.ts";
export {
  type HttpMethod,
  type OpenApiAuth,
  type OpenApiBasicAuth,
  type OpenApiBearerAuth,
  type OpenApiKeyAuth,
  type OpenApiSourceConfig,
  type OpenApiToolsOptions,
} from "./options.ts";
export type { SkippedOperation } from "./operations.ts";
export { HttpStatusError } from "./http.ts";
// Types the API above refers to, so that this entry point documents itself.
export type { ToolSource } from "../tools/source.ts";
export type { AnyTool, Tool, ToolContext } from "../tools/define.ts";
export type { ToolPolicy } from "../tools/policy.ts";
export type { ApprovalCheckContext, NeedsApproval } from "../tools/approval.ts";
export type { Validation, Validator } from "../tools/validate.ts";
export type { JsonSchema, JsonSchemaObject } from "../tools/json_schema.ts";
