/**
 * A shipping-quote tool that fails for some requests, as real APIs do: no
 * refrigerated carrier serves Pune. The multi-step example uses it to show
 * what the model sees when a tool fails, and how its next script recovers.
 *
 * @module
 */
import { z } from "zod";
import { defineTool, type Tool } from "../../mod.ts";

const BASE_USD: Record<string, number> = { Oslo: 40, Lima: 25, Pune: 30 };
const COLD_CHAIN_CITIES = new Set(["Oslo", "Lima"]);

/** Quotes shipping one parcel to a city; `coldChain` asks for a refrigerated truck. */
export const shippingQuote: Tool<{ city: string; coldChain: boolean }, { usd: number; days: number }> = defineTool({
  name: "shipping.quote",
  description: "Quotes shipping one parcel to a city. Set coldChain for a refrigerated truck (not every city has one).",
  input: z.object({ city: z.string(), coldChain: z.boolean() }),
  output: z.object({ usd: z.number(), days: z.number().int() }),
  handler: ({ city, coldChain }) => {
    const base = BASE_USD[city];
    if (base === undefined) throw new Error(`No carrier serves ${city}`);
    if (coldChain && !COLD_CHAIN_CITIES.has(city)) throw new Error(`No refrigerated carrier serves ${city}`);
    return coldChain ? { usd: base * 2, days: 2 } : { usd: base, days: 4 };
  },
});
