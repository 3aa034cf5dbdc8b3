/**
 * `Codemode`: tools plus an executor. Generates the declarations the model
 * sees and runs the model's script, serving its tool calls on the host.
 *
 * @module
 */
import { LocalExecutor, type LocalExecutorOptions } from "../executor/local.ts";
import { RemoteExecutor, type RemoteExecutorOptions } from "../executor/remote.ts";
import { DEFAULT_LIMITS, type Limits, resolveLimits } from "./limits.ts";
import { type ExecutionResult, hostError } from "./rpc/result.ts";
import type { Executor } from "./executor.ts";
import { type DeniedPattern, validateCode } from "../executor/validator.ts";
import type { AnyTool, Tool } from "./tools/define.ts";
import { errorMessage, runToolCall, ToolError } from "./tools/run.ts";
import { ToolRegistry } from "./tools/registry.ts";
import type { ToolSource } from "./tools/source.ts";
import { type PromptOptions, renderDeclarations, renderPrompt } from "./typegen/mod.ts";
import type { CatalogEntry } from "./typegen/catalog.ts";
import type { ToolMatch } from "./typegen/search.ts";
import { Discovery } from "./typegen/discovery.ts";
import { answerDiscoveryCall } from "./typegen/discovery_call.ts";
import { PolicySet, type ToolPolicy } from "./tools/policy.ts";
import { type Approver, effectivePolicy } from "./tools/approval.ts";
import { ContinuationError, ContinuationSealer } from "./approvals/continuation.ts";
import { type ApprovalDecision, type ApprovalsOptions, matchDecisions, resolveApprovals } from "./approvals/options.ts";
import { ExecutionRecorder, type Replay, type Step } from "./approvals/recorder.ts";
import { ApprovalClock, approvalGate } from "./approvals/gate.ts";
import { CallScope } from "./tools/call_scope.ts";
import {
  type ExecutionObservation,
  isCorrelationId,
  MAX_CORRELATION_ID_CHARS,
  type Observer,
  type ToolCallObservation,
} from "./observe.ts";
import { TypeChecker } from "./typecheck/checker.ts";
import { checkDeclarations, checkScript } from "./typecheck/script_check.ts";
import { ObservedOutputs } from "./typegen/observed.ts";
import {
  endExecution,
  endToolCall,
  runInCallContext,
  startExecution,
  startToolCall,
  traceHeadersOf,
  watchExecutor,
} from "./_observing.ts";

/** Options of {@linkcode Codemode}. */
export interface CodemodeOptions {
  /** Tools the scripts may call. */
  tools?: Iterable<AnyTool>;
  /** Limits; unset fields take {@linkcode DEFAULT_LIMITS}. */
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
   * {@linkcode Codemode.resume}.
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

/** Options of one {@linkcode Codemode.execute} call. */
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
}

/** What one execution's tool calls share. */
interface Run {
  executionId: string;
  limits: Limits;
  approver: Approver | undefined;
  scope: CallScope;
  observation: ExecutionObservation | undefined;
  clock: ApprovalClock;
  recorder: ExecutionRecorder | undefined;
}

/** What an observed tool call found out, for its outcome. */
interface CallFacts {
  /** The tool's registered name (or `$search`, `$types`) once it is known. */
  tool?: string;
  /** Set when a policy or the approver refused the call. */
  refused?: boolean;
}

/**
 * Runs model-written TypeScript against typed tools in a zero-permission sandbox.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { Codemode, defineTool } from "../mod.ts";
 * const getWeather = defineTool({
 *   name: "weather.get",
 *   description: "Current weather for a city.",
 *   input: z.object({ city: z.string() }),
 *   output: z.object({ city: z.string(), tempC: z.number() }),
 *   handler: ({ city }) => ({ city, tempC: 21 }),
 * });
 * await using cm = new Codemode({ tools: [getWeather] });
 * assert.match(await cm.types(), /get\(input/);
 * const r = await cm.execute(`return (await tools.weather.get({ city: "Oslo" })).tempC`);
 * assert.equal(r.result, 21);
 * ```
 */
export class Codemode {
  /** The registered tools. */
  readonly registry: ToolRegistry;
  readonly #limits: Limits;
  readonly #executor: Executor;
  readonly #ownsExecutor: boolean;
  readonly #deniedPatterns?: DeniedPattern[];
  readonly #policies: PolicySet;
  readonly #approver?: Approver;
  readonly #sources: ToolSource[];
  readonly #loading = new Map<ToolSource, Promise<void>>();
  readonly #sourceTools = new Map<ToolSource, AnyTool[]>();
  readonly #catalogListeners = new Set<() => void>();
  readonly #observer?: Observer;
  readonly #unwatch: () => void;
  readonly #typecheck: boolean;
  #checker: TypeChecker | undefined;
  // The declarations scripts are checked against, for the tools they were made from (observed types do not change them).
  #checked: { tools: Tool[]; declarations: string } | undefined;
  readonly #observedOutputs: ObservedOutputs | undefined;
  readonly #approvals: ReturnType<typeof resolveApprovals>;
  readonly #sealer: ContinuationSealer;

  /**
   * Creates an instance; it starts no process until {@linkcode Codemode.execute}.
   *
   * @param options tools, limits, executor, denied patterns, policies, approver, approvals, sources and observer.
   * @throws {Error} on duplicate tool names, an invalid limit, executor or approvals setting (a key too short).
   */
  constructor(options: CodemodeOptions = {}) {
    this.registry = new ToolRegistry(options.tools);
    this.#limits = resolveLimits(DEFAULT_LIMITS, options.limits);
    const given = (["executor", "localExecutor", "remoteExecutor"] as const).filter((k) => options[k] !== undefined);
    if (given.length > 1) {
      throw new TypeError(
        `Codemode: pass one of executor, localExecutor and remoteExecutor, not ${given.join(" and ")} ` +
          "(localExecutor and remoteExecutor configure the executor Codemode makes)",
      );
    }
    this.#ownsExecutor = options.executor === undefined;
    this.#executor = options.executor ??
      (options.remoteExecutor ? new RemoteExecutor(options.remoteExecutor) : new LocalExecutor(options.localExecutor));
    // A warm pool (if the executor has one) fills for this instance's limits.
    if (this.#executor instanceof LocalExecutor) this.#executor.warm(this.#limits);
    this.#deniedPatterns = options.deniedPatterns;
    this.#policies = new PolicySet(options.policies);
    this.#approver = options.approver;
    this.#approvals = resolveApprovals(options.approvals);
    this.#sealer = new ContinuationSealer(options.approvals?.key);
    this.#sources = [...(options.sources ?? [])];
    this.#observer = options.observer;
    this.#typecheck = options.typecheck ?? false;
    this.#observedOutputs = options.observeOutputTypes === false ? undefined : new ObservedOutputs();
    this.#unwatch = watchExecutor(options.observer, this.#executor);
    for (const source of this.#sources) {
      source.onChange?.(() => void this.#reload(source).catch(() => {}));
    }
  }

  /**
   * Loads the tools of every source not loaded yet (lazy ones included).
   * `types()`, `prompt()` and discovery do this by themselves, and a script's
   * first call of a source's tool loads that source.
   *
   * @param options `eagerOnly` loads only the sources marked `eager`.
   * @throws {Error} naming the source when one fails to load.
   */
  async loadTools(options: { eagerOnly?: boolean } = {}): Promise<void> {
    const wanted = this.#sources.filter((s) => !options.eagerOnly || s.startup === "eager");
    const failed = (await Promise.allSettled(wanted.map((s) => this.#loaded(s))))
      .flatMap((r) => r.status === "rejected" ? [errorMessage(r.reason)] : []);
    if (failed.length > 0) throw new Error(failed.join("; "));
  }

  #loaded(source: ToolSource): Promise<void> {
    let loading = this.#loading.get(source);
    if (!loading) {
      loading = this.#reload(source);
      this.#loading.set(source, loading);
      // A failed load is tried again next time.
      loading.catch(() => this.#loading.delete(source));
    }
    return loading;
  }

  async #reload(source: ToolSource): Promise<void> {
    let tools: AnyTool[];
    try {
      tools = await source.load();
    } catch (e) {
      throw new Error(`Tool source "${source.namespace}" failed to load: ${errorMessage(e)}`);
    }
    const prefix = source.namespace + ".";
    const foreign = tools.find((t) => !t.path.join(".").startsWith(prefix));
    if (foreign) {
      throw new Error(`Tool source "${source.namespace}" gave a tool outside its namespace: "${foreign.name}"`);
    }
    try {
      this.registry.replace(this.#sourceTools.get(source) ?? [], tools);
    } catch (e) {
      throw new Error(`Tool source "${source.namespace}" failed to load: ${errorMessage(e)}`);
    }
    this.#sourceTools.set(source, tools);
    for (const listener of [...this.#catalogListeners]) {
      try {
        listener();
      } catch {
        // A failing listener must not fail the load, nor keep the others from hearing of it.
      }
    }
  }

  /**
   * Calls `listener` each time a tool source has (re)loaded its tools, so the
   * catalogue may have changed: an upstream server's tool list changed, it
   * reconnected, or a lazy source loaded. The MCP server uses it to refresh
   * the namespaces it names and tell its clients.
   *
   * @param listener called after the registry holds the source's new tools.
   * @returns a function that removes the listener.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { z } from "zod";
   * import { Codemode, defineTool } from "../mod.ts";
   * const ping = defineTool({ name: "demo.ping", input: z.object({}), handler: () => "pong" });
   * const source = { namespace: "demo", startup: "lazy" as const, load: async () => [ping], close: async () => {} };
   * await using cm = new Codemode({ sources: [source] });
   * let changes = 0;
   * const stop = cm.onCatalogChange(() => changes++);
   * await cm.loadTools();
   * stop();
   * assert.equal(changes, 1);
   * ```
   */
  onCatalogChange(listener: () => void): () => void {
    const own = () => listener(); // the same function may be added twice and removed once
    this.#catalogListeners.add(own);
    return () => void this.#catalogListeners.delete(own);
  }

  /** The effective limits. */
  get limits(): Readonly<Limits> {
    return this.#limits;
  }

  /**
   * TypeScript declarations of `tools`, for the model's prompt: every tool
   * the model may see, and the discovery calls `tools.$search` and
   * `tools.$types`. Loads every tool source first (lazy MCP servers too); a
   * source that fails to load is named in a comment, and its tools are left out.
   * @returns the declarations.
   */
  async types(): Promise<string> {
    const unavailable = await this.loadTools().then(() => undefined, (e: Error) => e.message);
    const declarations = renderDeclarations(this.catalog(), { discovery: true });
    return unavailable ? `// Not available now: ${unavailable.replaceAll("\n", " ")}\n${declarations}` : declarations;
  }

  /**
   * The system prompt for a model: how to write the script, and the types
   * (see {@linkcode Codemode.types}: tool sources are loaded first).
   *
   * @param options the name of the tool that runs scripts and extra instructions.
   * @returns the prompt text.
   */
  async prompt(options: PromptOptions = {}): Promise<string> {
    return renderPrompt(await this.types(), options);
  }

  /** The observer given in the options, if any. */
  get observer(): Observer | undefined {
    return this.#observer;
  }

  /** Whether the instance has an `approver` of its own. */
  get hasApprover(): boolean {
    return this.#approver !== undefined;
  }

  /**
   * The policy that applies to a tool (`deny`ed tools are left out of
   * `types()`): the configured one, made `approve` by the tool's own
   * `needsApproval` unless it is `deny`. A tool whose `needsApproval` is a
   * function is `approve`, and its check decides which calls are put to the approver.
   *
   * @param tool a registered tool.
   * @returns `allow`, `deny` or `approve`.
   */
  policyOf(tool: Tool): ToolPolicy {
    return effectivePolicy(this.#configuredPolicy(tool), tool.needsApproval);
  }

  #configuredPolicy(tool: Tool): ToolPolicy {
    return this.#policies.policyOfTool(tool);
  }

  /**
   * Runs a script body in a fresh sandbox. Never throws for anything the
   * script does: every ending is a result with a `stopReason`.
   *
   * @param code a TypeScript script body; top-level `await` and `return` work.
   * @param options a cancel signal, per-call limits, an approver for this execution, and the context and call id
   * handlers see.
   * @returns the result, logs and tool-call trace.
   * @throws {TypeError} on an invalid limit; the error a handler or the approver threw, when `options.rethrow` accepts it.
   */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    return this.#run(code, options, undefined);
  }

  /**
   * Continues an execution that paused for approval (stopReason `paused`), in a fresh sandbox: the script runs
   * again from the start, and every tool call it made before the pause is answered from the continuation's
   * record (never run twice), as is every value it read from the clock or the random generator, so it takes
   * the same path; the calls that waited run or are refused as decided (a rejection is an error the script
   * can catch: `tools.x was not run: <reason>`), and it goes on live. It may pause again (a new continuation).
   * A script that takes another path (it branches on something the record does not hold, or the tools
   * changed) ends with a `DivergenceError` naming where, before anything more runs.
   *
   * @param continuation the `paused.continuation` of the result (from this process, or from any with the same
   * `approvals.key`).
   * @param decisions approval id → `{ approved: true }` or `{ approved: false, reason? }`, for every pending call.
   * @param options as for {@linkcode Codemode.execute} (the correlation id is the first run's).
   * @returns the result of the resumed execution.
   * @throws {ContinuationError} for a continuation that is not one, altered, forged, sealed under another key,
   * expired or too large, and for decisions that do not name exactly its pending calls.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { z } from "zod";
   * import { Codemode, defineTool } from "../mod.ts";
   * const send = defineTool({
   *   name: "mail.send", input: z.object({ to: z.string() }), needsApproval: true, handler: ({ to }) => `sent to ${to}`,
   * });
   * await using cm = new Codemode({ tools: [send] });
   * const first = await cm.execute(`return await tools.mail.send({ to: "ana" })`);
   * assert.equal(first.stopReason, "paused");
   * const [pending] = first.paused!.pending;
   * const resumed = await cm.resume(first.paused!.continuation, { [pending.id]: { approved: true } });
   * assert.equal(resumed.result, "sent to ana");
   * ```
   */
  async resume(
    continuation: string,
    decisions: Record<string, ApprovalDecision>,
    options: Omit<ExecuteOptions, "correlationId" | "typecheck"> = {},
  ): Promise<ExecutionResult> {
    if (!this.#executor.pausable) {
      throw new ContinuationError("This Codemode's executor cannot resume executions (only a LocalExecutor can)");
    }
    const payload = await this.#sealer.open(continuation, this.#approvals.maxContinuationBytes);
    const replay = { payload, decisions: matchDecisions(payload.pending, decisions) };
    return this.#run(payload.code, { ...options, correlationId: payload.correlationId, typecheck: false }, replay);
  }

  async #run(code: string, options: ExecuteOptions, replay: Replay | undefined): Promise<ExecutionResult> {
    const executionId = crypto.randomUUID();
    if (options.correlationId !== undefined && !isCorrelationId(options.correlationId)) {
      throw new TypeError(
        `execute: correlationId must be 1 to ${MAX_CORRELATION_ID_CHARS} letters, digits or . _ : ; = + / @ -`,
      );
    }
    const correlationId = options.correlationId ?? executionId;
    const limits = resolveLimits(this.#limits, options.limits);
    const observation = this.#observer &&
      startExecution(this.#observer, { executionId, correlationId, principal: options.principal });
    // Tool sources are not loaded here: a lazy one starts when the script
    // first calls one of its tools (or searches), so `return 1` starts none.
    const refused = validateCode(code, {
      maxCodeBytes: limits.maxCodeBytes,
      deniedPatterns: this.#deniedPatterns,
    });
    const failed = refused ? { stopReason: "rejected" as const, error: refused } : await this.#failedCheck(
      code,
      limits,
      options.typecheck,
    );
    if (failed) {
      const result: ExecutionResult = {
        executionId,
        correlationId,
        ok: false,
        logs: [],
        toolCalls: [],
        durationMs: 0,
        ...failed,
      };
      endExecution(observation, result);
      return result;
    }
    const scope = new CallScope(executionId, options);
    const approver = scope.guard(options.approver ?? this.#approver);
    const recorder = this.#executor.pausable && (replay || this.#mayAskApproval())
      ? new ExecutionRecorder(code, correlationId, this.#recordBudget(code), replay)
      : undefined;
    const clock = new ApprovalClock();
    const run: Run = { executionId, limits, approver, scope, observation, clock, recorder };
    const traceHeaders = observation && traceHeadersOf(observation);
    let result: ExecutionResult;
    try {
      result = await this.#executor.execute({
        executionId,
        code,
        limits,
        signal: options.signal ? AbortSignal.any([options.signal, scope.signal]) : scope.signal,
        correlationId,
        ...(traceHeaders ? { traceHeaders } : {}),
        invoke: (tool, input, signal) => this.#invoke(run, tool, input, signal),
        ...(recorder ? { recording: recorder, halt: recorder.halt } : {}),
        clock,
      });
      result = { ...result, correlationId };
      if (recorder) result = await this.#afterRecorded(result, recorder);
    } catch (e) {
      endExecution(observation, undefined, e);
      throw e;
    }
    endExecution(observation, result);
    scope.throwIfEscaped();
    return result;
  }

  // Whether a call of this execution may need approval: only then is it recorded.
  #mayAskApproval(): boolean {
    return this.#policies.asksApproval || this.#sources.some((s) => !this.#sourceTools.has(s)) ||
      this.registry.list().some((t) => this.policyOf(t) === "approve");
  }

  // What a record may hold: the continuation is base64 of it, plus the script, the pending calls and the header.
  #recordBudget(code: string): number {
    return Math.max(0, Math.floor(this.#approvals.maxContinuationBytes * 0.74) - code.length - 8192);
  }

  // A paused execution gets its continuation; a resumed one that ended before its replay did diverged.
  async #afterRecorded(result: ExecutionResult, recorder: ExecutionRecorder): Promise<ExecutionResult> {
    const unfinished = result.stopReason === "completed" ? recorder.unfinishedReplay() : undefined;
    if (unfinished) {
      const { result: _, ...rest } = result;
      return { ...rest, ok: false, stopReason: "error", error: hostError("DivergenceError", unfinished) };
    }
    const payload = recorder.paused;
    if (result.stopReason !== "paused" || !payload) return result;
    const { token, expiresAt } = await this.#sealer.seal(payload, this.#approvals.continuationTtlMs);
    const max = this.#approvals.maxContinuationBytes;
    if (token.length > max) {
      const message = `The execution paused for approval, but its continuation is ${token.length} characters, ` +
        `over the ${max} limit (approvals.maxContinuationBytes)`;
      return { ...result, stopReason: "error", error: hostError("OutputLimitError", message) };
    }
    return { ...result, paused: { continuation: token, pending: payload.pending, expiresAt: expiresAt.toISOString() } };
  }

  // The type check, when asked for: what stops the script, or undefined.
  async #failedCheck(code: string, limits: Limits, asked: boolean | undefined) {
    if (!(asked ?? this.#typecheck)) return undefined;
    await this.loadTools().catch(() => {}); // a source that fails is left out, as in types()
    this.#checker ??= new TypeChecker();
    const failed = await checkScript(this.#checker, code, this.#checkDeclarations(), limits.timeoutMs);
    return failed && { stopReason: "typecheck" as const, ...failed };
  }

  #checkDeclarations(): string {
    const tools = this.#visibleTools();
    const last = this.#checked;
    if (last?.tools.length === tools.length && last.tools.every((t, i) => t === tools[i])) return last.declarations;
    this.#checked = { tools, declarations: checkDeclarations(this.catalog()) };
    return this.#checked.declarations;
  }

  /** Ends every execution in flight and releases what this instance started. */
  async close(): Promise<void> {
    this.#checker?.close();
    this.#unwatch();
    if (this.#ownsExecutor) await this.#executor.close();
    await Promise.allSettled(this.#sources.map((s) => s.close()));
  }

  /** Same as {@linkcode Codemode.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The catalogue the model may see: every tool that is not denied. */
  catalog(): CatalogEntry[] {
    return this.#visibleTools().map((t) => {
      const observed = t.outputSchema === undefined ? this.#observedOutputs?.get(t.name) : undefined;
      return {
        name: t.name,
        path: [...t.path],
        description: t.description,
        inputSchema: t.inputSchema,
        ...(t.outputSchema !== undefined ? { outputSchema: t.outputSchema } : {}),
        ...(observed ? { outputSchema: observed.schema, outputObservedCalls: observed.calls } : {}),
      };
    });
  }

  #visibleTools(): Tool[] {
    return this.registry.list().filter((t) => this.policyOf(t) !== "deny");
  }

  /**
   * Discovery over the tools the model may see (denied tools are left out):
   * search, declarations by name or namespace, suggestions for unknown names.
   * @returns a discovery service over the current catalogue.
   */
  discovery(): Discovery {
    return new Discovery(this.catalog());
  }

  /**
   * Finds tools by keywords (BM25 over names, namespaces, descriptions and
   * fields), best first, each with a one-line signature.
   *
   * @param query keywords, e.g. `"list issues"`.
   * @param limit the most results. @default {10}
   * @returns the matches.
   */
  searchTools(query: string, limit = 10): ToolMatch[] {
    return this.discovery().search(query, limit);
  }

  /**
   * Loads the source whose namespace a called name is in, then looks the
   * name up again; a name in no source loads them all, for suggestions.
   */
  async #fromSource(name: string): Promise<Tool | undefined> {
    const source = this.#sources.find((s) => name.startsWith(s.namespace + "."));
    if (!source) {
      await this.loadTools().catch(() => {});
      return this.registry.get(name);
    }
    try {
      await this.#loaded(source);
    } catch (e) {
      throw new ToolError(`tools.${name} is unavailable: ${errorMessage(e)}`);
    }
    return this.registry.get(name);
  }

  /** Runs one tool call of the script; observed when the execution is (else at no extra cost). */
  #invoke(run: Run, name: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    const observed = run.observation && startToolCall(run.observation, input);
    return observed ? this.#observed(observed, run, name, input, signal) : this.#call(run, name, input, signal);
  }

  async #observed(
    observed: ToolCallObservation,
    run: Run,
    name: string,
    input: unknown,
    signal: AbortSignal,
  ): Promise<unknown> {
    const facts: CallFacts = {};
    let call: Promise<unknown> | undefined;
    // Called inside the call's tracing context; a second call (a faulty observer's, or ours) does nothing.
    const start = () => void (call ??= this.#call(run, name, input, signal, facts));
    runInCallContext(observed, start);
    start();
    input = undefined; // the raw input is not kept while the call runs
    try {
      const value = await call;
      endToolCall(observed, facts.tool, "ok");
      return value;
    } catch (e) {
      endToolCall(observed, facts.tool, facts.refused ? "refused" : facts.tool === undefined ? "unknown" : "error");
      throw e;
    }
  }

  async #call(run: Run, name: string, input: unknown, signal: AbortSignal, facts?: CallFacts): Promise<unknown> {
    const forCall = run.scope.nextCall(); // numbered as the trace records calls, discovery included
    const step = run.recorder?.begin(name, input);
    const index = step && "index" in step ? step.index : undefined;
    try {
      if (step?.kind === "replayed") {
        if (step.outcome.ok) return JSON.parse(step.outcome.json);
        throw new ToolError(step.outcome.message);
      }
      if (step?.kind === "diverged") throw new ToolError(step.message);
      const value = await this.#live(run, name, input, signal, forCall, step, facts);
      if (index !== undefined) run.recorder!.settle(index, { ok: true, value });
      return value;
    } catch (e) {
      if (index !== undefined) run.recorder!.settle(index, { ok: false, message: errorMessage(e) });
      throw e;
    } finally {
      run.recorder?.end(index);
    }
  }

  async #live(
    run: Run,
    name: string,
    input: unknown,
    signal: AbortSignal,
    forCall: ReturnType<CallScope["nextCall"]>,
    step: Step | undefined,
    facts?: CallFacts,
  ): Promise<unknown> {
    const { executionId, limits, scope } = run;
    if (name === "$search" || name === "$types") {
      if (facts) facts.tool = name;
      await this.loadTools().catch(() => {}); // a source that fails is left out of the answer
      return answerDiscoveryCall(this.discovery(), name, input);
    }
    const tool = this.registry.get(name) ?? await this.#fromSource(name);
    const configured = tool && this.#configuredPolicy(tool);
    if (facts && tool) {
      facts.tool = tool.name;
      facts.refused = configured === "deny";
    }
    if (!tool || configured === "deny") throw new ToolError(this.discovery().notATool(name));
    // An `approve` rule asks every time; otherwise the tool's own requirement (if any) decides.
    const rule = configured === "approve" ? this.#policies.ruleOfTool(tool) : undefined;
    const authorize = approvalGate({
      executionId,
      approver: run.approver,
      clock: run.clock,
      recorder: run.recorder,
      cannotPause: this.#executor.pausable
        ? "no tool needed approval when it started, so it was not recorded"
        : "its executor cannot pause executions (only a LocalExecutor can)",
      timeoutMs: this.#approvals.timeoutMs,
    }, {
      name,
      tool: tool.name,
      check: configured === "approve" ? true : tool.needsApproval ?? false,
      reason: rule !== undefined ? { kind: "policy", rule } : { kind: "needsApproval" },
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
    if (tool.outputSchema === undefined) this.#observedOutputs?.record(tool.name, value);
    return value;
  }
}
