/**
 * `Codemode`: tools plus an executor. Generates the declarations the model
 * sees and runs the model's script, serving its tool calls on the host.
 *
 * @module
 */
import { LocalExecutor } from "../executor/local.ts";
import { RemoteExecutor } from "../executor/remote.ts";
import { DEFAULT_LIMITS, type Limits, resolveLimits } from "./limits.ts";
import type { ExecutionResult } from "./rpc/result.ts";
import type { Executor } from "./executor.ts";
import { type DeniedPattern, validateCode } from "../executor/validator.ts";
import type { AnyTool, Tool } from "./tools/define.ts";
import { errorMessage, ToolError } from "./tools/run.ts";
import { ToolRegistry } from "./tools/registry.ts";
import type { ToolSource } from "./tools/source.ts";
import { type PromptOptions, renderDeclarations, renderPrompt } from "./typegen/mod.ts";
import type { CatalogEntry } from "./typegen/catalog.ts";
import type { ToolMatch } from "./typegen/search.ts";
import { Discovery } from "./typegen/discovery.ts";
import { PolicySet, type ToolPolicy } from "./tools/policy.ts";
import { type Approver, effectivePolicy } from "./tools/approval.ts";
import { ContinuationError } from "./approvals/continuation.ts";
import type { ApprovalDecision } from "./approvals/options.ts";
import type { Replay } from "./approvals/recorder.ts";
import { Pausing } from "./approvals/pausing.ts";
import { ApprovalClock } from "./approvals/gate.ts";
import { CallScope } from "./tools/call_scope.ts";
import { isCorrelationId, MAX_CORRELATION_ID_CHARS, type Observer } from "./observe.ts";
import { EventStream } from "./_event_stream.ts";
import { executionEnded } from "./_execution_events.ts";
import { TypeChecker } from "./typecheck/checker.ts";
import { checkDeclarations, checkScript } from "./typecheck/script_check.ts";
import { ObservedOutputs } from "./typegen/observed.ts";
import { endExecution, startExecution, traceHeadersOf, watchExecutor } from "./_observing.ts";

import type { CodemodeOptions, ExecuteOptions } from "./codemode_options.ts";
import { type CallHost, invokeTool, type Run } from "./_tool_calls.ts";

export type { CodemodeOptions, ExecuteOptions };

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
  readonly #pausing: Pausing;
  readonly #calls: CallHost;
  #asks: { version: number; value: boolean } | undefined;

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
    this.#pausing = new Pausing(options.approvals);
    this.#sources = [...(options.sources ?? [])];
    this.#observer = options.observer;
    this.#typecheck = options.typecheck ?? false;
    this.#observedOutputs = options.observeOutputTypes === false ? undefined : new ObservedOutputs();
    this.#unwatch = watchExecutor(options.observer, this.#executor);
    this.#calls = {
      registry: this.registry,
      fromSource: (name) => this.#fromSource(name),
      configuredPolicy: (tool) => this.#configuredPolicy(tool),
      ruleOfTool: (tool) => this.#policies.ruleOfTool(tool),
      discovery: () => this.discovery(),
      loadTools: () => this.loadTools(),
      pausable: this.#executor.pausable === true,
      approvalTimeoutMs: this.#pausing.settings.timeoutMs,
      observedOutputs: this.#observedOutputs,
    };
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

  /**
   * Whether its executions can pause for approval (its executor records them: a `LocalExecutor`); with a
   * `RemoteExecutor` a call that needs approval and gets no answer now is refused instead.
   */
  get canPause(): boolean {
    return this.#executor.pausable === true;
  }

  /**
   * Whether its continuations are sealed with a configured `approvals.key`, so that another process (or this
   * one after a restart) with the same key can resume them; without one they are sealed with a random key of
   * this process.
   */
  get resumesAcrossRestarts(): boolean {
    return this.#pausing.keyed;
  }

  /**
   * Whether a call could need approval now: a policy rule says `approve`, a registered tool needs approval, or
   * a tool source is not loaded yet. Only such executions are recorded (so that they can pause).
   *
   * @returns whether a call could need approval.
   */
  asksApproval(): boolean {
    if (this.#policies.asksApproval || this.#sources.some((s) => !this.#sourceTools.has(s))) return true;
    // Asked at every execution's start: the tools are looked over again only when they changed.
    const version = this.registry.version;
    if (this.#asks?.version !== version) {
      this.#asks = { version, value: this.registry.list().some((t) => this.policyOf(t) === "approve") };
    }
    return this.#asks.value;
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
   * @param options a cancel signal, per-call limits, an approver for this execution, the context and call id
   * handlers see, and `onEvent` to hear of the execution as it runs.
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
    const replay = await this.#pausing.open(continuation, decisions);
    return this.#run(
      replay.payload.code,
      { ...options, correlationId: replay.payload.correlationId, typecheck: false },
      replay,
    );
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
    const events = options.onEvent && new EventStream(options.onEvent, executionId);
    events?.emit({ type: "start", correlationId });
    const observation = this.#observer &&
      startExecution(this.#observer, { executionId, correlationId, principal: options.principal });
    const failed = await this.#refusal(code, limits, options.typecheck);
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
      return events ? executionEnded(events, result) : result;
    }
    const scope = new CallScope(executionId, options);
    const approver = scope.guard(options.approver ?? this.#approver);
    const recorder = this.#executor.pausable && (replay || this.asksApproval())
      ? this.#pausing.recorder(code, correlationId, replay)
      : undefined;
    const clock = new ApprovalClock();
    const run: Run = { executionId, limits, approver, scope, observation, events, clock, recorder };
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
        invoke: (tool, input, signal) => invokeTool(this.#calls, run, tool, input, signal),
        ...(events ? { onLog: ({ level, text }) => events.emit({ type: "log", level, text }) } : {}),
        ...(recorder ? { recording: recorder, halt: recorder.halt } : {}),
        clock,
      });
      result = { ...result, correlationId };
      if (recorder) result = await this.#pausing.finish(result, recorder);
    } catch (e) {
      endExecution(observation, undefined, e);
      throw e;
    }
    endExecution(observation, result);
    scope.throwIfEscaped();
    return events ? executionEnded(events, result) : result;
  }

  // What stops the script before it runs (the static validator, the type check), or undefined. Tool sources are
  // not loaded for it: a lazy one starts when the script first calls one of its tools, so `return 1` starts none.
  async #refusal(code: string, limits: Limits, typecheck: boolean | undefined) {
    const refused = validateCode(code, { maxCodeBytes: limits.maxCodeBytes, deniedPatterns: this.#deniedPatterns });
    return refused
      ? { stopReason: "rejected" as const, error: refused }
      : await this.#failedCheck(code, limits, typecheck);
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
}
