/**
 * Tool names for OpenAPI operations: the `operationId` as a readable
 * identifier (`repos/get-content` → `reposGetContent`), or, without one, the
 * method and path (`GET /pets/{petId}` → `getPetsByPetId`). Collisions are
 * resolved in the spec's order: the first keeps the name, the next get `_2`,
 * `_3`, …
 *
 * @module
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_NAME = 100;
// Names that mean something else on a JS object or to `await`, and Codemode's own calls.
const RESERVED = new Set([
  "__proto__",
  "constructor",
  "prototype",
  "then",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

/**
 * The identifier of an operation, before collisions are resolved.
 *
 * @param operationId the operation's `operationId`, if it has a usable one.
 * @param method the HTTP method, lower case.
 * @param path the path template.
 * @returns a valid identifier of at most 100 characters, never a reserved name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operationName } from "./names.ts";
 * assert.equal(operationName("getPetById", "get", "/pet/{petId}"), "getPetById");
 * assert.equal(operationName("repos/get-content", "get", "/x"), "reposGetContent");
 * assert.equal(operationName(undefined, "delete", "/pets/{petId}/photos"), "deletePetsByPetIdPhotos");
 * assert.equal(operationName("__proto__", "get", "/"), "__proto___");
 * assert.equal(operationName("2fa", "get", "/"), "_2fa");
 * ```
 */
export function operationName(operationId: unknown, method: string, path: string): string {
  const id = typeof operationId === "string" ? operationId.trim() : "";
  let name = id === "" ? fromPath(method, path) : IDENTIFIER.test(id) ? id : camel(id.split(/[^A-Za-z0-9]+/));
  if (name === "") name = fromPath(method, path);
  if (/^[0-9]/.test(name)) name = `_${name}`;
  name = name.slice(0, MAX_NAME);
  return RESERVED.has(name) ? `${name}_` : name;
}

function fromPath(method: string, path: string): string {
  const words = [method];
  for (const segment of path.split("/")) {
    const param = /^\{(.*)\}$/.exec(segment);
    if (param) words.push("by", ...param[1].split(/[^A-Za-z0-9]+/));
    else words.push(...segment.split(/[^A-Za-z0-9]+/));
  }
  return camel(words) || method;
}

function camel(words: string[]): string {
  const parts = words.filter((w) => w !== "");
  return parts.map((w, i) => i === 0 ? w[0].toLowerCase() + w.slice(1) : w[0].toUpperCase() + w.slice(1)).join("");
}

/**
 * Hands out unique names in order: the first asker keeps its name, later ones get `_2`, `_3`, …
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UniqueNames } from "./names.ts";
 * const names = new UniqueNames();
 * assert.deepEqual([names.take("list"), names.take("list"), names.take("list_2")], ["list", "list_2", "list_2_2"]);
 * ```
 */
export class UniqueNames {
  readonly #taken = new Set<string>();

  /**
   * @param name the wanted name.
   * @returns it, or it with the first free `_<n>` suffix.
   */
  take(name: string): string {
    let unique = name;
    for (let n = 2; this.#taken.has(unique); n++) unique = `${name}_${n}`;
    this.#taken.add(unique);
    return unique;
  }
}
