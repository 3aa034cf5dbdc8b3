/**
 * Example tools for the demo and the CLI: weather, currency conversion and a
 * small in-memory orders table. Exported by name and, all together, as the
 * default export: `--tools` and `codemode.yaml` take every exported tool once.
 *
 * @module
 */
import { z } from "zod";
import { type AnyTool, defineTool, type Tool } from "../../mod.ts";

const TEMPERATURES: Record<string, number> = {
  Oslo: 4,
  Lima: 22,
  Pune: 31,
  Paris: 12,
  Tokyo: 17,
};
const RATES: Record<string, number> = {
  USD: 1,
  EUR: 0.92,
  NOK: 10.7,
  INR: 83.2,
  PEN: 3.75,
  JPY: 151,
};
const ORDERS = [
  { id: 1, city: "Oslo", total: 120, currency: "NOK" },
  { id: 2, city: "Lima", total: 80, currency: "PEN" },
  { id: 3, city: "Pune", total: 2400, currency: "INR" },
  { id: 4, city: "Lima", total: 45, currency: "PEN" },
];

/** Current weather for a city. */
export const getWeather: Tool<
  { city: string },
  { city: string; tempC: number }
> = defineTool({
  name: "weather.get",
  description: "Current weather for a city.",
  input: z.object({ city: z.string().describe("City name, e.g. Oslo") }),
  output: z.object({
    city: z.string(),
    tempC: z.number().describe("Temperature in °C"),
  }),
  handler: async ({ city }) => {
    await new Promise((r) => setTimeout(r, 20)); // a network call, in real life
    const tempC = TEMPERATURES[city];
    if (tempC === undefined) throw new Error(`Unknown city "${city}"`);
    return { city, tempC };
  },
});

/** Converts an amount between currencies. */
export const convert: Tool<
  { amount: number; from: string; to: string },
  { amount: number; currency: string }
> = defineTool({
  name: "currency.convert",
  description: "Converts an amount from one currency to another at today's rate.",
  input: z.object({
    amount: z.number(),
    from: z.string().length(3),
    to: z.string().length(3),
  }),
  output: z.object({ amount: z.number(), currency: z.string() }),
  handler: ({ amount, from, to }) => {
    const a = RATES[from], b = RATES[to];
    if (a === undefined || b === undefined) {
      throw new Error(`Unknown currency ${a === undefined ? from : to}`);
    }
    return { amount: Math.round((amount / a) * b * 100) / 100, currency: to };
  },
});

/** Lists orders, optionally for one city. */
export const listOrders: Tool<
  { city?: string },
  Array<{ id: number; city: string; total: number; currency: string }>
> = defineTool({
  name: "db.orders.list",
  description: "Lists orders, optionally only those shipped to one city.",
  input: z.object({ city: z.string().optional() }),
  output: z.array(
    z.object({
      id: z.number(),
      city: z.string(),
      total: z.number(),
      currency: z.string(),
    }),
  ),
  handler: ({ city }) => ORDERS.filter((o) => city === undefined || o.city === city),
});

/** Every demo tool. */
const tools: AnyTool[] = [getWeather, convert, listOrders];
export default tools;
