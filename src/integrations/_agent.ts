/**
 * What every framework's `agentTool` shares: an agent made into a Codemode
 * tool named `agents.<name>`, run on the host under the tool's timeout, with a
 * cap on the model calls it makes, and errors the script may see.
 *
 * The frameworks differ only in how a run starts and how it reports a model
 * call about to be made; each adapter gives {@linkcode defineAgentTool} a
 * `run` that calls {@linkcode AgentRun.modelCall} from the framework's own
 * "a model call starts" hook, and that hook must await it.
 *
 * @module
 */
import { z } from "zod";
import { defineTool, type SchemaLike, type Tool } from "../tools/define.ts";
import { ToolError } from "../tools/run.ts";
import { cut } from "../tools/validate.ts";

/** The number of model calls one agent call may make unless `maxModelCalls` says otherwise. */
export const DEFAULT_MAX_MODEL_CALLS = 10;

/** The input an agent takes unless a schema is given: the task, in words. */
export interface AgentTask {
  /** What the agent is asked to do. */
  task: string;
}

/** The output an agent gives unless a schema is given: its answer, in words. */
export interface AgentAnswer {
  /** The agent's final answer. */
  text: string;
}

/** The options every `agentTool` takes. */
export interface AgentToolOptions<I, O> {
  /** The agent's name: the script calls it as `tools.agents.<name>` (so `research` → `tools.agents.research`). */
  name: string;
  /** What the agent is good at, for the model that writes the script. @default {"Asks the <name> agent to do a task and returns its answer."} */
  description?: string;
  /** The input's schema (zod or JSON Schema). @default {`{ task: string }`} */
  input?: SchemaLike<I>;
  /** The output's schema (zod or JSON Schema): an output that fails it is refused. @default {`{ text: string }`} */
  output?: SchemaLike<O>;
  /** Time one call of the agent may take, in ms; its end aborts the agent. @default {the execution's `toolTimeoutMs` limit} */
  timeoutMs?: number;
  /**
   * The most model calls one call of the agent may make; the next one is never
   * made, and the script's call fails with an error naming the agent and the cap.
   * @default {10}
   */
  maxModelCalls?: number;
  /**
   * What the script is told when the agent fails (the agent runs on the host: its
   * errors may carry provider responses, URLs or paths). Log the error here if you
   * want it. @default {the error's class name only: `tools.agents.research failed: the agent threw APICallError`}
   */
  describeError?: (error: unknown) => string;
}

/** What an adapter's run gets for one call of the agent. */
export interface AgentRun {
  /** Aborts when the call times out, the execution ends or the cap is reached: pass it to the framework. */
  signal: AbortSignal;
  /**
   * To await in the framework's hook that runs before each model call: resolves
   * when the call may go ahead, never once the cap is reached (the agent is aborted
   * instead), so the framework cannot make the call.
   */
  modelCall(): Promise<void>;
  /** How many model calls have started so far. */
  readonly modelCalls: number;
}

/** The default input schema: `{ task: string }`. */
export const TASK_SCHEMA: z.ZodType<AgentTask> = z.object({
  task: z.string().min(1).describe("What to ask the agent to do, in words."),
}).strict();

/** The default output schema: `{ text: string }`. */
export const ANSWER_SCHEMA: z.ZodType<AgentAnswer> = z.object({
  text: z.string().describe("The agent's answer."),
});

/** The longest description of an agent's error the script is told. */
const MAX_ERROR_CHARS = 500;

/** The prefix of every agent's tool name. */
const NAMESPACE = "agents";

/**
 * Makes the Codemode tool of an agent: `agents.<name>`, whose handler calls
 * `run` with a signal and the model-call gate.
 *
 * @param options the name, schemas, timeout, cap and error description.
 * @param run starts the agent on the (validated) input and returns its (unchecked) output.
 * @returns the tool.
 * @throws {TypeError} on a bad name or cap, naming the agent.
 */
export function defineAgentTool<I, O>(
  options: AgentToolOptions<I, O>,
  run: (input: I, call: AgentRun) => Promise<O>,
): Tool<I, O> {
  const where = `agent "${options?.name}"`;
  if (typeof options?.name !== "string" || options.name === "" || options.name.startsWith(`${NAMESPACE}.`)) {
    throw new TypeError(`${where}: name must be a non-empty string without the "${NAMESPACE}." prefix`);
  }
  const max = options.maxModelCalls ?? DEFAULT_MAX_MODEL_CALLS;
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`${where}: maxModelCalls must be a positive integer`);
  const name = `${NAMESPACE}.${options.name}`;
  const describe = options.describeError ?? ((e: unknown) => `the agent threw ${errorClass(e)}`);
  return defineTool<I, O>({
    name,
    description: options.description ?? `Asks the ${options.name} agent to do a task and returns its answer.`,
    input: options.input ?? (TASK_SCHEMA as unknown as SchemaLike<I>),
    output: options.output ?? (ANSWER_SCHEMA as unknown as SchemaLike<O>),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    handler: (input, ctx) => runCapped(name, max, ctx.signal, (call) => run(input, call), describe),
  });
}

/**
 * The prompt of an input: the task, when the input is `{ task }`; else the input as JSON,
 * so a custom input reaches the agent whole.
 *
 * @param input the validated input.
 * @returns the prompt.
 */
export function defaultPrompt(input: unknown): string {
  const fields = typeof input === "object" && input !== null ? Object.keys(input) : [];
  const task = (input as { task?: unknown } | null)?.task;
  return fields.length === 1 && typeof task === "string" ? task : JSON.stringify(input);
}

/** Runs the agent until it answers, fails, is aborted or reaches the cap, whichever is first. */
async function runCapped<O>(
  name: string,
  max: number,
  outer: AbortSignal,
  run: (call: AgentRun) => Promise<O>,
  describe: (error: unknown) => string,
): Promise<O> {
  const abort = new AbortController();
  const onAbort = () => abort.abort(outer.reason);
  if (outer.aborted) onAbort();
  else outer.addEventListener("abort", onAbort, { once: true });
  let calls = 0;
  let capped: ToolError | undefined;
  const call: AgentRun = {
    signal: abort.signal,
    get modelCalls() {
      return calls;
    },
    modelCall() {
      if (!abort.signal.aborted && calls < max) {
        calls++;
        return Promise.resolve();
      }
      if (!abort.signal.aborted) {
        capped = new ToolError(
          `tools.${name} stopped: the agent reached its cap of ${max} model calls (maxModelCalls: ${max})`,
        );
        abort.abort(capped);
      }
      // Never settles: the framework awaits this before calling the model, so the call is never made.
      return new Promise<void>(() => {});
    },
  };
  try {
    return await untilAborted(run(call), abort.signal);
  } catch (e) {
    if (capped) throw capped;
    if (e instanceof ToolError) throw e;
    throw new ToolError(`tools.${name} failed: ${describeSafely(describe, e)}`);
  } finally {
    outer.removeEventListener("abort", onAbort);
  }
}

/** The run's outcome, or a rejection as soon as the signal aborts (a held run never settles). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function describeSafely(describe: (error: unknown) => string, error: unknown): string {
  try {
    const text = describe(error);
    if (typeof text === "string") return cut(text, MAX_ERROR_CHARS);
  } catch {
    // A describeError that throws must not let the original error through.
  }
  return "the agent failed";
}

/** The error's class name, as an identifier only (a name is host data too). */
function errorClass(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  return /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : "Error";
}
