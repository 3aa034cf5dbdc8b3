/**
 * `codemode.yaml`: load and validate the configuration (with positioned errors
 * and `${VAR}` interpolation), and discover the tools it names, including
 * Vercel AI SDK and LangChain tools. Tool modules are trusted host code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./mod.ts";
 * const { config } = parseConfig("executor:\n  type: remote\n  url: https://exec:8080\n  apiKey: ${KEY}\n", "/srv/codemode.yaml", {
 *   env: { KEY: "k" },
 * });
 * assert.deepEqual(config.executor, { type: "remote", url: "https://exec:8080", apiKey: "k", limits: {} });
 * ```
 *
 * The zod schema itself is `configSchema` in `./schema.ts`.
 *
 * @module
 */
export {
  type CodemodeConfig,
  type ExecutorConfig,
  type LocalExecutorConfig,
  type LoggingConfig,
  type McpHttpServer,
  type McpServerConfig,
  type McpStartup,
  type McpStdioServer,
  type MetricsConfig,
  type PolicyAction,
  type RemoteExecutorConfig,
} from "./schema.ts";
export type { Limits } from "../../executor/types.ts";
export type { AnyTool, Tool, ToolContext } from "../tools/define.ts";
export type { Validation, Validator } from "../tools/validate.ts";
export type { JsonSchema, JsonSchemaObject } from "../tools/json_schema.ts";
export { ConfigError, type ConfigIssue, formatIssue } from "./errors.ts";
export {
  denoEnv,
  type EnvSource,
  interpolateString,
  interpolateValues,
  InterpolationError,
  type InterpolationIssue,
} from "./interpolate.ts";
export { DEFAULT_MAX_CONFIG_BYTES, loadConfig, type LoadedConfig, type LoadOptions, parseConfig } from "./load.ts";
export {
  type DiscoveredTool,
  type DiscoverOptions,
  discoverTools,
  listToolModules,
  ToolDiscoveryError,
} from "./discover.ts";
export { type AiSdkToolCallOptions, type AiSdkToolLike, fromAiSdkTool, isAiSdkTool } from "./from_ai_sdk.ts";
export { fromLangChainTool, isLangChainTool, type LangChainToolLike } from "./from_langchain.ts";
