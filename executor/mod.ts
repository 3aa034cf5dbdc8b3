/**
 * Executors: what runs scripts. `LocalExecutor` spawns a zero-permission Deno
 * child per execution; the static validator checks scripts before that. The
 * executor interface and the result it returns are the core's
 * (`src/executor.ts`, `src/rpc/result.ts`).
 *
 * @module
 */
export {
  type ChildKind,
  DEFAULT_EXECUTOR_SETTINGS,
  describeWalls,
  LocalExecutor,
  type LocalExecutorOptions,
  OS_SANDBOX_MODES,
  type OsSandboxMode,
  type PoolOptions,
  type PoolStats,
  type SandboxWalls,
} from "./local.ts";
export { RemoteExecutor, type RemoteExecutorOptions } from "./remote.ts";
export * from "./validator.ts";
export type { ExecuteRequest, Executor, ToolInvoker } from "../src/executor.ts";
export type { ExecutionResult } from "../src/rpc/result.ts";
export type { Limits } from "../src/limits.ts";
