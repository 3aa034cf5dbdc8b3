/**
 * The multi-step task: the scripted model's first script hits a failing
 * tool, it reads the error, and its second script recovers with try/catch.
 *
 * @module
 */
import { resultValue, type ScriptedStep } from "../basic/task.ts";

/** The user's question. */
export const QUESTION =
  "Get me a shipping quote to Oslo, Lima and Pune. Anything going somewhere hotter than 25°C needs a refrigerated truck.";

/** The first script: conditional logic, but no error handling, so one failing call ends it. */
export const FIRST_SCRIPT = `const cities = ["Oslo", "Lima", "Pune"];
const weather = await Promise.all(cities.map((city) => tools.weather.get({ city })));
const quotes = [];
for (const w of weather) {
  const coldChain = w.tempC > 25; // hot cities need a refrigerated truck
  const quote = await tools.shipping.quote({ city: w.city, coldChain });
  console.log(\`\${w.city}: \${quote.usd} USD\`);
  quotes.push({ city: w.city, coldChain, usd: quote.usd });
}
return quotes;`;

/** The second script, written after reading the error: it catches the failure and falls back. */
export const RECOVERY_SCRIPT = `const cities = ["Oslo", "Lima", "Pune"];
const weather = await Promise.all(cities.map((city) => tools.weather.get({ city })));
const quotes = [];
for (const w of weather) {
  const coldChain = w.tempC > 25;
  try {
    const quote = await tools.shipping.quote({ city: w.city, coldChain });
    quotes.push({ city: w.city, coldChain, usd: quote.usd });
  } catch (e) {
    console.warn(\`\${w.city}: \${e.message}; falling back to standard shipping with ice packs\`);
    const quote = await tools.shipping.quote({ city: w.city, coldChain: false });
    quotes.push({ city: w.city, coldChain: false, usd: quote.usd + 15, note: "standard + ice packs" });
  }
}
const cheapest = quotes.reduce((a, b) => (a.usd <= b.usd ? a : b));
return { quotes, cheapest: cheapest.city };`;

/** One quote in the recovery script's result. */
interface Quote {
  city: string;
  usd: number;
  note?: string;
}

/**
 * The scripted model's answer, written from the recovery script's result.
 *
 * @param toolResult the formatted tool result.
 * @returns one sentence.
 */
export function answer(toolResult: string): string {
  const v = resultValue(toolResult) as { quotes: Quote[]; cheapest: string } | undefined;
  if (!v) return "I could not get the quotes.";
  const list = v.quotes.map((q) => `${q.city} ${q.usd} USD${q.note ? ` (${q.note})` : ""}`).join(", ");
  return `Quotes: ${list}. Cheapest: ${v.cheapest}.`;
}

/** The scripted model's three steps: a script that fails, one that recovers, the answer. */
export const STEPS: ScriptedStep[] = [{ code: FIRST_SCRIPT }, { code: RECOVERY_SCRIPT }, { answer }];
