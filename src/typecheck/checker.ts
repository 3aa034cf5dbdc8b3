/**
 * Type-checks scripts before they run, in a warm TypeScript checker on a
 * worker thread of the host: the first check loads TypeScript (about a
 * second), later ones take milliseconds. The worker holds the declarations
 * it was last sent; they are sent again only when they change.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { CheckRequest, TypeDiagnostic } from "./diagnostics.ts";

/** What a check found: nothing (`ok`), or the script's errors. */
export type TypeCheckOutcome =
  | { ok: true }
  | { ok: false; diagnostics: TypeDiagnostic[]; more: number };

/** The heap a checker's worker may use: a script whose types need more ends the worker, not the host. */
export const CHECKER_HEAP_MB = 512;

type Reply = { id: number; diagnostics: TypeDiagnostic[]; more: number } | { id: number; error: string };

/** Thrown by {@linkcode TypeChecker.check} when the checker could not give an answer. */
export class TypeCheckUnavailableError extends Error {
  override name = "TypeCheckUnavailableError";
}

/**
 * A warm type checker. Checks run one at a time; `close()` ends its worker.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { TypeChecker } from "./checker.ts";
 * const checker = new TypeChecker();
 * const r = await checker.check("return tools.a.b({ x: 1 })", "declare const tools: { a: { b(i: { y: number }): Promise<number> } };", 30_000);
 * assert.equal(r.ok, false);
 * checker.close();
 * ```
 */
export class TypeChecker {
  #worker: Worker | undefined;
  #sent: string | undefined;
  #nextId = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  /**
   * Checks `code` against `declarations`.
   *
   * @param code the script.
   * @param declarations the tools' declarations for checking.
   * @param timeoutMs how long the check may take (a cold checker's start included).
   * @returns whether the script type-checks, and its errors.
   * @throws {TypeCheckUnavailableError} when the checker timed out, ran out of memory or could not start.
   */
  check(code: string, declarations: string, timeoutMs: number): Promise<TypeCheckOutcome> {
    const turn = this.#queue.then(() => this.#check(code, declarations, timeoutMs));
    this.#queue = turn.catch(() => {});
    return turn;
  }

  /** Ends the worker; a later check starts a new one, unless closed. */
  close(): void {
    this.#closed = true;
    this.#stop();
  }

  async #check(code: string, declarations: string, timeoutMs: number): Promise<TypeCheckOutcome> {
    if (this.#closed) throw new TypeCheckUnavailableError("the type checker was closed");
    const worker = this.#worker ??= this.#start();
    const request: CheckRequest = { id: this.#nextId++, code };
    if (this.#sent !== declarations) request.declarations = declarations;
    this.#sent = declarations;
    const reply = Promise.withResolvers<Reply>();
    const onMessage = (m: Reply) => m.id === request.id && reply.resolve(m);
    const onError = (e: Error & { code?: string }) =>
      reply.reject(
        new TypeCheckUnavailableError(
          e.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? `the type check ran out of memory (${CHECKER_HEAP_MB} MiB)`
            : `the type checker failed: ${e.message}`,
        ),
      );
    const onExit = () => reply.reject(new TypeCheckUnavailableError("the type checker stopped"));
    const timer = setTimeout(
      () => reply.reject(new TypeCheckUnavailableError(`the type check took longer than ${timeoutMs} ms (timeoutMs)`)),
      timeoutMs,
    );
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    worker.ref();
    try {
      worker.postMessage(request);
      const answer = await reply.promise;
      if ("error" in answer) throw new TypeCheckUnavailableError(`the type checker failed: ${answer.error}`);
      return answer.diagnostics.length === 0 && answer.more === 0
        ? { ok: true }
        : { ok: false, diagnostics: answer.diagnostics, more: answer.more };
    } catch (e) {
      // A worker that timed out may be stuck in the script's types: it goes, and the next check starts afresh.
      this.#stop();
      throw e;
    } finally {
      clearTimeout(timer);
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      worker.unref();
    }
  }

  #start(): Worker {
    const worker = new Worker(new URL("./_worker.ts", import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: CHECKER_HEAP_MB },
    });
    // Between checks nobody listens: an error then (there should be none) drops the worker.
    worker.on("error", () => this.#worker === worker && this.#stop());
    worker.unref();
    return worker;
  }

  #stop(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#sent = undefined;
    void worker?.terminate();
  }
}
