/**
 * Small text helpers for assembling TypeScript source: identifiers, JSDoc
 * blocks and union/intersection composition. Internal to `typegen`.
 *
 * @module
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Whether `name` can be written bare as a property key or method name. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A property key as written in a type literal: bare if possible, else quoted. */
export function propertyKey(name: string): string {
  return isIdentifier(name) ? name : JSON.stringify(name);
}

/**
 * PascalCase identifier from arbitrary text (`__schema0` → `Schema0`,
 * `my-type` → `MyType`); returns "" when nothing usable remains.
 */
export function toPascalCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const joined = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** A JSON value as a TypeScript literal type. */
export function literalType(value: unknown): string {
  // JSON text is also valid TypeScript type syntax for literals, tuples and
  // object literals, so it doubles as the literal type of any JSON value.
  return JSON.stringify(value) ?? "unknown";
}

/**
 * JSDoc lines for a description plus tags, each prefixed with `indent`;
 * empty when there is nothing to say.
 */
export function formatJsDoc(
  description: string | undefined,
  tags: string[],
  indent: string,
): string[] {
  const lines = [...descriptionLines(description), ...tags]
    .map((line) => line.replaceAll("*/", "*\\/"));
  if (lines.length === 0) return [];
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  const body = lines.map((
    l,
  ) => (l === "" ? `${indent} *` : `${indent} * ${l}`));
  return [`${indent}/**`, ...body, `${indent} */`];
}

function descriptionLines(description: string | undefined): string[] {
  if (description === undefined) return [];
  const lines: string[] = [];
  for (const raw of description.split(/\r?\n/)) {
    const line = raw.trimEnd();
    // Runs of blank lines only cost prompt tokens; one keeps paragraphs apart.
    if (line === "" && (lines.length === 0 || lines.at(-1) === "")) continue;
    lines.push(line);
  }
  while (lines.at(-1) === "") lines.pop();
  return lines;
}

/**
 * Splits a type expression at top-level occurrences of `separator` (`|` or
 * `&`), ignoring those nested in brackets, string literals or comments.
 */
export function splitTopLevel(text: string, separator: "|" | "&"): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') i = skipString(text, i);
    else if (ch === "/" && text[i + 1] === "*") i = skipComment(text, i);
    else if ("([{<".includes(ch)) depth++;
    else if (")]}>".includes(ch)) depth--;
    else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function skipString(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i;
}

function skipComment(text: string, open: number): number {
  const close = text.indexOf("*/", open + 2);
  return close === -1 ? text.length : close + 1;
}

/** Whether a type must be parenthesized before `[]` or inside `&`. */
export function isCompound(type: string): boolean {
  return splitTopLevel(type, "|").length > 1 ||
    splitTopLevel(type, "&").length > 1;
}

/** A deduplicated union; `unknown` absorbs everything and `never` vanishes. */
export function unionOf(types: string[]): string {
  const members = new Set<string>();
  for (const type of types) {
    for (const member of splitTopLevel(type, "|")) {
      if (member === "unknown") return "unknown";
      if (member !== "never") members.add(member);
    }
  }
  return members.size === 0 ? "never" : [...members].join(" | ");
}

/** A deduplicated intersection; `never` absorbs everything, `unknown` vanishes. */
export function intersectionOf(types: string[]): string {
  const members = new Set<string>();
  for (const type of types) {
    if (type === "never") return "never";
    if (type !== "unknown") members.add(type);
  }
  if (members.size === 0) return "unknown";
  if (members.size === 1) return [...members][0];
  const wrap = (t: string) => splitTopLevel(t, "|").length > 1 ? `(${t})` : t;
  return [...members].map(wrap).join(" & ");
}

/** `T[]`, parenthesizing `T` when it is a union or intersection. */
export function arrayOf(type: string): string {
  return isCompound(type) ? `(${type})[]` : `${type}[]`;
}
