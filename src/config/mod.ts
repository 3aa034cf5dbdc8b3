/**
 * `codemode.yaml`: load and validate the configuration (with positioned errors
 * and `${VAR}` interpolation), and discover the tools it names, including
 * Vercel AI SDK and LangChain tools. Tool modules are trusted host code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, fromConfig, parseConfig } from "./mod.ts";
 * const { config } = parseConfig("executor:\n  maxConcurrent: 4\n  limits:\n    timeoutMs: ${T}\n", "/srv/codemode.yaml", {
 *   env: { T: "5000" },
 * });
 * assert.deepEqual(config.executor, { type: "local", maxConcurrent: 4, limits: { timeoutMs: 5000 } });
 * // Keys of features this version lacks are refused, saying what is missing.
 * assert.throws(() => parseConfig("executor:\n  type: remote\n", "/srv/codemode.yaml"), ConfigError);
 * await assert.rejects(fromConfig("/nonexistent/codemode.yaml"), /codemode\.yaml/);
 * ```
 *
 * `fromConfig` builds a ready `Codemode`; the zod schema itself is `configSchema` in `./schema.ts`.
 *
 * @module
 */
export type {
  ApprovalsConfig,
  CodemodeConfig,
  ExecutorConfig,
  LocalExecutorConfig,
  LoggingConfig,
  LogLevelConfig,
  MetricsConfig,
  RemoteExecutorConfig,
  SandboxConfig,
  ServiceApiKeyConfig,
  ServiceConfig,
} from "./schema.ts";
export type { Observer } from "../observe.ts";
export type { ToolPolicy } from "../tools/policy.ts";
export type { McpHttpServer, McpServerConfig, McpStartup, McpStdioServer } from "../mcp/client/server_config.ts";
export type { McpOAuthConfig, McpOAuthGrant } from "../mcp/client/oauth_config.ts";
export type { AuthorizationRequest, McpOAuthOptions, McpToolSourceOptions } from "../mcp/client/options.ts";
export type {
  OAuthCredentials,
  OAuthRegisteredClient,
  OAuthTokenSet,
  OAuthTokenStore,
} from "../mcp/client/oauth_store.ts";
export type { Limits } from "../limits.ts";
export type { OsSandboxMode } from "../../executor/local.ts";
export type { AnyTool, Tool, ToolContext } from "../tools/define.ts";
export type { Validation, Validator } from "../tools/validate.ts";
export type { JsonSchema, JsonSchemaObject } from "../tools/json_schema.ts";
export { type ConfigOptions, fromConfig, type FromConfigOptions } from "./from_config.ts";
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
