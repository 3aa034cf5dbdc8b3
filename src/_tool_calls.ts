/**
 * The path of one tool call of a script, on the host: discovery calls, the
 * tool's lookup and policy, the approval gate (a replayed call answered from
 * the record), the handler under its timeout, and what the observer and the
 * execution's events hear of it.
 *
 * @module
 */
import type { Limits } from "./limits.ts";
import type { Tool } from "./tools/define.ts";
import { errorMessage, runToolCall, ToolError } from "./tools/run.ts";
import type { ToolRegistry } from "./tools/registry.ts";
import type { ToolPolicy } from "./tools/policy.ts";
import type { Approver } from "./tools/approval.ts";
import type { CallScope } from "./tools/call_scope.ts";
import type { Discovery } from "./typegen/discovery.ts";
import { answerDiscoveryCall } from "./typegen/discovery_call.ts";
import type { ObservedOutputs } from "./typegen/observed.ts";
import type { ExecutionRecorder, Step } from "./approvals/recorder.ts";
import { type ApprovalClock, approvalGate } from "./approvals/gate.ts";
import type { ExecutionObservation, ToolCallObservation } from "./observe.ts";
import type { EventStream } from "./_event_stream.ts";
import { type CallFacts, toolStarted } from "./_execution_events.ts";
import { endToolCall, runInCallContext, startToolCall } from "./_observing.ts";

/** What a tool call needs of its `Codemode`. */
export interface CallHost {
  /** The registered tools. */
  readonly registry: ToolRegistry;
  /** Loads the source that provides a tool of this name, if one does. */
  fromSource(name: string): Promise<Tool | undefined>;
  /** The configured policy of a tool (`deny` hides it). */
  configuredPolicy(tool: Tool): ToolPolicy;
  /** The `policies` rule that made a tool `approve`, if one did. */
  ruleOfTool(tool: Tool): string | undefined;
  /** What the script may discover. */
  discovery(): Discovery;
  /** Loads every tool source. */
  loadTools(): Promise<void>;
  /** Whether the executor can pause executions. */
  readonly pausable: boolean;
  /** The longest wait for the approver's answer to one call. */
  readonly approvalTimeoutMs: number;
  /** Where the output types of tools without an output schema are observed, if anywhere. */
  readonly observedOutputs: ObservedOutputs | undefined;
}

/** What one execution's tool calls share. */
export interface Run {
  /** The execution's id. */
  executionId: string;
  /** Its limits (the tool timeout). */
  limits: Limits;
  /** Who decides its calls that need approval. */
  approver: Approver | undefined;
  /** Its call numbering, context and errors that leave it. */
  scope: CallScope;
  /** Its observation, when observed. */
  observation: ExecutionObservation | undefined;
  /** Its events, when heard. */
  events: EventStream | undefined;
  /** Stops its timeout while an approver is asked. */
  clock: ApprovalClock;
  /** Its record, when it may pause or is a resume. */
  recorder: ExecutionRecorder | undefined;
}

/** What one tool call gets from the caller of `execute` (`CallScope.nextCall`). */
export type ForCall = ReturnType<CallScope["nextCall"]>;

/**
 * Runs one tool call of the script; observed and told of when the execution is (else at no extra cost).
 *
 * @param host what the call needs of its `Codemode`.
 * @param run what the execution's calls share.
 * @param name the tool's name as the script called it.
 * @param input the raw input.
 * @param signal ends the call.
 * @returns the tool's result.
 * @throws {ToolError} what the script reads; what `run.scope` lets escape, as it is.
 */
export function invokeTool(
  host: CallHost,
  run: Run,
  name: string,
  input: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  const forCall = run.scope.nextCall(); // numbered as the trace records calls, discovery included
  const observed = run.observation && startToolCall(run.observation, input);
  return observed || run.events
    ? watched(host, observed, run, forCall, name, input, signal)
    : recordedCall(host, run, forCall, name, input, signal);
}

async function watched(
  host: CallHost,
  observed: ToolCallObservation | undefined,
  run: Run,
  forCall: ForCall,
  name: string,
  input: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  const facts: CallFacts = {};
  const told = run.events && toolStarted(run.events, forCall.toolCallId, name, facts);
  let call: Promise<unknown> | undefined;
  // Called inside the call's tracing context; a second call (a faulty observer's, or ours) does nothing.
  const start = () => void (call ??= recordedCall(host, run, forCall, name, input, signal, facts));
  if (observed) runInCallContext(observed, start);
  start();
  input = undefined; // the raw input is not kept while the call runs
  try {
    const value = await call;
    if (observed) endToolCall(observed, facts.tool, "ok");
    told?.();
    return value;
  } catch (e) {
    const outcome = facts.refused ? "refused" : facts.tool === undefined ? "unknown" : "error";
    if (observed) endToolCall(observed, facts.tool, outcome);
    told?.({ thrown: e });
    throw e;
  }
}

async function recordedCall(
  host: CallHost,
  run: Run,
  forCall: ForCall,
  name: string,
  input: unknown,
  signal: AbortSignal,
  facts?: CallFacts,
): Promise<unknown> {
  const step = run.recorder?.begin(name, input);
  const index = step && "index" in step ? step.index : undefined;
  try {
    if (step?.kind === "replayed") {
      await step.ready;
      if (step.outcome.ok) return JSON.parse(step.outcome.json);
      throw new ToolError(step.outcome.message);
    }
    if (step?.kind === "diverged") throw new ToolError(step.message);
    const value = await liveCall(host, run, name, input, signal, forCall, step, facts);
    if (index !== undefined) run.recorder!.settle(index, { ok: true, value });
    return value;
  } catch (e) {
    if (index !== undefined) run.recorder!.settle(index, { ok: false, message: errorMessage(e) });
    throw e;
  } finally {
    run.recorder?.end(index);
  }
}

async function liveCall(
  host: CallHost,
  run: Run,
  name: string,
  input: unknown,
  signal: AbortSignal,
  forCall: ForCall,
  step: Step | undefined,
  facts?: CallFacts,
): Promise<unknown> {
  const { executionId, limits, scope } = run;
  if (name === "$search" || name === "$types") {
    if (facts) facts.tool = name;
    await host.loadTools().catch(() => {}); // a source that fails is left out of the answer
    return answerDiscoveryCall(host.discovery(), name, input);
  }
  const tool = host.registry.get(name) ?? await host.fromSource(name);
  const configured = tool && host.configuredPolicy(tool);
  if (facts && tool) {
    facts.tool = tool.name;
    facts.refused = configured === "deny";
  }
  if (!tool || configured === "deny") throw new ToolError(host.discovery().notATool(name));
  // An `approve` rule asks every time; otherwise the tool's own requirement (if any) decides.
  const rule = configured === "approve" ? host.ruleOfTool(tool) : undefined;
  const authorize = approvalGate({
    executionId,
    approver: run.approver,
    clock: run.clock,
    recorder: run.recorder,
    cannotPause: host.pausable
      ? "no tool needed approval when it started, so it was not recorded"
      : "its executor cannot pause executions (only a LocalExecutor can)",
    timeoutMs: host.approvalTimeoutMs,
  }, {
    name,
    tool: tool.name,
    check: configured === "approve" ? true : tool.needsApproval ?? false,
    reason: rule !== undefined
      ? { kind: "policy", rule }
      : configured === "approve"
      ? { kind: "defaultPolicy" }
      : { kind: "needsApproval" },
    step,
    toolCallId: forCall.toolCallId,
    context: forCall.context,
    signal,
    onRefused: () => facts && (facts.refused = true),
  });
  const timeoutMs = tool.timeoutMs ?? limits.toolTimeoutMs;
  const call = runToolCall(tool, name, input, { executionId, timeoutMs, signal, authorize, ...forCall });
  input = undefined; // the raw input is not kept while the handler runs
  const value = await call.catch((e) => {
    throw e instanceof ToolError || !scope.rethrows(e) ? e : scope.escape(e, `tools.${name}`);
  });
  if (tool.outputSchema === undefined) host.observedOutputs?.record(tool.name, value);
  return value;
}
