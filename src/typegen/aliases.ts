/**
 * Turns the `$defs` and `$ref` targets of tool schemas into top-level type
 * aliases with names that are unique across all tools. Internal to
 * `typegen`.
 *
 * @module
 */

import type { JsonSchema } from "../tools/json_schema.ts";
import {
  definitionPointers,
  lookupPointer,
  pointerSegments,
  refToPointer,
  sameReachableSchemas,
} from "./json_pointer.ts";
import { schemaToTs } from "./schema_to_ts.ts";
import { formatJsDoc, toPascalCase } from "./ts_text.ts";

/** Hands out unique alias names and collects the alias declarations. */
export class AliasRegistry {
  readonly #taken: Set<string>;
  /** Rendered `type X = ...;` declarations (with JSDoc), in creation order. */
  readonly lines: string[] = [];

  constructor(reserved: string[] = []) {
    this.#taken = new Set(reserved);
  }

  /** `base`, or `base_2`, `base_3`... if it is already in use. */
  reserve(base: string): string {
    let name = base;
    for (let n = 2; this.#taken.has(name); n++) name = `${base}_${n}`;
    this.#taken.add(name);
    return name;
  }
}

/** The PascalCase prefix that keeps one tool's alias names apart from another's. */
export function toolPrefix(path: string[]): string {
  return path.map(toPascalCase).join("") || "Tool";
}

/**
 * The alias name for the schema at `pointer`: the root gets `rootLabel`
 * (`Input`/`Output`), anything else its last pointer segment.
 */
export function aliasBaseName(
  prefix: string,
  rootLabel: string,
  pointer: string,
): string {
  if (pointer === "") return `${prefix}_${rootLabel}`;
  const last = pointerSegments(pointer).at(-1) ?? "";
  return `${prefix}_${toPascalCase(last) || "Type"}`;
}

/**
 * The `$ref` resolution of one root schema (a tool's input or output).
 * Every referenced sub-schema becomes an alias; sibling scopes of the same
 * tool share aliases for identical definitions.
 */
export class SchemaScope {
  readonly root: JsonSchema;
  readonly #names = new Map<string, string>();
  readonly #pending: string[] = [];
  readonly #prefix: string;
  readonly #rootLabel: string;
  readonly #registry: AliasRegistry;
  readonly #siblings: SchemaScope[];

  constructor(
    root: JsonSchema,
    prefix: string,
    rootLabel: string,
    registry: AliasRegistry,
    siblings: SchemaScope[] = [],
  ) {
    this.root = root;
    this.#prefix = prefix;
    this.#rootLabel = rootLabel;
    this.#registry = registry;
    this.#siblings = siblings;
    // Definitions are declared even when unreferenced, in document order.
    for (const pointer of definitionPointers(root)) this.#nameFor(pointer);
  }

  /** Resolves a `$ref` of this root to its alias name, or `unknown`. */
  readonly resolveRef = (ref: string): string => {
    const pointer = refToPointer(ref);
    if (pointer === undefined) return "unknown";
    if (lookupPointer(this.root, pointer) === undefined) return "unknown";
    return this.#nameFor(pointer);
  };

  /**
   * The root's type at `indent`: written out in place, or its alias name
   * when the root refers to itself (`$ref: "#"`).
   */
  renderRoot(indent: string): string {
    const inline = schemaToTs(this.root, {
      indent,
      resolveRef: this.resolveRef,
    });
    return this.#names.get("") ?? inline;
  }

  /** Declares every alias referenced so far, including ones found on the way. */
  flush(): void {
    while (this.#pending.length > 0) {
      const pointer = this.#pending.shift()!;
      const target = lookupPointer(this.root, pointer)!;
      const type = schemaToTs(target, { resolveRef: this.resolveRef });
      const description = typeof target === "object" &&
          typeof target.description === "string"
        ? target.description
        : undefined;
      this.#registry.lines.push(
        ...formatJsDoc(description, [], ""),
        `type ${this.#names.get(pointer)} = ${type};`,
      );
    }
  }

  #nameFor(pointer: string): string {
    const known = this.#names.get(pointer);
    if (known !== undefined) return known;
    for (const sibling of this.#siblings) {
      const shared = sibling.#names.get(pointer);
      if (
        shared !== undefined &&
        sameReachableSchemas(sibling.root, this.root, pointer)
      ) {
        this.#names.set(pointer, shared);
        return shared;
      }
    }
    const base = aliasBaseName(this.#prefix, this.#rootLabel, pointer);
    const name = this.#registry.reserve(base);
    this.#names.set(pointer, name);
    this.#pending.push(pointer);
    return name;
  }
}
