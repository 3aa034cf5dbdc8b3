/**
 * Parses YAML text into plain data for validation, with every problem located:
 * syntax errors, non-string keys, `__proto__` keys, excessive nesting and alias bombs.
 *
 * @module
 */
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from "yaml";
import { formatPath } from "./errors.ts";
import { YamlLocator } from "./positions.ts";

/** A problem with its position, before the file name is attached. */
export interface LocatedIssue {
  /** 1-based line; 0 when the problem is not at a place in the text. */
  line: number;
  /** 1-based column; 0 with line 0. */
  column: number;
  /** The key path as text; empty when unknown. */
  path: string;
  /** What is wrong. */
  message: string;
}

/** The outcome of {@linkcode readYaml}. */
export interface YamlRead {
  /** The data, when there were no problems (`{}` for an empty document). */
  value?: unknown;
  /** Every problem found. */
  issues: LocatedIssue[];
  /** Positions of paths in the source. */
  locator: YamlLocator;
}

/** Aliases expanded while converting; the yaml package's guard against "billion laughs". */
export const MAX_ALIAS_COUNT = 100;
/** Deepest nesting accepted; the schema needs about five levels. */
export const MAX_DEPTH = 32;

/**
 * Parses YAML text and converts it to plain data.
 *
 * @param text the YAML source.
 * @returns the data or the problems, and a locator for later problems.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readYaml } from "./yaml_document.ts";
 * assert.deepEqual(readYaml("a: 1\n").value, { a: 1 });
 * assert.equal(readYaml("a: [1\n").issues.length > 0, true);
 * ```
 */
export function readYaml(text: string): YamlRead {
  const lineCounter = new LineCounter();
  const doc = parseOrExplain(text, lineCounter);
  if (typeof doc === "string") {
    return {
      issues: [{ line: 0, column: 0, path: "", message: doc }],
      locator: new YamlLocator(new Document(), lineCounter),
    };
  }
  const locator = new YamlLocator(doc, lineCounter);
  const issues: LocatedIssue[] = [...doc.errors, ...doc.warnings].map((e) => ({
    ...locator.offset(e.pos[0]),
    path: "",
    // The parser reports its own stack overflow on absurd nesting; say what caused it.
    message: /call stack/i.test(e.message) ? `${e.message} (the document is nested too deeply)` : e.message,
  }));
  if (issues.length > 0) return { issues, locator };
  checkStructure(doc.contents, [], locator, issues);
  if (issues.length > 0) return { issues, locator };
  return { ...toPlain(doc, locator), locator };
}

/** Environment variables the yaml package reads (debug switches) while parsing. */
const YAML_ENV = ["LOG_TOKENS", "LOG_STREAM"];

/**
 * Parses. The yaml package reads two env variables while parsing; a host
 * without env permission gets a message saying what to allow instead of a parse.
 */
function parseOrExplain(text: string, lineCounter: LineCounter): Document.Parsed | string {
  try {
    return parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return `the yaml parser reads the environment variables ${YAML_ENV.join(" and ")}; ` +
        `run with --allow-env=${YAML_ENV.join(",")} (${(e as Error).message.split("\n")[0]})`;
    }
    throw e;
  }
}

function toPlain(doc: Document.Parsed, locator: YamlLocator): { value?: unknown; issues: LocatedIssue[] } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {}, issues: [] };
  } catch (e) {
    return {
      issues: [{
        ...firstAlias(doc, locator),
        path: "",
        message: /alias/i.test((e as Error).message)
          ? `${(e as Error).message} (more than ${MAX_ALIAS_COUNT} alias expansions)`
          : (e as Error).message,
      }],
    };
  }
}

function firstAlias(doc: Document, locator: YamlLocator): { line: number; column: number } {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return locator.offset(offset);
}

function describeNode(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isAlias(node)) return "an alias";
  if (isScalar(node)) {
    return node.value === null ? "null" : `${typeof node.value} ${String(node.value)} (quote it to make it a string)`;
  }
  return "nothing";
}

/** Checks keys are strings (and never `__proto__`) and nesting is bounded, without following aliases. */
function checkStructure(node: unknown, path: (string | number)[], locator: YamlLocator, issues: LocatedIssue[]): void {
  if (path.length > MAX_DEPTH) {
    const start = (node as { range?: number[] }).range?.[0] ?? 0;
    issues.push({
      ...locator.offset(start),
      path: formatPath(path),
      message: `nested deeper than ${MAX_DEPTH} levels`,
    });
    return;
  }
  if (isSeq(node)) {
    node.items.forEach((item, i) => checkStructure(item, [...path, i], locator, issues));
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as { range?: number[] } | null;
      const at = locator.offset(key?.range?.[0] ?? (node.range?.[0] ?? 0));
      if (!isScalar(pair.key) || typeof pair.key.value !== "string") {
        issues.push({ ...at, path: formatPath(path), message: `keys must be strings, got ${describeNode(pair.key)}` });
        continue;
      }
      const name = pair.key.value;
      if (name === "__proto__") {
        issues.push({ ...at, path: formatPath([...path, name]), message: `the key "__proto__" is not allowed` });
        continue;
      }
      checkStructure(pair.value, [...path, name], locator, issues);
    }
  }
}
