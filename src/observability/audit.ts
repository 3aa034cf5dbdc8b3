/**
 * The audit trail of tool calls: one {@linkcode AuditRecord} per call, with a
 * SHA-256 digest of its input's canonical JSON instead of the input itself
 * (so a record proves what was sent without holding secrets), given to a
 * sink the host supplies.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ToolCallOutcome } from "../observe.ts";

/** One tool call, as the audit trail records it. */
export interface AuditRecord {
  /** When the call ended (ISO 8601). */
  time: string;
  /** The registered tool name (`$search`/`$types` for discovery); `(unknown)` for a name that is no tool. */
  tool: string;
  /** SHA-256 (hex) of the canonical JSON of the input the script sent (see {@linkcode canonicalJson}). */
  inputSha256: string;
  /** How the call ended. */
  outcome: ToolCallOutcome;
  /** From the call's arrival on the host to its end, in ms. */
  durationMs: number;
  /** The execution that made the call. */
  executionId: string;
  /** The execution's correlation id. */
  correlationId: string;
  /** Who asked for the execution, as its caller named it (an MCP session, an API key's id). */
  principal?: string;
}

/**
 * Receives audit records. It may return a promise; a sink that throws or
 * rejects is ignored for that record (the call it records is not affected).
 */
export type AuditSink = (record: AuditRecord) => void | Promise<void>;

/**
 * The canonical JSON of a value (RFC 8785's idea, simply): object keys sorted
 * by UTF-16 code units at every level, no whitespace, `undefined` properties
 * left out, as `JSON.stringify` writes everything else. Two inputs with the
 * same content give the same text, whatever the order of their keys.
 *
 * @param value a JSON value (a tool input from the sandbox is one).
 * @returns the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./audit.ts";
 * assert.equal(canonicalJson({ b: [1, { d: 1, c: 2 }], a: "x" }), '{"a":"x","b":[1,{"c":2,"d":1}]}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => v === undefined ? "null" : canonicalJson(v)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    const fields: string[] = [];
    for (const key of keys) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) fields.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
    }
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The SHA-256 digest (hex) of an input's canonical JSON; a missing input
 * counts as `{}`, as tools receive it.
 *
 * @param input the input as the script sent it.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inputDigest } from "./audit.ts";
 * assert.equal(inputDigest({ a: 1, b: 2 }), inputDigest({ b: 2, a: 1 }));
 * assert.equal(inputDigest(undefined), inputDigest({}));
 * assert.match(inputDigest("x"), /^[0-9a-f]{64}$/);
 * ```
 */
export function inputDigest(input: unknown): string {
  return createHash("sha256").update(canonicalJson(input === undefined ? {} : input)).digest("hex");
}
