/**
 * The token benchmark's catalogue: 100 tools in 10 namespaces, written after
 * the public APIs they copy (GitHub, Slack, Google Calendar, HubSpot, Stripe,
 * Notion, Gmail, OpenWeather, Jira, S3), with JSON Schemas for input and
 * output and in-memory handlers over fake data that a seeded generator builds
 * the same on every run (`_schema.ts`'s `Fake`; no clock, no randomness).
 *
 * @module
 */
import { type AnyTool, defineTool } from "../../../../mod.ts";
import { makeValidator, type Validator } from "../../../../src/tools/validate.ts";
import type { BenchTool, Schema } from "./_schema.ts";
import { billing } from "./billing.ts";
import { calendar } from "./calendar.ts";
import { crm } from "./crm.ts";
import { docs } from "./docs.ts";
import { email } from "./email.ts";
import { github } from "./github.ts";
import { jira } from "./jira.ts";
import { slack } from "./slack.ts";
import { storage } from "./storage.ts";
import { weather } from "./weather.ts";

export type { BenchTool, Schema };

/** Every tool, namespace by namespace. */
export const CATALOGUE: readonly BenchTool[] = [
  ...github,
  ...slack,
  ...calendar,
  ...crm,
  ...billing,
  ...docs,
  ...email,
  ...weather,
  ...jira,
  ...storage,
];

/**
 * The catalogue as Codemode tools: the same schemas, descriptions and handlers.
 *
 * @returns 100 tools.
 */
export function codemodeTools(): AnyTool[] {
  return CATALOGUE.map((t) =>
    defineTool({
      name: t.name,
      description: t.description,
      input: t.input,
      output: t.output,
      handler: (input) => t.handler(input as Record<string, unknown>),
    })
  );
}

/** A tool as classic function calling puts it in the request (Anthropic's `tools` shape). */
export interface FunctionDefinition {
  /** The tool's name; a dot is not allowed in function names, so `github.list_issues` is `github__list_issues`. */
  name: string;
  /** What it does. */
  description: string;
  /** JSON Schema of its input. */
  input_schema: Schema;
}

/**
 * The catalogue as classic tool definitions: every tool's name, description
 * and input JSON Schema. Function-calling APIs take no output schema.
 *
 * @returns 100 definitions.
 */
export function functionDefinitions(): FunctionDefinition[] {
  return CATALOGUE.map((t) => ({ name: functionName(t.name), description: t.description, input_schema: t.input }));
}

/** `github.list_issues` → `github__list_issues`: function names allow only `[a-zA-Z0-9_-]`. */
export function functionName(tool: string): string {
  return tool.replace(".", "__");
}

const validators = new Map<string, { input: Validator<unknown>; output: Validator<unknown> }>();

/**
 * Runs a tool as a classic agent's host would: the input and the output
 * checked by the validation Codemode uses, and the handler in between.
 *
 * @param name the tool's name, e.g. `github.list_issues`.
 * @param input the model's arguments.
 * @returns the tool's output.
 * @throws {Error} for a name that is not in the catalogue, or an input or output its schema refuses.
 */
export function callTool(name: string, input: unknown): unknown {
  const tool = CATALOGUE.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool named ${name} in the catalogue`);
  let check = validators.get(name);
  if (!check) {
    check = { input: makeValidator(tool.input, `${name} input`), output: makeValidator(tool.output, `${name} output`) };
    validators.set(name, check);
  }
  const given = check.input(input);
  if (!given.ok) throw new Error(`invalid input for ${name}: ${given.issues.join("; ")}`);
  const output = tool.handler(input as Record<string, unknown>);
  const returned = check.output(output);
  if (!returned.ok) throw new Error(`invalid output of ${name}: ${returned.issues.join("; ")}`);
  return output;
}
