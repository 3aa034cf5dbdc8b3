/**
 * `OpenApiToolSource`: the operations of a REST API's OpenAPI spec as typed
 * tools, `tools.<namespace>.<operation>`. Calls run in the host with `fetch`;
 * the configured headers and credentials never reach the sandbox: they are
 * redacted (as MCP upstream secrets are) from every error, excerpt,
 * description, schema and result.
 *
 * @module
 */
import type { AnyTool, ToolContext } from "../tools/define.ts";
import { toolPath } from "../tools/names.ts";
import type { ToolSource } from "../tools/source.ts";
import { Redactor, secretsOf as urlSecretsOf } from "../mcp/client/redact.ts";
import { loadSpec } from "./load.ts";
import { type Operation, readOperations, type SkippedOperation } from "./operations.ts";
import type { OpenApiToolsOptions } from "./options.ts";
import { buildRequest, type Credentials } from "./request.ts";
import { HttpStatusError, send } from "./http.ts";
import { SchemaConverter } from "./schema.ts";
import { schemaProblem } from "../mcp/client/schema_guard.ts";
import { renderDeclarations } from "../typegen/mod.ts";
import { lazyValidator, metaSchemaProblem } from "./validate.ts";

/** The default cap on a response body: 1 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1_048_576;
/** The default cap on a spec file: 64 MiB (GitHub's spec is 13 MB). */
export const DEFAULT_MAX_SPEC_BYTES = 67_108_864;
const SPEC_TIMEOUT_MS = 30_000;
// One tool's input or output schema, with the schemas it refers to; GitHub's largest is under 200 KB.
const MAX_SCHEMA_BYTES = 1_048_576;

/**
 * The operations of one OpenAPI spec, as a Codemode tool source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenApiToolSource } from "./source.ts";
 * const spec = { openapi: "3.1.0", info: { title: "t", version: "1" }, servers: [{ url: "http://127.0.0.1:9" }],
 *   paths: { "/ping": { get: { operationId: "ping", responses: { "204": { description: "pong" } } } } } };
 * const source = new OpenApiToolSource({ namespace: "api", spec });
 * const [tool] = await source.load();
 * assert.equal(tool.name, "api.ping");
 * ```
 */
export class OpenApiToolSource implements ToolSource {
  /** The namespace of the tools. */
  readonly namespace: string;
  /** When the spec is read. */
  readonly startup: "lazy" | "eager";
  readonly #options: OpenApiToolsOptions;
  readonly #redactor: Redactor;
  readonly #credentials: Credentials;
  #loading?: Promise<AnyTool[]>;
  #skipped: SkippedOperation[] = [];

  /**
   * Creates the source; the spec is read on the first {@linkcode OpenApiToolSource.load}.
   *
   * @param options the spec, namespace, base URL, headers, authentication and limits.
   * @throws {TypeError} when the namespace is not one identifier, the base URL is not http(s), or a limit is not a
   * positive number.
   */
  constructor(options: OpenApiToolsOptions) {
    const path = toolPath(options.namespace);
    if (path.length !== 1) throw new TypeError(`OpenAPI namespace "${options.namespace}" must not contain "."`);
    if (options.baseUrl !== undefined && !/^https?:\/\//i.test(options.baseUrl)) {
      throw new TypeError(`OpenAPI source "${options.namespace}": baseUrl must be an http(s) URL`);
    }
    for (const key of ["timeoutMs", "maxResponseBytes", "maxSpecBytes"] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new TypeError(`OpenAPI source "${options.namespace}": ${key} must be a positive number`);
      }
    }
    for (const [name, value] of Object.entries(options.operationTimeoutsMs ?? {})) {
      if (!(Number.isFinite(value) && value > 0)) {
        throw new TypeError(
          `OpenAPI source "${options.namespace}": operationTimeoutsMs.${name} must be a positive number`,
        );
      }
    }
    this.namespace = path[0];
    this.startup = options.startup ?? "lazy";
    this.#options = options;
    this.#credentials = credentialsOf(options);
    this.#redactor = new Redactor(secretsOf(options));
  }

  /** The operations left out of the last load, each with the reason (secrets redacted). */
  get skipped(): readonly SkippedOperation[] {
    return this.#skipped;
  }

  /**
   * Reads the spec (once) and returns a tool per usable operation.
   *
   * @returns the tools; skipped operations are named in {@linkcode OpenApiToolSource.skipped} and warned about.
   * @throws {Error} naming the source when the spec cannot be read or is not OpenAPI 3.x.
   */
  load(): Promise<AnyTool[]> {
    this.#loading ??= this.#load().catch((e) => {
      this.#loading = undefined;
      throw new Error(this.#redact(`OpenAPI source "${this.namespace}": ${(e as Error).message ?? e}`));
    });
    return this.#loading;
  }

  /** Nothing stays open between calls; in-flight calls end with their execution. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  async #load(): Promise<AnyTool[]> {
    const o = this.#options;
    const loaded = await loadSpec(o.spec, {
      maxBytes: o.maxSpecBytes ?? DEFAULT_MAX_SPEC_BYTES,
      timeoutMs: SPEC_TIMEOUT_MS,
      allowRefHosts: o.allowRefHosts ?? [],
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
    });
    const doc = loaded.document;
    const base = baseUrlOf(o.baseUrl, doc, loaded.location);
    const version = String(doc.openapi).startsWith("3.0") ? "3.0" : "3.1";
    const { operations, skipped } = readOperations(doc, {
      converter: new SchemaConverter(doc, version, loaded.unresolved),
      ownHeaders: new Set(Object.keys(this.#credentials.headers).map((h) => h.toLowerCase())),
      ownQuery: new Set(Object.keys(this.#credentials.query)),
      warn: (m) => this.#warn(m),
      maxDescriptionChars: o.maxDescriptionChars ?? 4000,
    });
    const tools: AnyTool[] = [];
    for (const op of operations) {
      try {
        tools.push(this.#tool(op, base));
      } catch (e) {
        skipped.push({ operation: op.label, reason: (e as Error).message });
      }
    }
    this.#skipped = skipped.map((s) => ({ operation: this.#redact(s.operation), reason: this.#redact(s.reason) }));
    for (const s of this.#skipped) this.#warn(`skipped ${s.operation}: ${s.reason}`);
    const names = new Set(operations.map((op) => op.name));
    for (const name of Object.keys(o.operationTimeoutsMs ?? {}).filter((n) => !names.has(n))) {
      this.#warn(`operationTimeoutsMs.${name}: no operation of ${this.namespace} has this name; it applies to none`);
    }
    return tools;
  }

  #tool(op: Operation, base: URL): AnyTool {
    const limits = { maxBytes: MAX_SCHEMA_BYTES, maxDepth: 128 };
    const inputProblem = schemaProblem(op.inputSchema, limits);
    if (inputProblem) throw new Error(`its input schema ${inputProblem}`);
    const outputProblem = op.outputSchema && schemaProblem(op.outputSchema, limits);
    if (outputProblem) {
      this.#warn(`${op.method} ${op.path}: its output type is unknown: its output schema ${outputProblem}`);
      op = { ...op, outputSchema: undefined };
    }
    const policy = this.#options.methodPolicies?.[op.method.toLowerCase() as "get"];
    const own = this.#options.operationTimeoutsMs;
    const timeoutMs = own && Object.hasOwn(own, op.name) ? own[op.name] : this.#options.timeoutMs;
    const name = `${this.namespace}.${op.name}`;
    const inputSchema = this.#redactor.redactValue(op.inputSchema) as Record<string, unknown>;
    const invalid = metaSchemaProblem(inputSchema);
    if (invalid) throw new Error(`its input schema ${invalid}`);
    // Built as `defineTool` builds a tool, but with the validator compiled on first use (`./validate.ts`).
    const tool: AnyTool = {
      kind: "codemode.tool",
      name,
      path: Object.freeze(toolPath(name)),
      description: this.#redact(op.description),
      inputSchema,
      validateInput: lazyValidator(inputSchema, `tool "${name}" input`),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(policy !== undefined && policy !== "allow" ? { defaultPolicy: policy } : {}),
      handler: (input: Record<string, unknown>, context: ToolContext) => this.#call(op, base, input, context),
    };
    // Typed, not checked: real APIs stray from their specs, and a result is data for the script either way.
    const typed: AnyTool = Object.freeze(
      op.outputSchema === undefined
        ? tool
        : { ...tool, outputSchema: this.#redactor.redactValue(op.outputSchema) as Record<string, unknown> },
    );
    // The declarations are rendered for every prompt; a schema that breaks them must not get in.
    renderDeclarations([{
      path: [...typed.path],
      description: typed.description,
      inputSchema: typed.inputSchema,
      ...(typed.outputSchema !== undefined ? { outputSchema: typed.outputSchema } : {}),
    }]);
    return typed;
  }

  async #call(op: Operation, base: URL, input: Record<string, unknown>, context: ToolContext): Promise<unknown> {
    const label = `${op.method} ${op.path}`;
    try {
      const request = buildRequest(op, input, base, this.#credentials);
      const response = await send(op.method, request, {
        signal: context.signal,
        maxBytes: this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        credentialHeaders: Object.keys(this.#credentials.headers).map((h) => h.toLowerCase()),
        credentialQuery: this.#credentials.query,
        label,
      });
      return this.#redactor.redactValue(resultOf(op, response.contentType, response.text, label));
    } catch (e) {
      const message = this.#redact(e instanceof Error ? e.message : String(e));
      if (e instanceof HttpStatusError) throw new HttpStatusError(e.status, message);
      if (e instanceof RangeError) throw new RangeError(message);
      throw new Error(context.signal.aborted ? `${label}: the call was aborted` : message);
    }
  }

  #redact(text: string): string {
    return this.#redactor.redact(text);
  }

  #warn(message: string): void {
    try {
      (this.#options.onWarning ?? console.warn)(
        this.#redact(`[codemode] OpenAPI source "${this.namespace}": ${message}`),
      );
    } catch {
      // A failing warning sink must not break loading.
    }
  }
}

/**
 * An OpenAPI spec's operations as a tool source, for `new Codemode({ sources: [...] })`.
 *
 * @param options the spec, namespace, base URL, headers, authentication and limits.
 * @returns the source; the spec is read when its tools are first needed (or at start, with `startup: "eager"`).
 * @throws {TypeError} when the namespace is not one identifier, or the base URL is not http(s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openApiTools } from "./source.ts";
 * const source = openApiTools({ namespace: "petstore", spec: "./petstore.yaml", auth: { type: "bearer", token: "t0k3n-1" } });
 * assert.equal(source.namespace, "petstore");
 * ```
 */
export function openApiTools(options: OpenApiToolsOptions): OpenApiToolSource {
  return new OpenApiToolSource(options);
}

/** JSON when the response says so, or when the spec declares JSON and the text parses; else the text. */
function resultOf(op: Operation, contentType: string, text: string, label: string): unknown {
  const saysJson = /^application\/(.+\+)?json\b/.test(contentType);
  if (text === "" && !saysJson) return op.outputSchema?.type === "null" ? null : "";
  if (saysJson || op.jsonResponse) {
    try {
      return JSON.parse(text);
    } catch {
      if (saysJson) throw new Error(`${label}: the response says it is JSON but is not valid JSON`);
    }
  }
  return text;
}

function credentialsOf(options: OpenApiToolsOptions): Credentials {
  const headers: Record<string, string> = { ...options.headers };
  const query: Record<string, string> = {};
  const auth = options.auth;
  if (auth?.type === "bearer") headers["Authorization"] = `Bearer ${auth.token}`;
  else if (auth?.type === "basic") headers["Authorization"] = `Basic ${base64(`${auth.username}:${auth.password}`)}`;
  else if (auth?.type === "apiKey" && auth.in === "header") headers[auth.name] = auth.value;
  else if (auth?.type === "apiKey") query[auth.name] = auth.value;
  return { headers, query };
}

function base64(text: string): string {
  return btoa(Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join(""));
}

/**
 * The values to redact: header values, the token, key or password, `user:password` (Basic's encoding of it), and the
 * credentials and query values of the base URL and of a spec URL (their messages quote them).
 */
function secretsOf(options: OpenApiToolsOptions): string[] {
  const urls = [options.baseUrl, typeof options.spec === "string" ? options.spec : undefined]
    .filter((u): u is string => u !== undefined && /^https?:\/\//i.test(u));
  const values = [
    ...Object.values(options.headers ?? {}),
    ...urls.flatMap((url) => urlSecretsOf({ url, headers: {}, startup: "lazy" })),
  ];
  const auth = options.auth;
  if (auth?.type === "bearer") values.push(auth.token);
  if (auth?.type === "apiKey") values.push(auth.value);
  if (auth?.type === "basic") values.push(auth.password, `${auth.username}:${auth.password}`);
  return values.filter((v) => v.length > 0);
}

/** The configured base URL, else the spec's first server (a relative one resolved against the spec's URL). */
function baseUrlOf(configured: string | undefined, doc: Record<string, unknown>, location: string): URL {
  if (configured !== undefined) return new URL(configured);
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  const first = servers[0] as { url?: unknown; variables?: Record<string, { default?: unknown }> } | undefined;
  if (typeof first?.url !== "string") throw new Error("the spec names no server: set baseUrl");
  const url = first.url.replace(/\{([^}]+)\}/g, (_, name) => String(first.variables?.[name]?.default ?? ""));
  const base = /^https?:\/\//i.test(location) ? new URL(url, location) : URL.canParse(url) ? new URL(url) : undefined;
  if (base === undefined || (base.protocol !== "http:" && base.protocol !== "https:")) {
    throw new Error(`the spec's first server "${url.slice(0, 200)}" is not an absolute http(s) URL: set baseUrl`);
  }
  return base;
}
