/**
 * Approvals for 2026-07-28 clients: the multi round-trip side of
 * `execute_code`. That revision has no requests from server to client: a
 * server asks by ending the `tools/call` with `input_required` (the question
 * in `inputRequests`, an opaque `requestState`), and the client sends the same
 * call again with the answer (`inputResponses`) and the `requestState` echoed.
 *
 * A script cannot be written into `requestState`: it is a live sandbox,
 * blocked on the call that waits for approval (other calls of it may still be
 * running). So the execution waits here, and `requestState` is a ticket to it,
 * as the spec allows and requires of state that decides what runs: sealed
 * with HMAC-SHA256 under a key that never leaves this process (the SDK's
 * `createRequestStateCodec`), bound to the principal (the request's
 * `Authorization`, so one key holder cannot use another's ticket) and to the
 * call (a digest of `execute_code` and its code), naming the run and its
 * round. The table is the authority: a ticket is good once (its round moves
 * on when it is redeemed), only while its run waits, and only within
 * `approvalTimeoutMs` of being handed out; after that the question is refused
 * and the execution killed, since nobody would read its result. At most
 * `maxWaiting` executions wait at once; past that a call that needs approval
 * is refused without asking. A ticket that fails any check is answered with
 * one tool error (`isError`, as the SDK answers every failed `tools/call`)
 * that says the same whatever failed; the reason is logged, not sent.
 *
 * The alternative the spec offers for state the server must keep, Tasks, is
 * not what an SDK v2 `Client.callTool` does: it fulfils `input_required` by
 * itself and sends the call again, so this works with no client change.
 *
 * @module
 */
import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  createRequestStateCodec,
  type ElicitRequestFormParams,
  type ElicitResult,
  inputRequired,
  type InputRequiredResult,
  inputResponse,
  type RequestStateCodec,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { ApprovalRefused } from "../../tools/approval.ts";
import { canAsk, type ElicitingRequest, NO_ELICITATION } from "./_approval.ts";
import { callDigest, WaitingRun } from "./_waiting_run.ts";
import type { McpLogger } from "./log.ts";
import type { ExecutionEvent } from "../../events.ts";

/** The first protocol revision without server-to-client requests. */
export const MODERN_REVISION = "2026-07-28";

/**
 * Whether a negotiated protocol revision asks with `input_required`.
 *
 * @param version the revision, when negotiated.
 * @returns whether it is 2026-07-28 or later.
 */
export function isModernEra(version: string | undefined): boolean {
  return version !== undefined && version >= MODERN_REVISION;
}

/** The key of the approval question in `inputRequests` and of its answer in `inputResponses`. */
export const APPROVAL_KEY = "approval";

/** The default of `maxWaitingExecutions`. */
export const DEFAULT_MAX_WAITING = 16;

/** The longest `requestState` looked at; a ticket is about 200 characters. */
const MAX_STATE_CHARS = 4096;

/** What every refused `requestState` is told, whatever failed (the reason is logged, not sent). */
export const INVALID_STATE_MESSAGE = "Invalid or expired requestState: an execute_code requestState is good once, " +
  "for the same code and the same client, while its script waits for the answer; this one is not (altered, " +
  "expired, already used, or another call's). Call execute_code without requestState to run the script again.";

const TICKET = z.object({ r: z.string().max(64), n: z.number().int().nonnegative(), c: z.string().max(64) });

/** Options of {@linkcode WaitingExecutions}. */
export interface WaitingOptions {
  /** How long a run waits for the client's retry after `input_required`, in ms. */
  timeoutMs: number;
  /** Most runs waiting for an answer at once. */
  maxWaiting: number;
  /** Where refusals and expiries are logged. */
  log: McpLogger;
}

/**
 * Starts the execution of a call; its approver asks through `asker`, `signal` kills it, and `onEvent` hears its
 * events (passing them to the request that serves the run at the time).
 */
export type StartExecution = (
  asker: ElicitingRequest,
  signal: AbortSignal,
  onEvent: (event: ExecutionEvent) => void,
) => Promise<CallToolResult>;

/**
 * The executions of 2026-07-28 `execute_code` calls, across the requests that
 * serve them: one table per stdio connection, per HTTP endpoint.
 */
export class WaitingExecutions {
  readonly #options: WaitingOptions;
  readonly #codec: RequestStateCodec;
  /** Runs that asked and whose client has not yet been given the end: a ticket is looked up here. */
  readonly #waiting = new Map<string, WaitingRun>();
  /** Every run with its execution, to end them on close. */
  readonly #live = new Map<WaitingRun, Promise<void>>();
  #closed = false;

  /**
   * @param options the timeout, the cap, the log.
   * @throws {RangeError} when the timeout or the cap is not a positive integer.
   */
  constructor(options: WaitingOptions) {
    positive("approvalTimeoutMs", options.timeoutMs);
    positive("maxWaitingExecutions", options.maxWaiting);
    this.#options = options;
    this.#codec = createRequestStateCodec({
      key: crypto.getRandomValues(new Uint8Array(32)),
      // Never stricter than the table: the run's timer fires first.
      ttlSeconds: Math.ceil(options.timeoutMs / 1000) + 1,
      bind: principalOf,
    });
  }

  /** How many runs wait for an answer. */
  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Serves one `execute_code` request: a first call starts the execution, a
   * retry (with `requestState`) delivers the answer to the run it names. Either
   * way it resolves with the result, or with `input_required` when the script
   * needs an answer. A `requestState` that is not a good ticket gets a tool
   * error saying so, the same whatever failed. `listener` hears the execution's events while this request
   * serves it (the first, or a retry: each hears what happens until its own response).
   */
  async serve(
    ctx: ServerContext,
    code: string,
    start: StartExecution,
    listener?: (event: ExecutionEvent) => void,
  ): Promise<CallToolResult | InputRequiredResult> {
    // The SDK refuses a requestState that is not a string (-32602) before this handler runs.
    const state = ctx.mcpReq.requestState<string>();
    if (state !== undefined) {
      const run = await this.#redeem(state, ctx, code);
      if (!run) return { content: [{ type: "text", text: INVALID_STATE_MESSAGE }], isError: true };
      this.#deliver(run, ctx);
      return await this.#attend(run, ctx, listener);
    }
    const run = new WaitingRun(await callDigest(code));
    const asker: ElicitingRequest = {
      clientCapabilities: capabilitiesOf(ctx),
      elicitInput: (params, { signal }) => run.ask(params, signal),
    };
    if (this.#closed) run.kill.abort();
    run.listener = listener;
    const done = start(asker, run.kill.signal, (event) => run.listener?.(event))
      .then((result) => run.end({ result }), (error) => run.end({ error }));
    this.#live.set(run, done);
    done.finally(() => this.#live.delete(run));
    return await this.#attend(run, ctx, listener);
  }

  /** Ends every run (killing its sandbox) and waits for them. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const run of this.#waiting.values()) this.#forget(run);
    for (const run of this.#live.keys()) this.#drop(run);
    await Promise.allSettled([...this.#live.values()]);
  }

  /** Waits, for this request, for the run's next question or its end. */
  async #attend(
    run: WaitingRun,
    ctx: ServerContext,
    listener: ((event: ExecutionEvent) => void) | undefined,
  ): Promise<CallToolResult | InputRequiredResult> {
    const signal = ctx.mcpReq.signal;
    run.listener = listener;
    // A client that cancels or leaves while it is served ends the run, as before approvals could wait.
    const gone = () => this.#drop(run);
    signal.addEventListener("abort", gone, { once: true });
    try {
      while (true) {
        if (run.ending) {
          this.#forget(run);
          if ("error" in run.ending) throw run.ending.error;
          return run.ending.result;
        }
        const question = run.question;
        if (question && !signal.aborted) {
          const refusal = this.#cannotWait(run, ctx);
          if (refusal === undefined) return await this.#park(run, ctx, question.params);
          run.withdraw(new ApprovalRefused(refusal));
          continue;
        }
        await run.changed();
      }
    } finally {
      signal.removeEventListener("abort", gone);
      if (run.listener === listener) run.listener = undefined; // the next events are for the next request
    }
  }

  #cannotWait(run: WaitingRun, ctx: ServerContext): string | undefined {
    if (this.#closed) return "it needs approval, and the MCP server is closing";
    if (!canAsk(capabilitiesOf(ctx))) return `it needs approval, and ${NO_ELICITATION}`;
    const { maxWaiting } = this.#options;
    if (!this.#waiting.has(run.id) && this.#waiting.size >= maxWaiting) {
      return `it needs approval, and ${maxWaiting} executions already wait for their MCP clients' answers ` +
        `(the most this server keeps waiting: maxWaitingExecutions); try again later`;
    }
    return undefined;
  }

  /** Hands the question to the client with a ticket, and starts the wait for its retry. */
  async #park(run: WaitingRun, ctx: ServerContext, question: ElicitRequestFormParams): Promise<InputRequiredResult> {
    this.#waiting.set(run.id, run);
    const requestState = await this.#codec.mint({ r: run.id, n: run.round, c: run.callDigest }, ctx);
    const result = inputRequired({ inputRequests: { [APPROVAL_KEY]: inputRequired.elicit(question) }, requestState });
    if (this.#waiting.get(run.id) !== run) return result; // dropped meanwhile (the client left): no one waits
    run.attended = false;
    run.expiry = setTimeout(() => this.#expire(run), this.#options.timeoutMs);
    return result;
  }

  /** The run a ticket names, taken for this request; `undefined` (the reason logged) for a bad ticket. */
  async #redeem(state: string, ctx: ServerContext, code: string): Promise<WaitingRun | undefined> {
    const refuse = (reason: string): undefined => {
      this.#options.log({ level: "warn", event: "request_state_refused", reason });
    };
    if (state.length > MAX_STATE_CHARS) return refuse("malformed");
    let payload: unknown;
    try {
      payload = await this.#codec.verify(state, ctx);
    } catch (e) {
      return refuse(e instanceof Error ? e.message : "malformed"); // malformed, mac, expired, bind: no detail
    }
    const ticket = TICKET.safeParse(payload);
    if (!ticket.success) return refuse("malformed");
    const digest = await callDigest(code);
    // From here to the end no await: two retries with one ticket cannot both pass.
    const run = this.#waiting.get(ticket.data.r);
    if (!run) return refuse("unknown"); // ended, expired, or never here
    if (run.attended || run.round !== ticket.data.n) return refuse("spent");
    if (run.callDigest !== digest || ticket.data.c !== digest) return refuse("another_call");
    run.attended = true;
    run.round++;
    clearTimeout(run.expiry);
    return run;
  }

  /**
   * Gives the open question the retry's answer. Without one (or with one the SDK dropped as not a bare
   * response) the question is asked again, as the spec and the SDK advise; an answer of another kind refuses.
   */
  #deliver(run: WaitingRun, ctx: ServerContext): void {
    const view = inputResponse(ctx.mcpReq.inputResponses, APPROVAL_KEY);
    if (view.kind === "missing") return;
    if (view.kind !== "elicit") {
      return run.withdraw(new ApprovalRefused("the MCP client's answer is not an elicitation result"));
    }
    const content = view.content as ElicitResult["content"];
    run.answer({ action: view.action, ...(content ? { content } : {}) });
  }

  /** No retry came in time: the question is refused, and the execution, whose result nobody would read, ends. */
  #expire(run: WaitingRun): void {
    if (this.#waiting.get(run.id) !== run || run.attended) return;
    this.#waiting.delete(run.id);
    this.#options.log({ level: "warn", event: "approval_expired", timeoutMs: this.#options.timeoutMs });
    if (run.ending) return;
    run.withdraw(
      new ApprovalRefused(
        `no answer came: the MCP client did not send execute_code again within ${this.#options.timeoutMs} ms ` +
          `(approvalTimeoutMs)`,
      ),
    );
    // On the next turn, so that the refusal is recorded in the trace before the sandbox goes.
    setTimeout(() => run.kill.abort(), 0);
  }

  #forget(run: WaitingRun): void {
    if (this.#waiting.get(run.id) === run) this.#waiting.delete(run.id);
    clearTimeout(run.expiry);
  }

  #drop(run: WaitingRun): void {
    this.#forget(run);
    run.kill.abort();
  }
}

function positive(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/** The principal a ticket is bound to: the request's `Authorization` (none over stdio, one client per table). */
function principalOf(ctx: ServerContext): string {
  return ctx.http?.req?.headers.get("authorization") ?? "";
}

/** What the client declared in this request's envelope. */
function capabilitiesOf(ctx: ServerContext): ClientCapabilities | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined; // typed {} by the SDK
  return envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
}
