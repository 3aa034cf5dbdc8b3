/**
 * Reads an OpenAPI spec (a file or an http(s) URL; JSON or YAML) and brings
 * the files its `$ref`s name into one document with
 * `@apidevtools/swagger-parser`'s bundler. Every read is bounded (size, time,
 * number of files), and a `$ref` may only reach files under the spec's own
 * directory (for a spec file), or its own origin and the hosts allowed (for
 * a spec URL): anything else is not read, and the operations that need it
 * are skipped with the reason.
 *
 * @module
 */
import { dirname, isAbsolute, resolve, sep as SEPARATOR } from "node:path";
import { fileURLToPath } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import { parse as parseYaml } from "yaml";

/** Limits and permissions of {@linkcode loadSpec}. */
export interface SpecLoadOptions {
  /** Largest file read (the spec and each file it refers to), in bytes. */
  maxBytes: number;
  /** How long one fetch of a spec URL may take, in ms. */
  timeoutMs: number;
  /** Hosts a `$ref` may fetch from besides the spec URL's own origin. */
  allowRefHosts: readonly string[];
  /** The directory a relative spec path starts from. */
  cwd?: string;
}

/** A loaded spec. */
export interface LoadedSpec {
  /** The document, with the files its `$ref`s name brought in. */
  document: Record<string, unknown>;
  /** Where it was read from: an absolute path or a URL. */
  location: string;
  /** External `$ref`s that could not be read → why. */
  unresolved: Map<string, string>;
}

// A spec and the files it refers to; more is a hostile or runaway spec.
const MAX_FILES = 200;

/**
 * Reads a spec and the files it refers to.
 *
 * @param spec a file path, an http(s) URL, or a spec object (whose relative `$ref`s start from `options.cwd`).
 * @param options limits, the hosts `$ref`s may reach, where a relative path starts.
 * @returns the document, its location, and the `$ref`s that could not be read.
 * @throws {Error} when the spec itself cannot be read or parsed, or is not an OpenAPI 3.x document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSpec } from "./load.ts";
 * const spec = { openapi: "3.1.0", info: { title: "t", version: "1" }, paths: {} };
 * const loaded = await loadSpec(spec, { maxBytes: 1e6, timeoutMs: 1000, allowRefHosts: [], cwd: "/" });
 * assert.equal(loaded.document.openapi, "3.1.0");
 * ```
 */
export async function loadSpec(
  spec: string | URL | Record<string, unknown>,
  options: SpecLoadOptions,
): Promise<LoadedSpec> {
  let location: string;
  let document: unknown;
  if (typeof spec === "object" && !(spec instanceof URL)) {
    location = resolve(options.cwd ?? Deno.cwd(), "openapi.json");
    document = structuredClone(spec);
  } else {
    location = spec instanceof URL
      ? (spec.protocol === "file:" ? fileURLToPath(spec) : spec.href)
      : isUrl(spec)
      ? spec
      : isAbsolute(spec)
      ? spec
      : resolve(options.cwd ?? Deno.cwd(), spec);
    document = parseSpec(await readBounded(location, options), location);
  }
  const version = (document as { openapi?: unknown })?.openapi;
  if (typeof document !== "object" || document === null || typeof version !== "string" || !/^3\.[01]\./.test(version)) {
    throw new Error(`${location} is not an OpenAPI 3.0 or 3.1 document (no "openapi: 3.0.x" or "3.1.x")`);
  }
  const unresolved = new Map<string, string>();
  if (!hasExternalRef(document)) return { document: document as Record<string, unknown>, location, unresolved };
  // The bundler rewrites relative `servers` URLs against the spec URL and drops its port: keep them as written.
  const servers = structuredClone((document as Record<string, unknown>).servers);
  const bundled = await bundle(document as Record<string, unknown>, location, options, unresolved);
  return { document: { ...bundled, servers }, location, unresolved };
}

async function bundle(
  document: Record<string, unknown>,
  location: string,
  options: SpecLoadOptions,
  unresolved: Map<string, string>,
): Promise<Record<string, unknown>> {
  let files = 0;
  const why = new Map<string, string>();
  const read = async (file: { url: string }): Promise<string> => {
    const refusal = refusedRef(file.url, location, options.allowRefHosts);
    if (refusal) {
      why.set(file.url, refusal);
      throw new Error(refusal);
    }
    if (++files > MAX_FILES) throw new Error(`the spec refers to more than ${MAX_FILES} files`);
    if (!isUrl(file.url)) {
      // A symbolic link inside the spec's directory must not lead out of it.
      const real = await Deno.realPath(file.url).catch(() => file.url);
      const dir = await Deno.realPath(dirname(location)).catch(() => dirname(location));
      if (!real.startsWith(dir + SEPARATOR)) throw new Error(`a $ref leads outside the spec's directory (${file.url})`);
    }
    return await readBounded(file.url, options);
  };
  const parse = (file: { url: string; data: unknown }): unknown =>
    parseSpec(typeof file.data === "string" ? file.data : new TextDecoder().decode(file.data as Uint8Array), file.url);
  const parserOptions = {
    continueOnError: true,
    resolve: { file: false, http: false, external: true, codemode: { order: 1, canRead: true, read } },
    // Every file is parsed as the spec itself is: JSON, or YAML with a cap on aliases.
    parse: { json: false, yaml: false, text: false, binary: false, codemode: { order: 1, canParse: true, parse } },
    // Bundling follows and rewrites references; it never dereferences, so cycles stay references.
    dereference: { circular: true },
  };
  try {
    // deno-lint-ignore no-explicit-any
    return await (SwaggerParser as any).bundle(location, document, parserOptions) as Record<string, unknown>;
  } catch (e) {
    const partial = (e as { files?: { schema?: unknown } }).files?.schema;
    const errors = (e as { errors?: { message?: string; path?: string[] }[] }).errors;
    if (typeof partial !== "object" || partial === null || !Array.isArray(errors)) {
      throw new Error(`${location}: could not bring in the files its $refs name: ${(e as Error).message}`);
    }
    for (const error of errors) {
      const ref = refAt(partial, error.path ?? []);
      if (ref !== undefined) unresolved.set(ref, (error.message ?? "").slice(0, 300));
    }
    return partial as Record<string, unknown>;
  }
}

/** Why a `$ref` to this file must not be read, if it must not. */
function refusedRef(target: string, location: string, allowRefHosts: readonly string[]): string | undefined {
  if (isUrl(location)) {
    if (!isUrl(target)) return `a spec fetched from a URL may not refer to local files (${target.slice(0, 200)})`;
    const url = new URL(target);
    if (url.origin === new URL(location).origin || allowRefHosts.includes(url.host)) return undefined;
    return `a $ref to host "${url.host.slice(0, 100)}" is not allowed (allowRefHosts)`;
  }
  if (isUrl(target)) {
    const host = new URL(target).host;
    return allowRefHosts.includes(host)
      ? undefined
      : `a $ref to host "${host.slice(0, 100)}" is not allowed (allowRefHosts)`;
  }
  const dir = dirname(location);
  const path = target.startsWith("file:") ? fileURLToPath(target) : target;
  if (!resolve(path).startsWith(dir + SEPARATOR)) {
    return `a $ref to a file outside the spec's directory is not allowed (${path.slice(0, 200)})`;
  }
  return undefined;
}

/** Reads a file or URL, refusing more than `maxBytes`, within `timeoutMs` for a URL. */
async function readBounded(location: string, options: SpecLoadOptions): Promise<string> {
  if (!isUrl(location)) {
    const info = await Deno.stat(location).catch((e) => {
      throw new Error(`cannot read ${location}: ${e instanceof Deno.errors.NotFound ? "no such file" : e.message}`);
    });
    if (!info.isFile) throw new Error(`${location} is not a file`);
    if (info.size > options.maxBytes) {
      throw new Error(`${location} is ${info.size} bytes, over the limit of ${options.maxBytes}`);
    }
    return await Deno.readTextFile(location);
  }
  const signal = AbortSignal.timeout(options.timeoutMs);
  const response = await fetch(location, { signal, redirect: "follow" }).catch((e) => {
    throw new Error(
      `cannot fetch ${location}: ${signal.aborted ? `no answer within ${options.timeoutMs} ms` : e.message}`,
    );
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`cannot fetch ${location}: HTTP ${response.status}`);
  }
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((e) => {
      throw new Error(
        `cannot fetch ${location}: ${signal.aborted ? `no answer within ${options.timeoutMs} ms` : e.message}`,
      );
    });
    if (done) break;
    size += value.byteLength;
    if (size > options.maxBytes) {
      await reader.cancel();
      throw new Error(`${location} is over the limit of ${options.maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) (all.set(chunk, at), at += chunk.byteLength);
  return new TextDecoder().decode(all);
}

function parseSpec(text: string, location: string): unknown {
  try {
    // JSON is YAML too, but JSON.parse reads a large spec many times faster.
    return /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 1000 });
  } catch (e) {
    throw new Error(`${location}: not valid JSON or YAML: ${(e as Error).message.split("\n")[0].slice(0, 300)}`);
  }
}

/** Whether any `$ref` names another document (iterative: a spec may nest deeply). */
function hasExternalRef(document: unknown): boolean {
  const stack = [document];
  // YAML aliases make a graph of shared nodes: each is looked at once.
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === "object") stack.push(item);
      continue;
    }
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === "string" && !ref.startsWith("#")) return true;
    for (const value of Object.values(node)) if (typeof value === "object") stack.push(value);
  }
  return false;
}

function refAt(document: unknown, path: string[]): string | undefined {
  let node = document;
  for (const key of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  const ref = (node as { $ref?: unknown } | null)?.$ref;
  return typeof ref === "string" ? ref : undefined;
}

function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}
