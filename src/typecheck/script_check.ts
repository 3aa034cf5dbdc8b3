/**
 * The type check before a run, as `Codemode.execute` asks for it: the
 * declarations a script is checked against, and what a failed check makes of
 * the result.
 *
 * @module
 */
import type { ExecutionError, TypeDiagnostic } from "../rpc/result.ts";
import { renderDeclarations } from "../typegen/declarations.ts";
import type { CatalogEntry } from "../typegen/catalog.ts";
import { type TypeChecker, TypeCheckUnavailableError } from "./checker.ts";
import { typeCheckMessage } from "./diagnostics.ts";

/** Why a script did not run: its type check failed, or could not be done. */
export interface FailedCheck {
  error: ExecutionError;
  diagnostics?: TypeDiagnostic[];
}

/**
 * The declarations a script is checked against: the catalogue and the
 * discovery calls, with every result type the tools do not declare (observed
 * ones included, which may not have seen every field yet) as `any`.
 *
 * @param catalog the tools the model may see.
 * @returns TypeScript declarations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDeclarations } from "./script_check.ts";
 * const text = checkDeclarations([{ name: "a.b", path: ["a", "b"], inputSchema: { type: "object" } }]);
 * assert.match(text, /b\(input\?: Record<string, unknown>\): Promise<any>/);
 * assert.match(text, /\$search/);
 * ```
 */
export function checkDeclarations(catalog: CatalogEntry[]): string {
  const declared = catalog.map(({ outputSchema, outputObservedCalls, ...entry }) =>
    outputObservedCalls === undefined && outputSchema !== undefined ? { ...entry, outputSchema } : entry
  );
  return renderDeclarations(declared, { discovery: true, unknownOutput: "any" });
}

/**
 * Type-checks a script.
 *
 * @param checker the warm checker.
 * @param code the script.
 * @param declarations from {@linkcode checkDeclarations}.
 * @param timeoutMs how long the check may take.
 * @returns `undefined` when the script may run; else the error (and diagnostics) for its result.
 */
export async function checkScript(
  checker: TypeChecker,
  code: string,
  declarations: string,
  timeoutMs: number,
): Promise<FailedCheck | undefined> {
  try {
    const outcome = await checker.check(code, declarations, timeoutMs);
    if (outcome.ok) return undefined;
    const [first] = outcome.diagnostics;
    return {
      error: {
        name: "TypeCheckError",
        message: typeCheckMessage(outcome.diagnostics, outcome.more),
        ...(first ? { line: first.line, column: first.column } : {}),
      },
      diagnostics: outcome.diagnostics,
    };
  } catch (e) {
    if (!(e instanceof TypeCheckUnavailableError)) throw e;
    return {
      error: { name: "TypeCheckError", message: `The script could not be type-checked (nothing ran): ${e.message}` },
    };
  }
}
