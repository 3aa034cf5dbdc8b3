/**
 * The system prompt that teaches a model to write a Codemode script.
 *
 * @module
 */

/** Options of {@linkcode renderPrompt}. */
export interface PromptOptions {
  /** Name of the tool the model calls with its script. @default {"execute_code"} */
  toolName?: string;
  /** Extra instructions appended at the end. */
  extra?: string;
}

/**
 * Renders the system prompt: how to write the script, and the declarations.
 *
 * @param declarations the output of `Codemode.types()`.
 * @param options the tool's name and extra instructions.
 * @returns the prompt text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderPrompt } from "./prompt.ts";
 * const p = renderPrompt("declare const tools: {};");
 * assert.match(p, /Promise\.all/);
 * assert.match(p, /declare const tools/);
 * ```
 */
export function renderPrompt(declarations: string, options: PromptOptions = {}): string {
  const toolName = options.toolName ?? "execute_code";
  return [
    `You can use tools by writing one TypeScript script and running it with the \`${toolName}\` tool.`,
    "",
    "How to write the script:",
    "- It is the body of an async function: use `await` at the top level, and `return` the answer (any JSON value).",
    "- Call tools as `await tools.<namespace>.<tool>(input)`; each returns a promise of its output.",
    "- Run independent calls together with `Promise.all` instead of one after another.",
    "- Do the filtering, joining and arithmetic in the script; return only what you need, not raw tool output.",
    "- Use `console.log` for short notes; they come back with the result.",
    "- A failed call throws an Error whose message names the tool; catch it if you can recover.",
    "- There is no network, file system, environment or import: only `tools` and standard JavaScript.",
    '- To find tools: `await tools.$search("keywords")` returns an array of matches, best first, each',
    '  `{ name, score, signature, description }` with a one-line call signature; `await tools.$types("namespace")`',
    "  returns the full declarations as one string. Both are declared below.",
    "",
    "The tools available to the script:",
    "",
    "```ts",
    declarations.trimEnd(),
    "```",
    ...(options.extra ? ["", options.extra] : []),
  ].join("\n");
}
