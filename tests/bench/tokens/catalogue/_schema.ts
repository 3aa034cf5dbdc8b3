/**
 * Small builders for the catalogue's JSON Schemas, and the deterministic fake
 * data its handlers return. A property is required unless wrapped in `opt()`,
 * as in most real APIs' schemas, so the schemas read like the APIs they copy.
 *
 * @module
 */

/** A JSON Schema object, as the catalogue writes it. */
export type Schema = Record<string, unknown>;

/** A tool's input as its handler reads it: already validated against its input schema by the host. */
// deno-lint-ignore no-explicit-any
export type Input = Record<string, any>;

/** One tool of the benchmark's catalogue: what a real API would publish, and a fake but realistic handler. */
export interface BenchTool {
  /** `namespace.tool`. */
  name: string;
  /** What it does, for the model. */
  description: string;
  /** JSON Schema of the input. */
  input: Schema;
  /** JSON Schema of the output. */
  output: Schema;
  /** Returns the same output for the same input, every run. */
  handler: (input: Input) => unknown;
}

const optional = new WeakSet<Schema>();

/** Marks a property optional in the `obj()` that holds it. */
export function opt(schema: Schema): Schema {
  optional.add(schema);
  return schema;
}

/** A string. */
export function str(description?: string, extra: Schema = {}): Schema {
  return { type: "string", ...(description ? { description } : {}), ...extra };
}

/** An integer. */
export function int(description?: string, extra: Schema = {}): Schema {
  return { type: "integer", ...(description ? { description } : {}), ...extra };
}

/** A number. */
export function num(description?: string, extra: Schema = {}): Schema {
  return { type: "number", ...(description ? { description } : {}), ...extra };
}

/** A boolean. */
export function bool(description?: string): Schema {
  return { type: "boolean", ...(description ? { description } : {}) };
}

/** One of these strings. */
export function enm(values: string[], description?: string): Schema {
  return { type: "string", enum: values, ...(description ? { description } : {}) };
}

/** An array of `items`. */
export function arr(items: Schema, description?: string, extra: Schema = {}): Schema {
  return { type: "array", items, ...(description ? { description } : {}), ...extra };
}

/** An object whose properties are required unless marked with `opt()`. */
export function obj(properties: Record<string, Schema>, description?: string): Schema {
  const required = Object.keys(properties).filter((k) => !optional.has(properties[k]));
  return {
    type: "object",
    ...(description ? { description } : {}),
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** A seeded pseudo-random generator (mulberry32), so every run builds the same data. */
export class Fake {
  #state: number;

  /** @param seed the seed; each namespace has its own, so adding one changes no other's data. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** `count` distinct items of `items`, in their order there. */
  some<T>(items: readonly T[], count: number): T[] {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(count, items.length)) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i]);
  }
}

/** The benchmark's "now": handlers never read the clock, so results are the same every run. */
export const TODAY = "2026-03-10";

/** An ISO timestamp `days` before {@linkcode TODAY}, at `hour`:`minute` UTC. */
export function daysAgo(days: number, hour = 9, minute = 0): string {
  const date = new Date(Date.UTC(2026, 2, 10, hour, minute) - days * 86_400_000);
  return date.toISOString().replace(".000Z", "Z");
}

/** A stable short hash of a string, for ids derived from an input. */
export function hashOf(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

/** The people of the fake company, shared by every namespace (chat, calendar, tickets, e-mail, CRM owners). */
export const PEOPLE: readonly { login: string; name: string; email: string; team: string }[] = [
  { login: "ana", name: "Ana Souza", email: "ana@acme.dev", team: "web" },
  { login: "ben", name: "Ben Okafor", email: "ben@acme.dev", team: "web" },
  { login: "chloe", name: "Chloé Martin", email: "chloe@acme.dev", team: "platform" },
  { login: "dev", name: "Dev Patel", email: "dev@acme.dev", team: "platform" },
  { login: "emi", name: "Emi Tanaka", email: "emi@acme.dev", team: "web" },
  { login: "farid", name: "Farid Haddad", email: "farid@acme.dev", team: "sales" },
  { login: "greta", name: "Greta Lind", email: "greta@acme.dev", team: "sales" },
  { login: "hugo", name: "Hugo Silva", email: "hugo@acme.dev", team: "support" },
];

/** `base`, an object schema made by `obj()`, with more properties (required unless marked with `opt()`). */
export function extend(base: Schema, properties: Record<string, Schema>): Schema {
  const more = obj(properties);
  return {
    ...base,
    properties: { ...base.properties as Record<string, Schema>, ...properties },
    required: [...(base.required as string[] ?? []), ...(more.required as string[] ?? [])],
  };
}
