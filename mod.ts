/**
 * Codemode: let an LLM write one TypeScript program against typed tools, and
 * run it in a Deno subprocess with no permissions at all. Tool calls cross a
 * JSON-RPC bridge on the child's stdin/stdout and run on the host, validated.
 *
 * This root entry point is the core: `Codemode`, tools, discovery, the
 * executor interface, `LocalExecutor` and `RemoteExecutor` (a client of the
 * executor service, `./service`), limits, and the execution result
 * (types and zod schemas). It loads no YAML parser, MCP SDK or AI framework;
 * those faces are their own entry points: `./config` (`codemode.yaml`,
 * `fromConfig`), `./mcp` (MCP server and upstream MCP servers as tools),
 * `./ai-sdk`, `./langchain`, `./langgraph`, `./service` (the executor
 * service), `./observability` (logs, metrics, traces and audit, as an
 * `observer`) and `./cli`.
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
  type DroppedEvent,
  type EndEvent,
  type EventBase,
  type ExecutionEvent,
  type ExecutionEventHandler,
  type LogEvent,
  MAX_QUEUED_EVENTS,
  type StartEvent,
  type ToolEndEvent,
  type ToolStartEvent,
} from "./src/events.ts";
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
export { PolicySet, type ToolPolicy } from "./src/tools/policy.ts";
export {
  type ApprovalCheckContext,
  ApprovalRefused,
  type ApprovalRequest,
  type Approver,
  type ApproverAnswer,
  type NeedsApproval,
} from "./src/tools/approval.ts";
export { ContinuationError } from "./src/approvals/continuation.ts";
export {
  type ApprovalDecision,
  type ApprovalsOptions,
  type ContinuationClaim,
  DEFAULT_APPROVALS,
  MAX_REMEMBERED_CLAIMS,
  memoryClaims,
} from "./src/approvals/options.ts";
export type { Validation, Validator, ZodIssueLike, ZodLike } from "./src/tools/validate.ts";
export type { JsonSchema, JsonSchemaObject } from "./src/tools/json_schema.ts";
export type { CatalogEntry } from "./src/typegen/catalog.ts";
export type { ToolMatch } from "./src/typegen/search.ts";
export { Discovery, type Lookup, type UnknownName } from "./src/typegen/discovery.ts";
export {
  type PromptOptions,
  renderDeclarations,
  type RenderDeclarationsOptions,
  renderPrompt,
  type ToolTypeInfo,
} from "./src/typegen/mod.ts";
export { DEFAULT_LIMITS, type Limits, resolveLimits } from "./src/limits.ts";
export type {
  ExecuteRequest,
  ExecutionClock,
  ExecutionEnding,
  ExecutionRecording,
  Executor,
  ExecutorLoad,
  ReadEntry,
  ToolInvoker,
} from "./src/executor.ts";
export {
  type ExecutionObservation,
  type ExecutionStart,
  isCorrelationId,
  type LoadSource,
  MAX_CORRELATION_ID_CHARS,
  type Observer,
  type ToolCallObservation,
  type ToolCallOutcome,
} from "./src/observe.ts";
export {
  type ApprovalReason,
  ERROR_NAMES,
  type ErrorName,
  type ExecutionError,
  type ExecutionResult,
  executionResultSchema,
  type LogEntry,
  type LogLevel,
  type PausedExecution,
  type PendingApproval,
  type Schema,
  STOP_REASONS,
  type StopReason,
  type ToolCallRecord,
  type TypeDiagnostic,
} from "./src/rpc/result.ts";
export {
  DEFAULT_EXECUTOR_SETTINGS,
  describeWalls,
  LocalExecutor,
  type LocalExecutorOptions,
  OS_SANDBOX_MODES,
  type OsSandboxMode,
  type PoolOptions,
  type PoolStats,
  type SandboxWalls,
} from "./executor/local.ts";
export { RemoteExecutor, type RemoteExecutorOptions } from "./executor/remote.ts";
export type { ClampedLimit } from "./src/rpc/remote.ts";
export * from "./executor/validator.ts";
export { DEFAULT_MAX_CHARS, formatErrorLine, type FormatOptions, formatResultForModel } from "./src/format.ts";
