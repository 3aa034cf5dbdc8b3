/**
 * The options of a `Codemode` and of one of its executions.
 *
 * @module
 */
import type { LocalExecutorOptions } from "../executor/local.ts";
import type { RemoteExecutorOptions } from "../executor/remote.ts";
import type { DeniedPattern } from "../executor/validator.ts";
import type { Limits } from "./limits.ts";
import type { Executor } from "./executor.ts";
import type { AnyTool } from "./tools/define.ts";
import type { ToolSource } from "./tools/source.ts";
import type { ToolPolicy } from "./tools/policy.ts";
import type { Approver } from "./tools/approval.ts";
import type { ApprovalsOptions } from "./approvals/options.ts";
import type { Observer } from "./observe.ts";
import type { ExecutionEventHandler } from "./events.ts";

/** Options of `Codemode`. */
export interface CodemodeOptions {
  /** Tools the scripts may call. */
  tools?: Iterable<AnyTool>;
  /** Limits; unset fields take `DEFAULT_LIMITS`. */
  limits?: Partial<Limits>;
  /** What runs the scripts. @default {new LocalExecutor(localExecutor)} */
  executor?: Executor;
  /**
   * Options of the `LocalExecutor` made when `executor` is unset (e.g.
   * `maxConcurrent`); an error together with `executor`.
   */
  localExecutor?: LocalExecutorOptions;
  /**
   * Runs the scripts on an executor service (`codemode serve`) with a
   * `RemoteExecutor` of these options, which the instance closes with itself;
   * an error together with `executor` or `localExecutor`.
   */
  remoteExecutor?: RemoteExecutorOptions;
  /** Patterns the static validator refuses (defence in depth only). */
  deniedPatterns?: DeniedPattern[];
  /**
   * Tool name or glob → `allow` (default), `deny` or `approve`. A tool's own
   * `needsApproval` makes it `approve` even where this says `allow`; only `deny` overrides it.
   */
  policies?: Record<string, ToolPolicy>;
  /**
   * Asked before every call that needs approval; a refusal becomes an error in the script. Without one (or
   * when it answers `"later"`, or not within `approvals.timeoutMs`), the execution pauses: see
   * `Codemode.resume`.
   */
  approver?: Approver;
  /** How executions pause for approval and resume: the key continuations are sealed with, timeouts, sizes. */
  approvals?: ApprovalsOptions;
  /** Tools that load asynchronously (upstream MCP servers), each under its namespace. */
  sources?: ToolSource[];
  /**
   * Hears of every execution and tool call: logs, metrics, traces, audit (e.g. `Observability`
   * from `./observability`). Without one, none of that work is done. An observer that throws is
   * ignored for that call: observing never breaks an execution.
   */
  observer?: Observer;
  /**
   * Type-check every script against the tools' declarations before it runs
   * (see {@linkcode ExecuteOptions.typecheck}). @default {false}
   */
  typecheck?: boolean;
  /**
   * Show, for a tool that declares no output schema, the result type
   * observed from its successful calls (types only, never values; in memory
   * only) in `types()`, `prompt()` and discovery. @default {true}
   */
  observeOutputTypes?: boolean;
}

/** Options of one `Codemode.execute` call. */
export interface ExecuteOptions {
  /** Aborting ends the execution with stopReason `killed`. */
  signal?: AbortSignal;
  /** Limits for this call only, over the instance's. */
  limits?: Partial<Limits>;
  /**
   * Decides this execution's calls that need approval, instead of the
   * instance's `approver`: e.g. the person whose request started it.
   */
  approver?: Approver;
  /**
   * Given to every tool handler as `ctx.context`, as it is (the AI SDK adapter passes the SDK's
   * tool context, the LangChain adapter the run config). Host-side only: never sent to the sandbox.
   */
  context?: unknown;
  /**
   * The id of the call that runs this script (a framework's tool call id); the script's tool
   * calls get `<toolCallId>:<n>` as `ctx.toolCallId`, n being the call's place in `toolCalls`.
   * @default {the execution's id}
   */
  toolCallId?: string;
  /**
   * Errors thrown by a handler or the approver that this returns true for end the execution
   * (its sandbox is stopped) and are thrown by `execute` as they are, instead of reaching the
   * script as a `ToolError`: the LangChain adapters pass LangGraph's interrupts through so.
   */
  rethrow?: (error: unknown) => boolean;
  /**
   * Ties the execution to the request that caused it: handlers see it as `ctx.correlationId`,
   * the result carries it, the observer logs it. 1 to 128 letters, digits or `. _ : ; = + / @ -`.
   * @default {the execution's id}
   */
  correlationId?: string;
  /**
   * Who asked for the execution (an MCP session, an API key's id), for the observer's audit
   * records; nothing else reads it.
   */
  principal?: string;
  /**
   * Type-check the script against the tools' declarations first: a script
   * that fails ends with stopReason `typecheck` and its `diagnostics`, and
   * nothing of it runs. @default {the instance's `typecheck`}
   */
  typecheck?: boolean;
  /**
   * Hears of the execution as it runs: its start, log lines, tool calls' starts and ends, and its
   * end, in order (see `ExecutionEvent`). Bounded: a handler whose promise has not settled has the
   * next events queued (at most `MAX_QUEUED_EVENTS`, then dropped and counted); one that throws
   * hears nothing more of this execution, and the result's logs say so.
   */
  onEvent?: ExecutionEventHandler;
}
