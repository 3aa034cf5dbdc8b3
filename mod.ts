/**
 * Codemode: let an LLM write one TypeScript program against typed tools, and
 * run it in a Deno subprocess with no permissions at all. Tool calls cross a
 * JSON-RPC bridge on the child's stdin/stdout and run on the host, validated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { Codemode, defineTool } from "./mod.ts";
 *
 * const getWeather = defineTool({
 *   name: "weather.get",
 *   description: "Current weather for a city.",
 *   input: z.object({ city: z.string() }),
 *   output: z.object({ city: z.string(), tempC: z.number() }),
 *   handler: ({ city }) => ({ city, tempC: 21 }),
 * });
 * await using cm = new Codemode({ tools: [getWeather] });
 * const r = await cm.execute(`
 *   const all = await Promise.all(["Oslo", "Lima"].map((city) => tools.weather.get({ city })));
 *   return all.map((w) => w.city);
 * `);
 * assert.deepEqual(r.result, ["Oslo", "Lima"]);
 * ```
 *
 * @module
 */
export { Codemode, type CodemodeOptions, type ExecuteOptions } from "./src/codemode.ts";
export {
  type AnyTool,
  defineTool,
  isTool,
  type SchemaLike,
  type Tool,
  type ToolContext,
  type ToolSpec,
} from "./src/tools/define.ts";
export { ToolRegistry } from "./src/tools/registry.ts";
export type { ToolSource } from "./src/tools/source.ts";
export { type CatalogEntry, declarationsFor } from "./src/typegen/catalog.ts";
export { type SearchableTool, type SearchOptions, searchTools, type ToolMatch } from "./src/typegen/search.ts";
export { type ApprovalRequest, type Approver, PolicySet, type ToolPolicy } from "./src/tools/policy.ts";
export {
  type PromptOptions,
  renderDeclarations,
  type RenderDeclarationsOptions,
  renderPrompt,
  type ToolTypeInfo,
} from "./src/typegen/mod.ts";
export type { Validation, Validator, ZodIssueLike, ZodLike } from "./src/tools/validate.ts";
export { toolPath } from "./src/tools/names.ts";
export type { JsonSchema, JsonSchemaObject } from "./src/tools/json_schema.ts";
export * from "./executor/mod.ts";
export {
  type AiSdkToolLike,
  ConfigError,
  type ConfigIssue,
  type DiscoveredTool,
  type DiscoverOptions,
  discoverTools,
  type EnvSource,
  fromAiSdkTool,
  fromLangChainTool,
  type LangChainToolLike,
  loadConfig,
  type LoadedConfig,
  type LoadOptions,
  parseConfig,
  ToolDiscoveryError,
} from "./src/config/mod.ts";
export type {
  CodemodeConfig,
  ExecutorConfig,
  LocalExecutorConfig,
  LoggingConfig,
  McpHttpServer,
  McpServerConfig,
  McpStartup,
  McpStdioServer,
  MetricsConfig,
  PolicyAction,
  RemoteExecutorConfig,
} from "./src/config/mod.ts";
export type { ConfigOptions, FromConfigOptions } from "./src/config/from_config.ts";
export { type AiSdkCodemodeTool, aiSdkTool, type AiSdkToolCallOptions } from "./src/integrations/ai_sdk.ts";
export {
  type CodeInput,
  type CodeInputIssue,
  type CodeInputSchema,
  type CodeInputValidation,
  type CodemodeLike,
  type CodemodeToolOptions,
  DEFAULT_TOOL_NAME,
} from "./src/integrations/description.ts";
export {
  DEFAULT_MAX_CHARS,
  formatErrorLine,
  type FormatOptions,
  formatResultForModel,
} from "./src/integrations/format.ts";
