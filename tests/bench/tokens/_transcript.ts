/**
 * A model conversation as tokens: what each model call of a task reads.
 * Tokens are counted with `gpt-tokenizer`'s o200k_base (the GPT-4o / o-series
 * encoding); each message also costs {@linkcode MESSAGE_OVERHEAD} tokens of
 * chat framing, as in OpenAI's published counting recipe.
 *
 * @module
 */
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

/** The tokenizer, as the report names it (`deno.json` pins this version: counts must not move with an update). */
export const TOKENIZER = "gpt-tokenizer 4.0.0, o200k_base";

/** Tokens of chat framing per message (role and delimiters), whatever its content. */
export const MESSAGE_OVERHEAD = 4;

/** The tokens of one piece of text, as the model's tokenizer splits it. */
export function tokens(text: string): number {
  return countTokens(text);
}

/** What one task cost in one mode. */
export interface Cost {
  /** Tokens the model reads before its first call: system prompt, tool definitions, the user's task. */
  promptTokens: number;
  /** Tokens read over every model call of the task, each re-reading the context so far. */
  totalContextTokens: number;
  /** Model calls that ended in a tool call: one round trip each (the last model call, the answer, is not one). */
  roundTrips: number;
  /** Tokens read by each model call, in order. */
  perCall: number[];
}

/**
 * The context of one task's conversation. The system prompt and the tool
 * definitions are sent with every model call; messages accumulate.
 */
export class Transcript {
  readonly #fixed: number;
  #messages = 0;
  #calls: number[] = [];
  #trips = 0;

  /**
   * @param system the system prompt.
   * @param tools the tool definitions as the request carries them (JSON).
   */
  constructor(system: string, tools: unknown[]) {
    this.#fixed = tokens(system) + MESSAGE_OVERHEAD + tokens(JSON.stringify(tools));
  }

  /** Adds a message (the user's task, a tool call, a tool's result) to the context. */
  add(text: string): void {
    this.#messages += tokens(text) + MESSAGE_OVERHEAD;
  }

  /** The model reads the whole context once; `toolCall` when it answers with a tool call. */
  modelCall(toolCall: boolean): void {
    this.#calls.push(this.#fixed + this.#messages);
    if (toolCall) this.#trips++;
  }

  /** The task's cost so far. */
  cost(): Cost {
    return {
      promptTokens: this.#calls[0] ?? this.#fixed + this.#messages,
      totalContextTokens: this.#calls.reduce((a, b) => a + b, 0),
      roundTrips: this.#trips,
      perCall: [...this.#calls],
    };
  }
}

/** The system prompt of every mode: the agent's own instructions, before any tool. */
export const SYSTEM_PROMPT =
  "You are Acme's operations assistant. Use the tools to do what the user asks, then answer in one or two sentences. Today is 2026-03-10; the team works in Europe/Berlin.";
