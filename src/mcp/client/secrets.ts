/**
 * The secrets of one upstream server, and every redaction a source does with
 * them: the configured ones, plus those learnt while running (OAuth tokens,
 * codes), applied to texts, values, errors and tool listings.
 *
 * @module
 */
import { Redactor } from "./redact.ts";
import { UpstreamToolError } from "./result.ts";
import type { McpListedTool } from "./tools.ts";

// Secrets learnt while running besides the configured ones; the oldest are let go.
const MAX_LEARNT = 64;

/**
 * A server's secrets and redaction.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Secrets } from "./secrets.ts";
 * const secrets = new Secrets(["configured-1"]);
 * secrets.learn("access-token-2");
 * assert.equal(secrets.redact("configured-1 access-token-2"), "[redacted] [redacted]");
 * ```
 */
export class Secrets {
  readonly #configured: readonly string[];
  readonly #learnt: string[] = [];
  #redactor: Redactor;

  /**
   * @param configured the values of the server's configuration that are secret.
   */
  constructor(configured: readonly string[]) {
    this.#configured = configured;
    this.#redactor = new Redactor(configured);
  }

  /** Redacts a value learnt while running (an OAuth token, a code) from now on. */
  learn(value: string): void {
    if (this.#learnt.includes(value) || this.#configured.includes(value)) return;
    this.#learnt.push(value);
    if (this.#learnt.length > MAX_LEARNT) this.#learnt.shift();
    this.#redactor = new Redactor([...this.#configured, ...this.#learnt]);
  }

  /** The text with every secret replaced by `[redacted]`. */
  redact(text: string): string {
    return this.#redactor.redact(text);
  }

  /** A copy of a JSON-like value with every secret replaced. */
  redactValue(value: unknown): unknown {
    return this.#redactor.redactValue(value);
  }

  /** The error with its message redacted, of the same kind where that matters to the caller. */
  error(e: unknown): unknown {
    const message = e instanceof Error ? e.message : String(e);
    const clean = this.redact(message);
    if (e instanceof Error && clean === message) return e;
    if (e instanceof UpstreamToolError) return new UpstreamToolError(clean);
    if (e instanceof RangeError) return new RangeError(clean);
    return new Error(clean);
  }

  /**
   * The listed tools with secrets redacted from descriptions and schemas. A
   * tool whose very name holds a secret is left out: renamed, it could not be called.
   *
   * @param listed the tools as the server listed them.
   * @param warn told about a tool left out.
   * @returns the redacted tools.
   */
  listing(listed: McpListedTool[], warn: (message: string) => void): McpListedTool[] {
    return listed.flatMap((entry) => {
      if (typeof entry !== "object" || entry === null || typeof entry.name !== "string") return [entry];
      if (this.redact(entry.name) !== entry.name) {
        warn("skipped a tool whose name holds one of the server's configured secrets");
        return [];
      }
      return [{ ...(this.redactValue(entry) as McpListedTool), name: entry.name }];
    });
  }
}
