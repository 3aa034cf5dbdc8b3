/**
 * What a type check of a script reports, and how it reads as text: the
 * shapes the host and the checker's worker share (no TypeScript here).
 *
 * @module
 */

import type { TypeDiagnostic } from "../rpc/result.ts";

export type { TypeDiagnostic };

/** A request to the checker's worker: check `code`; `declarations` when they changed since the last one. */
export interface CheckRequest {
  id: number;
  code: string;
  declarations?: string;
}

/** The most diagnostics reported for one script; the rest are counted. */
export const MAX_DIAGNOSTICS = 20;
/** The longest message kept for one diagnostic, in characters. */
export const MAX_DIAGNOSTIC_CHARS = 1000;

/**
 * One diagnostic as a line of text, the way a compiler prints it, with the
 * tool and field when known.
 *
 * @param d the diagnostic.
 * @returns e.g. `script.ts:1:27 - error TS2353: … (tools.weather.get, field citty)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDiagnostic } from "./diagnostics.ts";
 * assert.equal(
 *   formatDiagnostic({ line: 1, column: 27, code: 2353, message: "Unknown property.", tool: "weather.get", field: "citty" }),
 *   "script.ts:1:27 - error TS2353: Unknown property. (tools.weather.get, field citty)",
 * );
 * ```
 */
export function formatDiagnostic(d: TypeDiagnostic): string {
  const where = [d.tool && `tools.${d.tool}`, d.field && `field ${d.field}`].filter(Boolean).join(", ");
  return `script.ts:${d.line}:${d.column} - error TS${d.code}: ${d.message}${where ? ` (${where})` : ""}`;
}

/**
 * The error message of a script that failed its type check: every
 * diagnostic as a line, and how many more there were.
 *
 * @param diagnostics what the checker found (at most {@linkcode MAX_DIAGNOSTICS}).
 * @param more how many were left out.
 * @returns the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { typeCheckMessage } from "./diagnostics.ts";
 * const text = typeCheckMessage([{ line: 2, column: 1, code: 2304, message: "Cannot find name 'x'." }], 0);
 * assert.match(text, /^The script failed its type check \(nothing ran\):\nscript\.ts:2:1 - error TS2304/);
 * ```
 */
export function typeCheckMessage(diagnostics: TypeDiagnostic[], more: number): string {
  const lines = diagnostics.map(formatDiagnostic);
  if (more > 0) lines.push(`… and ${more} more`);
  return `The script failed its type check (nothing ran):\n${lines.join("\n")}`;
}
