/**
 * One `execute_code` of a 2026-07-28 client, as `./_input_required.ts` keeps
 * it between the requests that serve it: its execution, the one question it
 * has open, its result once it ended, and the round its next `requestState`
 * names.
 *
 * @module
 */
import type { CallToolResult, ElicitRequestFormParams, ElicitResult } from "@modelcontextprotocol/server";
import { ApprovalRefused } from "../../tools/approval.ts";
import type { ExecutionEvent } from "../../events.ts";

/** A question of the execution's approver, open until answered or withdrawn. */
export interface OpenQuestion {
  /** The `elicitation/create` parameters (form mode). */
  params: ElicitRequestFormParams;
  /** Settles the approver's wait. */
  answer: PromiseWithResolvers<ElicitResult>;
}

/** How an execution ended: the tool result, or what `execute` threw. */
export type Ending = { result: CallToolResult } | { error: unknown };

/** An execution and what the requests that serve it need to know. */
export class WaitingRun {
  /** The run's name in the table and in its `requestState`: 128 random bits. */
  readonly id: string = randomId();
  /** Ends the execution (kills its sandbox). */
  readonly kill: AbortController = new AbortController();
  /** The digest of the call (`execute_code` and its code) a `requestState` of this run must come back with. */
  readonly callDigest: string;
  /** The round the only valid `requestState` names; redeeming one moves it on, so each is used once. */
  round = 0;
  /** Whether a request is serving the run now (no `requestState` of it is valid meanwhile). */
  attended = true;
  /** The timer that ends the wait for the client's retry. */
  expiry: ReturnType<typeof setTimeout> | undefined;
  /** The open question, if any: the approver asks one at a time. */
  question: OpenQuestion | undefined;
  /** Set once the execution ended. */
  ending: Ending | undefined;
  /** Hears the execution's events for the request serving the run now (its live report), if any. */
  listener: ((event: ExecutionEvent) => void) | undefined;
  #changed = Promise.withResolvers<void>();

  /** @param callDigest see {@linkcode WaitingRun.callDigest}. */
  constructor(callDigest: string) {
    this.callDigest = callDigest;
  }

  /**
   * Puts a question to the client of the run; the answer comes with a retry.
   * The execution's end withdraws it.
   */
  ask(params: ElicitRequestFormParams, signal: AbortSignal): Promise<ElicitResult> {
    const question: OpenQuestion = { params, answer: Promise.withResolvers<ElicitResult>() };
    if (signal.aborted) return Promise.reject(new ApprovalRefused("the execution ended before it was approved"));
    this.question = question;
    signal.addEventListener("abort", () => {
      if (this.question === question) this.withdraw(new ApprovalRefused("the execution ended before it was approved"));
    }, { once: true });
    this.#notify();
    return question.answer.promise;
  }

  /** Answers the open question (if it is still open). */
  answer(result: ElicitResult): void {
    this.#settle((question) => question.answer.resolve(result));
  }

  /** Refuses the open question, if any, with a reason the script reads. */
  withdraw(reason: ApprovalRefused): void {
    this.#settle((question) => question.answer.reject(reason));
  }

  #settle(how: (question: OpenQuestion) => void): void {
    const question = this.question;
    if (!question) return;
    this.question = undefined;
    how(question);
    this.#notify();
  }

  /** Records how the execution ended. */
  end(ending: Ending): void {
    this.ending = ending;
    this.#notify();
  }

  /** Resolves at the next change: a question, an answer, the end. Take it before awaiting, after looking. */
  changed(): Promise<void> {
    return this.#changed.promise;
  }

  #notify(): void {
    this.#changed.resolve();
    this.#changed = Promise.withResolvers<void>();
  }
}

/**
 * The digest a `requestState` is bound to: the tool and its code, as SHA-256 in base64url.
 *
 * @param code the script of the `execute_code` call.
 * @returns the digest.
 */
export async function callDigest(code: string): Promise<string> {
  const bytes = new TextEncoder().encode(`execute_code\0${code}`);
  return base64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

function randomId(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(16)));
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
