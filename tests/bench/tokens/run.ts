/**
 * Runs the token benchmark's tasks in every mode, for real: classic calls run
 * the catalogue's handlers, scripts run in Codemode's sandbox, and discovery
 * goes through Codemode's MCP server (`search_tools`, `get_tool_types`,
 * `execute_code`) over an in-memory MCP connection. What the model would read
 * is what those return; only the model's own turns are scripted (`tasks.ts`).
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { InMemoryTransport } from "@modelcontextprotocol/server";
import { Client } from "@modelcontextprotocol/client";
import { Codemode } from "../../../mod.ts";
import { createMcpServer } from "../../../src/mcp/mod.ts";
import {
  codeInputSchema,
  codemodeToolDescription,
  DEFAULT_TOOL_NAME,
  textForModel,
} from "../../../src/integrations/description.ts";
import { callTool, codemodeTools, functionDefinitions, functionName, type Schema } from "./catalogue/mod.ts";
import type { Task } from "./tasks.ts";
import { type Cost, SYSTEM_PROMPT, Transcript } from "./_transcript.ts";

/** How the model uses the tools. */
export type Mode = "classic" | "codemode" | "discovery" | "signatures";

/** The modes, in the table's order, with what each one is. */
export const MODES: readonly { id: Mode; label: string }[] = [
  { id: "classic", label: "classic: 100 JSON tool schemas, one call per round trip" },
  { id: "codemode", label: "Codemode, all declarations in the prompt" },
  { id: "discovery", label: "Codemode + discovery: search_tools, get_tool_types, execute_code" },
  { id: "signatures", label: "Codemode + discovery: search_tools, execute_code (from the signatures)" },
];

/** What one task cost in one mode, and its answer. */
export interface TaskRun {
  /** The task's id. */
  task: string;
  /** The mode. */
  mode: Mode;
  /** Tokens and round trips. */
  cost: Cost;
  /** What the classic calls or the script ended with. */
  answer: unknown;
}

/** A tool definition as a request carries it (Anthropic's `tools` shape; OpenAI's differs only in nesting). */
function definition(name: string, description: string, schema: unknown): Record<string, unknown> {
  const { $schema: _, ...input } = schema as Schema;
  return { name, description, input_schema: input };
}

/** The call as the assistant message carries it. */
function toolCall(name: string, input: unknown): string {
  return JSON.stringify({ name, input });
}

/**
 * The trace's call durations set to 1 ms: they are wall-clock times, and a
 * slower run would otherwise change a few tokens.
 */
export function steadyDurations(text: string): string {
  return text.replace(/^Tool calls.*$/m, (line) => line.replace(/ (ok|ERR) \d+ms/g, " $1 1ms"));
}

/** The benchmark's machinery: one Codemode with the catalogue, and an MCP client connected to its server. */
export class TokenBench implements AsyncDisposable {
  readonly #cm: Codemode;
  readonly #client: Client;
  readonly #close: () => Promise<void>;

  private constructor(cm: Codemode, client: Client, close: () => Promise<void>) {
    this.#cm = cm;
    this.#client = client;
    this.#close = close;
  }

  /** Starts Codemode with the 100 tools and connects an MCP client to its server. */
  static async open(): Promise<TokenBench> {
    const cm = new Codemode({ tools: codemodeTools() });
    const server = await createMcpServer(cm);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "token-bench", version: "1" });
    await client.connect(clientSide);
    return new TokenBench(cm, client, async () => {
      await client.close();
      await server.close();
      await cm.close();
    });
  }

  /**
   * Runs a task in every mode.
   *
   * @throws {Error} when a script fails, a mode's answer is not the expected one, or search did not find a tool the script calls.
   */
  async run(task: Task): Promise<TaskRun[]> {
    const runs = [
      await this.classic(task),
      await this.codemode(task),
      await this.discovery(task, true),
      await this.discovery(task, false),
    ];
    for (const r of runs) {
      if (!isDeepStrictEqual(r.answer, task.expected)) {
        throw new Error(
          `${task.id}: ${r.mode} answered ${JSON.stringify(r.answer)}, not ${JSON.stringify(task.expected)}`,
        );
      }
    }
    return runs;
  }

  /** Every tool's schema in the prompt; each call is a round trip whose full result joins the context. */
  async classic(task: Task): Promise<TaskRun> {
    const t = new Transcript(SYSTEM_PROMPT, functionDefinitions());
    t.add(task.prompt);
    const answer = await task.classic((tool, input) => {
      t.modelCall(true);
      t.add(toolCall(functionName(tool), input));
      const output = callTool(tool, input);
      t.add(JSON.stringify(output));
      return Promise.resolve(output);
    });
    t.modelCall(false);
    return { task: task.id, mode: "classic", cost: t.cost(), answer };
  }

  /** One `execute_code` tool whose description holds every declaration (as the AI SDK and LangChain adapters make it). */
  async codemode(task: Task): Promise<TaskRun> {
    const schema = z.toJSONSchema(codeInputSchema() as unknown as z.ZodType);
    const tool = definition(DEFAULT_TOOL_NAME, await codemodeToolDescription(this.#cm), schema);
    const t = new Transcript(SYSTEM_PROMPT, [tool]);
    t.add(task.prompt);
    t.modelCall(true);
    t.add(toolCall(DEFAULT_TOOL_NAME, { code: task.script }));
    const result = await this.#cm.execute(task.script);
    if (!result.ok) throw new Error(`${task.id}: the script failed: ${textForModel(result)}`);
    t.add(steadyDurations(textForModel(result)));
    t.modelCall(false);
    return { task: task.id, mode: "codemode", cost: t.cost(), answer: result.result };
  }

  /** Codemode's MCP server as the model sees it: its instructions and three tools; then search, (types,) script. */
  async discovery(task: Task, withTypes: boolean): Promise<TaskRun> {
    const { tools } = await this.#client.listTools();
    const system = `${SYSTEM_PROMPT}\n\n${this.#client.getInstructions() ?? ""}`;
    const t = new Transcript(system, tools.map((d) => definition(d.name, d.description ?? "", d.inputSchema)));
    t.add(task.prompt);
    const found = await this.#mcpCall(t, "search_tools", { query: task.search });
    const names = (found.structuredContent as { matches: { name: string }[] }).matches.map((m) => m.name);
    const missed = task.types.filter((n) => !names.includes(n));
    if (missed.length > 0) throw new Error(`${task.id}: search_tools did not find ${missed.join(", ")}`);
    if (withTypes) await this.#mcpCall(t, "get_tool_types", { names: task.types });
    const ran = await this.#mcpCall(t, "execute_code", { code: task.script });
    const result = ran.structuredContent as { ok: boolean; result?: unknown };
    if (!result.ok) throw new Error(`${task.id}: the script failed over MCP: ${JSON.stringify(ran.content)}`);
    t.modelCall(false);
    return { task: task.id, mode: withTypes ? "discovery" : "signatures", cost: t.cost(), answer: result.result };
  }

  async #mcpCall(t: Transcript, name: string, input: Record<string, unknown>) {
    t.modelCall(true);
    t.add(toolCall(name, input));
    const result = await this.#client.callTool({ name, arguments: input });
    const content = result.content as { type: string; text?: string }[];
    t.add(steadyDurations(content.map((c) => c.text ?? "").join("\n")));
    return result;
  }

  /** The declarations of every tool, as the model is shown them in the `codemode` mode. */
  declarations(): Promise<string> {
    return this.#cm.types();
  }

  /** Closes the MCP connection and Codemode. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#close();
  }
}

/**
 * Runs tasks in every mode.
 *
 * @param tasks the tasks.
 * @returns one run per task and mode.
 */
export async function runTokenBench(tasks: readonly Task[]): Promise<TaskRun[]> {
  await using bench = await TokenBench.open();
  const runs: TaskRun[] = [];
  for (const task of tasks) runs.push(...await bench.run(task));
  return runs;
}
