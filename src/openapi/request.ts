/**
 * Builds the HTTP request of one operation call from the validated input:
 * path parameters URL-encoded into the path (a value can never add a path
 * segment, and one that would make a `.` or `..` segment is refused), query parameters serialized per
 * their style (`form`, exploded or not; `spaceDelimited`, `pipeDelimited`,
 * `deepObject`), header and cookie parameters, and a JSON, form-urlencoded or
 * text body. The source's own headers and authentication are added last.
 *
 * @module
 */
import type { Operation, OperationParameter } from "./operations.ts";

/** A request ready for `fetch`. */
export interface BuiltRequest {
  /** The URL, query included. */
  url: URL;
  /** Headers, the source's own included. */
  headers: Headers;
  /** The body text, if any. */
  body?: string;
}

/** How the source authenticates, as request parts. */
export interface Credentials {
  /** Headers sent with every request (configured headers and authentication). */
  headers: Record<string, string>;
  /** Query parameters sent with every request (an API key in the query). */
  query: Record<string, string>;
}

/**
 * The request of one call.
 *
 * @param op the operation.
 * @param input the validated input.
 * @param base the API's base URL.
 * @param credentials the source's own headers and query parameters.
 * @returns the URL, headers and body.
 * @throws {TypeError} for a path parameter that is empty, or a value that cannot be a header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildRequest } from "./request.ts";
 * const op = {
 *   name: "get", method: "GET", path: "/files/{name}", label: "GET /files/{name}", description: "", jsonResponse: true, inputSchema: {},
 *   parameters: [
 *     { name: "name", in: "path" as const, key: "name", style: "simple", explode: false, json: false },
 *     { name: "tag", in: "query" as const, key: "tag", style: "form", explode: true, json: false },
 *   ],
 * };
 * const req = buildRequest(op, { name: "../a b", tag: ["x", "y"] }, new URL("http://h/api"), { headers: {}, query: {} });
 * assert.equal(req.url.href, "http://h/api/files/..%2Fa%20b?tag=x&tag=y");
 * assert.throws(() => buildRequest(op, { name: ".." }, new URL("http://h/api"), { headers: {}, query: {} }), /\.\./);
 * ```
 */
export function buildRequest(
  op: Operation,
  input: Record<string, unknown>,
  base: URL,
  credentials: Credentials,
): BuiltRequest {
  let path = op.path;
  // A base URL may carry query parameters of its own (`?api-version=2`): they come first.
  const query = new URLSearchParams(base.search);
  const headers = new Headers();
  const cookies: string[] = [];
  for (const param of op.parameters) {
    if (!Object.hasOwn(input, param.key) || input[param.key] === undefined) continue;
    const value = input[param.key];
    if (param.in === "path") path = path.replaceAll(`{${param.name}}`, pathSegment(param, value));
    else if (param.in === "query") addQuery(query, param, value);
    else if (param.in === "header") setHeader(headers, param.name, param.json ? JSON.stringify(value) : flat(value));
    else cookies.push(`${param.name}=${encodeURIComponent(param.json ? JSON.stringify(value) : flat(value))}`);
  }
  if (cookies.length > 0) setHeader(headers, "Cookie", cookies.join("; "));
  for (const [name, value] of Object.entries(credentials.query)) query.set(name, value);
  const url = new URL(base.origin + base.pathname.replace(/\/+$/, "") + path);
  // The URL parser resolves `.` and `..` segments (also as `%2E`): a value that makes one would climb the path.
  const wanted = base.pathname.replace(/\/+$/, "") + path;
  if (url.pathname !== wanted || url.origin !== base.origin) {
    throw new TypeError(`a path parameter of ${op.method} ${op.path} makes a "." or ".." segment`);
  }
  const search = query.toString();
  if (search) url.search = search;
  let body: string | undefined;
  if (op.body && input.body !== undefined) {
    body = encodeBody(op.body.kind, input.body);
    headers.set("Content-Type", op.body.mediaType === "*/*" ? "application/json" : op.body.mediaType);
  }
  if (!headers.has("Accept")) headers.set("Accept", op.jsonResponse ? "application/json" : "*/*");
  for (const [name, value] of Object.entries(credentials.headers)) headers.set(name, value);
  return { url, headers, ...(body !== undefined ? { body } : {}) };
}

/** One path segment: every character that could end the segment, start a query or climb (`..`) is encoded. */
function pathSegment(param: OperationParameter, value: unknown): string {
  const text = param.json ? JSON.stringify(value) : Array.isArray(value) ? value.map(flat).join(",") : flat(value);
  if (text === "") throw new TypeError(`path parameter "${param.name}" is empty`);
  return encodeURIComponent(text);
}

function addQuery(query: URLSearchParams, param: OperationParameter, value: unknown): void {
  const { name, style, explode } = param;
  if (param.json) return query.append(name, JSON.stringify(value));
  if (Array.isArray(value)) {
    const items = value.map(flat);
    if (explode && style === "form") { for (const item of items) query.append(name, item); }
    else query.append(name, items.join(style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ","));
    return;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, flat(v)] as const);
    if (style === "deepObject") { for (const [k, v] of entries) query.append(`${name}[${k}]`, v); }
    else if (explode) { for (const [k, v] of entries) query.append(k, v); }
    else query.append(name, entries.flat().join(","));
    return;
  }
  query.append(name, flat(value));
}

function setHeader(headers: Headers, name: string, value: string): void {
  try {
    headers.set(name, value);
  } catch {
    throw new TypeError(`header "${name}" cannot carry that value (line breaks or other control characters)`);
  }
}

function encodeBody(kind: "json" | "form" | "text", value: unknown): string {
  if (kind === "json") return JSON.stringify(value);
  if (kind === "text") return typeof value === "string" ? value : JSON.stringify(value);
  const form = new URLSearchParams();
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (Array.isArray(item)) { for (const one of item) form.append(key, flat(one)); }
      else form.append(key, flat(item));
    }
  }
  return form.toString();
}

/** A scalar as text; an object or array nested where a scalar belongs, as JSON. */
function flat(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "";
  return JSON.stringify(value) ?? "";
}
