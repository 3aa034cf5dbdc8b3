/**
 * The set of tools one Codemode instance exposes, keyed by safe dotted name.
 *
 * @module
 */
import type { AnyTool as Tool } from "./define.ts";

/**
 * Holds tools by their safe dotted name (`github.list_issues`), keeping the
 * original name, and rejects duplicates and namespace clashes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { defineTool } from "./define.ts";
 * import { ToolRegistry } from "./registry.ts";
 * const r = new ToolRegistry();
 * r.add(defineTool({ name: "a.b-c", input: z.object({}), handler: () => 1 }));
 * assert.equal(r.get("a.b_c")?.name, "a.b-c");
 * ```
 */
export class ToolRegistry {
  readonly #tools = new Map<string, Tool>();
  #version = 0;

  /**
   * Creates a registry.
   * @param tools tools to add at once.
   */
  constructor(tools: Iterable<Tool> = []) {
    for (const tool of tools) this.add(tool);
  }

  /**
   * Adds a tool.
   * @throws {Error} when the name (after making it safe) is taken, or when it
   * would make a tool and a namespace share a name; the message names both.
   */
  add(tool: Tool): this {
    const key = tool.path.join(".");
    const existing = this.#tools.get(key);
    if (existing) {
      const why = existing === tool
        ? `the same tool is given twice`
        : existing.name === tool.name
        ? `two different tools are named "${tool.name}"`
        : `"${tool.name}" clashes with "${existing.name}"`;
      throw new Error(`Duplicate tool name "${key}": ${why}`);
    }
    for (const [other, t] of this.#tools) {
      if (other.startsWith(key + ".") || key.startsWith(other + ".")) {
        throw new Error(
          `Tool "${tool.name}" and tool "${t.name}" clash: one's name is the other's namespace`,
        );
      }
    }
    this.#tools.set(key, tool);
    this.#version++;
    return this;
  }

  /**
   * Replaces some tools with others at once (for sources whose tool list
   * changes). On a clash nothing is changed.
   * @param previous tools to remove (those not present are ignored).
   * @param tools tools to add.
   * @throws {Error} when a new tool clashes with another; the registry is left as it was.
   */
  replace(previous: Iterable<Tool>, tools: Iterable<Tool>): this {
    const gone = new Set(previous);
    const next = new ToolRegistry([...this.#tools.values()].filter((t) => !gone.has(t)));
    for (const tool of tools) next.add(tool);
    this.#tools.clear();
    for (const tool of next.list()) this.#tools.set(tool.path.join("."), tool);
    this.#version++;
    return this;
  }

  /** The tool with this safe dotted name, if any. */
  get(name: string): Tool | undefined {
    return this.#tools.get(name);
  }

  /** Safe dotted names of every tool, sorted. */
  names(): string[] {
    return [...this.#tools.keys()].sort();
  }

  /** Every tool, sorted by name. */
  list(): Tool[] {
    return this.names().map((n) => this.#tools.get(n)!);
  }

  /** A number that changes whenever the tools do (an `add` or a `replace`): what was derived from them is stale. */
  get version(): number {
    return this.#version;
  }

  /** How many tools there are. */
  get size(): number {
    return this.#tools.size;
  }
}
