/**
 * Maps key paths in parsed data back to line and column in the YAML source.
 *
 * @module
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";

/** A 1-based position in the source. */
export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** Where a path leads in the syntax tree: as far as it exists. */
interface Found {
  /** The node at the path, when the whole path exists. */
  node?: Node;
  /** The key of the deepest pair reached. */
  key?: Node;
  /** The deepest value node reached. */
  deepest?: Node;
}

// Aliases may point at aliases; a bound stops a cycle of them.
const MAX_ALIAS_HOPS = 16;

/**
 * Finds source positions of keys and values in one parsed YAML document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineCounter, parseDocument } from "yaml";
 * import { YamlLocator } from "./positions.ts";
 * const lineCounter = new LineCounter();
 * const doc = parseDocument("a:\n  b: 30s\n", { lineCounter });
 * const at = new YamlLocator(doc, lineCounter);
 * assert.deepEqual(at.value(["a", "b"]), { line: 2, column: 6 });
 * assert.deepEqual(at.key(["a", "b"]), { line: 2, column: 3 });
 * ```
 */
export class YamlLocator {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  /**
   * Creates a locator.
   *
   * @param doc the parsed document.
   * @param lineCounter the counter given to `parseDocument`.
   */
  constructor(doc: Document, lineCounter: LineCounter) {
    this.#doc = doc;
    this.#lines = lineCounter;
  }

  /**
   * Position of a character offset.
   *
   * @param offset a 0-based offset in the source.
   * @returns its line and column.
   */
  offset(offset: number): Position {
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * Position of the value at a path; when the path does not fully exist, of the
   * key of the deepest part that does (or the document's start).
   *
   * @param path keys and indexes from the root.
   * @returns the position.
   */
  value(path: readonly PropertyKey[]): Position {
    const found = this.#find(path);
    return this.#at(found.node ?? found.key ?? found.deepest);
  }

  /**
   * Position of the key that ends a path (for unknown or invalid keys).
   *
   * @param path keys and indexes from the root, ending with the key.
   * @returns the position.
   */
  key(path: readonly PropertyKey[]): Position {
    const found = this.#find(path);
    return this.#at(found.key ?? found.deepest);
  }

  #at(node: Node | undefined): Position {
    const start = node?.range?.[0];
    return start === undefined ? { line: 1, column: 1 } : this.offset(start);
  }

  #resolve(node: unknown): unknown {
    for (let hops = 0; isAlias(node) && hops < MAX_ALIAS_HOPS; hops++) node = node.resolve(this.#doc);
    return node;
  }

  #find(path: readonly PropertyKey[]): Found {
    const found: Found = { deepest: this.#doc.contents ?? undefined };
    let current: unknown = this.#doc.contents;
    for (const segment of path) {
      current = this.#resolve(current);
      let next: unknown;
      if (isMap(current)) {
        const pair = current.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return found;
        found.key = pair.key as Node;
        next = pair.value;
      } else if (isSeq(current) && typeof segment === "number") {
        next = current.items[segment];
      } else return found;
      // `key:` with nothing after it has no value node: point at the key.
      if (!next || !(next as Node).range) return found;
      found.deepest = next as Node;
      current = next;
    }
    found.node = current as Node;
    return found;
  }
}
