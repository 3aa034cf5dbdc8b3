/**
 * The task every framework example runs, and what the scripted "model" does
 * with it: the question, the script it writes, and how it reads the result.
 *
 * @module
 */

/** The user's question. */
export const QUESTION =
  "Which of Oslo, Lima and Pune are warmer than 20°C right now, and what do the orders shipped to those cities come to in USD?";

/** A system prompt for real models; the tool's description already carries the types. */
export const SYSTEM =
  "You answer questions about weather, orders and money. Use the execute_code tool: write one script that does all the work, then answer in one or two sentences.";

/** The script a scripted model "writes": parallel calls, filtering and arithmetic in the sandbox. */
export const SCRIPT = `const cities = ["Oslo", "Lima", "Pune"];
const weather = await Promise.all(cities.map((city) => tools.weather.get({ city })));
const warm = weather.filter((w) => w.tempC > 20);
console.log("warm:", warm.map((w) => \`\${w.city} \${w.tempC}°C\`).join(", "));
const orders = (await Promise.all(warm.map((w) => tools.db.orders.list({ city: w.city })))).flat();
const usd = await Promise.all(
  orders.map((o) => tools.currency.convert({ amount: o.total, from: o.currency, to: "USD" })),
);
const totalUsd = Math.round(usd.reduce((sum, x) => sum + x.amount, 0) * 100) / 100;
return { warm: warm.map((w) => w.city), orders: orders.length, totalUsd };`;

/** What the script returns. */
export interface TaskResult {
  /** Cities over 20°C. */
  warm: string[];
  /** Orders shipped to them. */
  orders: number;
  /** Their total in USD. */
  totalUsd: number;
}

/** One step of a scripted model: call the Codemode tool with a script, or answer from the last tool result. */
export type ScriptedStep =
  | { code: string }
  | { answer: (lastToolResult: string) => string };

/**
 * Reads the JSON value out of a formatted tool result (the text after `Result:`), as a model would.
 *
 * @param text what `formatResultForModel` produced.
 * @returns the parsed value, or undefined when the script failed.
 */
export function resultValue(text: string): unknown {
  const match = /^Result:\n([\s\S]*?)(?:\n\n(?:Logs:|Tool calls)|$)/.exec(text);
  return match ? JSON.parse(match[1]) : undefined;
}

/**
 * The scripted model's final answer, written from the tool result it read.
 *
 * @param toolResult the formatted tool result.
 * @returns one sentence.
 */
export function answer(toolResult: string): string {
  const v = resultValue(toolResult) as TaskResult | undefined;
  if (!v) return "The script failed, so I cannot answer.";
  return `${v.warm.join(" and ")} are warmer than 20°C; their ${v.orders} orders come to ${v.totalUsd} USD.`;
}

/** The scripted model's two steps: write the script, then answer. */
export const STEPS: ScriptedStep[] = [{ code: SCRIPT }, { answer }];
