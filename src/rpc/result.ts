/**
 * The execution result, described once: the TypeScript types and the zod
 * schemas every face reuses (the MCP server's `outputSchema`, the CLI's
 * `--json`, the remote wire protocol). A compile-time check proves
 * that each schema produces exactly its type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { executionResultSchema } from "./result.ts";
 * const parsed = executionResultSchema.safeParse({
 *   executionId: "e1", ok: true, stopReason: "completed", result: 2, logs: [], toolCalls: [], durationMs: 31,
 * });
 * assert.ok(parsed.success);
 * assert.equal(executionResultSchema.safeParse({ ok: true }).success, false);
 * ```
 *
 * @module
 */
import { z } from "zod";

/** Why an execution ended. */
export type StopReason =
  | "completed"
  | "error"
  | "timeout"
  | "memory"
  | "output_limit"
  | "tool_call_limit"
  | "tool_input_limit"
  | "killed"
  | "rejected"
  | "typecheck"
  | "busy"
  | "unavailable"
  | "paused";

/** Every {@linkcode StopReason}, in the order the docs list them. */
export const STOP_REASONS: readonly StopReason[] = Object.freeze([
  "completed",
  "error",
  "timeout",
  "memory",
  "output_limit",
  "tool_call_limit",
  "tool_input_limit",
  "killed",
  "rejected",
  "typecheck",
  "busy",
  "unavailable",
  "paused",
]);

/**
 * The names of the errors Codemode itself reports in `ExecutionResult.error`
 * (an error the script throws keeps its own name, e.g. `TypeError`):
 *
 * - `ToolError`: a tool call failed (invalid input, refusal, timeout, handler error, bad output);
 * - `ValidationError`: the static validator refused the script (stopReason `rejected`);
 * - `TypeCheckError`: the script failed its type check, or could not be checked (stopReason `typecheck`);
 * - `TimeoutError`, `MemoryLimitError`, `OutputLimitError`, `ToolCallLimitError`, `ToolInputLimitError`: a limit;
 * - `KilledError`: the host cancelled the execution; `BusyError`: no slot was free;
 * - `ProtocolError`: the child (or, remotely, the host or the executor service) sent a malformed or unexpected message;
 *   `SandboxExitError`: the child ended before the script returned; `ProcessLimitError`: the kernel refused the
 *   child a thread or process past its cgroup's pids limit (stopReason `error`);
 * - `UnavailableError`: the executor service could not be reached, or was lost or stopped answering (stopReason `unavailable`);
 * - `DivergenceError`: a resumed script did not take the path of the run that paused (its replay differed; stopReason
 *   `error`).
 */
export type ErrorName =
  | "ToolError"
  | "ValidationError"
  | "TypeCheckError"
  | "TimeoutError"
  | "MemoryLimitError"
  | "OutputLimitError"
  | "ToolCallLimitError"
  | "ToolInputLimitError"
  | "KilledError"
  | "BusyError"
  | "ProtocolError"
  | "SandboxExitError"
  | "ProcessLimitError"
  | "UnavailableError"
  | "DivergenceError";

/** Every {@linkcode ErrorName}. */
export const ERROR_NAMES: readonly ErrorName[] = Object.freeze([
  "ToolError",
  "ValidationError",
  "TypeCheckError",
  "TimeoutError",
  "MemoryLimitError",
  "OutputLimitError",
  "ToolCallLimitError",
  "ToolInputLimitError",
  "KilledError",
  "BusyError",
  "ProtocolError",
  "SandboxExitError",
  "ProcessLimitError",
  "UnavailableError",
  "DivergenceError",
]);

/**
 * An error Codemode itself reports, by its {@linkcode ErrorName}: a name that
 * is not one of them does not compile.
 *
 * @param name the error's name.
 * @param message what happened, naming the limit or the cause.
 * @returns the error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostError } from "./result.ts";
 * assert.deepEqual(hostError("BusyError", "no slot"), { name: "BusyError", message: "no slot" });
 * ```
 */
export function hostError(name: ErrorName, message: string): ExecutionError {
  return { name, message };
}

/** One captured log line's level; `stdout`/`stderr` are raw process output. */
export type LogLevel = "log" | "info" | "warn" | "error" | "debug" | "stdout" | "stderr";

/** One captured log line. */
export interface LogEntry {
  /** `log`, `info`, `warn`, `error`, `debug`, or raw `stdout`/`stderr` output. */
  level: LogLevel;
  /** The text, formatted as `console.log` would. */
  text: string;
  /** Milliseconds since the execution started. */
  atMs: number;
}

/** One tool call in an execution's trace. */
export interface ToolCallRecord {
  /** The tool's dotted name as the script called it (e.g. `weather.get`). */
  tool: string;
  /** Whether the tool returned a value. */
  ok: boolean;
  /** Time from the call leaving the sandbox to its reply, in ms. */
  durationMs: number;
  /** The tool's error, when `ok` is false (the script's `ToolError` adds the call site to it). */
  error?: string;
  /** 1-based line in the user's code of a failed call, when known. */
  line?: number;
  /** 1-based column in the user's code of a failed call, when known. */
  column?: number;
}

/** One problem the type check found in a script (see `ExecuteOptions.typecheck`). */
export interface TypeDiagnostic {
  /** 1-based line in the user's script. */
  line: number;
  /** 1-based column in the user's script. */
  column: number;
  /** TypeScript's error code (e.g. 2353). */
  code: number;
  /** TypeScript's message, on one line. */
  message: string;
  /** The tool whose call the problem is in (`weather.get`), when it is in one. */
  tool?: string;
  /** The input field at fault (`citty`, `where.city`), when one is named. */
  field?: string;
}

/** An error as the model sees it: positions are in the user's own code. */
export interface ExecutionError {
  /** An {@linkcode ErrorName}, or the class name of what the script threw (e.g. `TypeError`). */
  name: string;
  /** The message. */
  message: string;
  /** Stack with frames in `script.ts` only. */
  stack?: string;
  /** 1-based line in the user's code. */
  line?: number;
  /** 1-based column in the user's code. */
  column?: number;
}

/** Why a call needs approval: a `policies` rule that says `approve`, or the tool's own `needsApproval`. */
export type ApprovalReason = { kind: "policy"; rule: string } | { kind: "needsApproval" };

/** A tool call an execution paused on: it runs only once it is approved (`Codemode.resume`). */
export interface PendingApproval {
  /** Names the call in the decisions given to `resume`; random, so one execution's decisions fit no other. */
  id: string;
  /** The tool's name. */
  tool: string;
  /** The call's validated input. */
  input: unknown;
  /** Why the call needs approval. */
  reason: ApprovalReason;
  /** The call's id, as its handler would see it (`ctx.toolCallId`). */
  toolCallId: string;
}

/** What a paused execution needs to go on. */
export interface PausedExecution {
  /** The continuation token: encrypted, authenticated JSON-safe text, to store anywhere and pass to `resume`. */
  continuation: string;
  /** The calls waiting for a decision: every one of them must be approved or rejected. */
  pending: PendingApproval[];
  /** When the continuation expires (ISO 8601). */
  expiresAt: string;
}

/** What one execution produced. */
export interface ExecutionResult {
  /** Unique id of this execution (tool handlers see it too). */
  executionId: string;
  /**
   * The id tying the execution to the request that caused it (an `X-Request-Id`, a caller's id),
   * which tool handlers see as `ctx.correlationId`; `Codemode` always sets it (by default to the execution's id).
   */
  correlationId?: string;
  /** True when the script returned normally (`stopReason` is `completed`). */
  ok: boolean;
  /** Why the execution ended. */
  stopReason: StopReason;
  /** The JSON value the script returned, if any. */
  result?: unknown;
  /** What went wrong, when `ok` is false. */
  error?: ExecutionError;
  /** Captured console output, capped at `maxLogBytes`. */
  logs: LogEntry[];
  /** Every tool call the script made, in the order they were made. */
  toolCalls: ToolCallRecord[];
  /** What the type check found, when the script failed it (stopReason `typecheck`; nothing ran). */
  diagnostics?: TypeDiagnostic[];
  /** Wall-clock time of the execution in ms. */
  durationMs: number;
  /** Set when the execution paused for approval (stopReason `paused`): the calls waiting and the continuation. */
  paused?: PausedExecution;
}

const position = (what: string) => z.number().int().min(1).optional().describe(`1-based ${what} in the script.`);

const logEntry = z.object({
  level: z.enum(["log", "info", "warn", "error", "debug", "stdout", "stderr"]),
  text: z.string(),
  atMs: z.number().describe("Milliseconds since the execution started."),
});

const toolCallRecord = z.object({
  tool: z.string().describe("The tool's dotted name as the script called it."),
  ok: z.boolean(),
  durationMs: z.number(),
  error: z.string().optional().describe("Why the call failed, when ok is false."),
  line: position("line of a failed call"),
  column: position("column of a failed call"),
});

const executionError = z.object({
  name: z.string().describe(`One of ${ERROR_NAMES.join(", ")}; or the class of what the script threw.`),
  message: z.string(),
  stack: z.string().optional().describe("Frames in the script only."),
  line: position("line"),
  column: position("column"),
});

const typeDiagnostic = z.object({
  line: z.number().int().min(1).describe("1-based line in the script."),
  column: z.number().int().min(1).describe("1-based column in the script."),
  code: z.number().int().describe("TypeScript's error code."),
  message: z.string(),
  tool: z.string().optional().describe("The tool whose call the problem is in."),
  field: z.string().optional().describe("The input field at fault."),
});

const approvalReason = z.union([
  z.object({ kind: z.literal("policy"), rule: z.string().describe("The policies rule that says approve.") }),
  z.object({ kind: z.literal("needsApproval") }),
]);

const pendingApproval = z.object({
  id: z.string().describe("Names the call in the decisions given to resume."),
  tool: z.string(),
  input: z.unknown().describe("The call's validated input."),
  reason: approvalReason.describe("Why the call needs approval."),
  toolCallId: z.string(),
});

const pausedExecution = z.object({
  continuation: z.string().describe("Encrypted, authenticated token; pass it to resume with the decisions."),
  pending: z.array(pendingApproval).describe("The calls waiting for a decision."),
  expiresAt: z.string().describe("When the continuation expires (ISO 8601)."),
});

const executionResult = z.object({
  executionId: z.string(),
  // As long as `isCorrelationId` (src/observe.ts) allows.
  correlationId: z.string().max(128).optional().describe("Ties the execution to the request that caused it."),
  ok: z.boolean().describe("True when the script returned normally."),
  stopReason: z.enum(STOP_REASONS as [StopReason, ...StopReason[]]).describe("Why the execution ended."),
  result: z.unknown().optional().describe("The JSON value the script returned."),
  error: executionError.optional().describe("What went wrong, when ok is false."),
  logs: z.array(logEntry).describe("Captured console output, capped."),
  toolCalls: z.array(toolCallRecord).describe("Every tool call, in the order made."),
  diagnostics: z.array(typeDiagnostic).optional().describe("What the type check found (stopReason typecheck)."),
  durationMs: z.number(),
  paused: pausedExecution.optional().describe(
    "The calls waiting for approval and the continuation (stopReason paused).",
  ),
});

// Compile-time proof that each documented interface is exactly what its schema produces.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const same: [
  Same<z.output<typeof executionResult>, ExecutionResult>,
  Same<z.output<typeof executionError>, ExecutionError>,
  Same<z.output<typeof toolCallRecord>, ToolCallRecord>,
  Same<z.output<typeof logEntry>, LogEntry>,
  Same<z.output<typeof typeDiagnostic>, TypeDiagnostic>,
  Same<z.output<typeof pendingApproval>, PendingApproval>,
] = [true, true, true, true, true, true];
void same;

/**
 * A zod schema, typed by the two calls most callers need (so this API does
 * not expose zod's types): `parse` throws a `ZodError` naming every problem.
 */
export interface Schema<T> {
  /** The value, typed; throws a `ZodError` naming every problem. */
  parse(value: unknown): T;
  /** Checks a value without throwing. */
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: Error };
}

/** The zod schema of {@linkcode ExecutionResult} (e.g. to check a result that crossed a network). */
export const executionResultSchema: Schema<ExecutionResult> = executionResult;

/**
 * The zod fields of an {@linkcode ExecutionResult}, for APIs that take an
 * object's shape (the MCP SDK's `outputSchema`). Internal: faces import it
 * from this module, not from an entry point.
 */
export const executionResultShape: typeof executionResult.shape = executionResult.shape;
