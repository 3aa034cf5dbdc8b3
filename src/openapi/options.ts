/**
 * The options of an OpenAPI tool source, and the zod schema of its
 * `codemode.yaml` entry (`openapi.<namespace>`).
 *
 * @module
 */
import { z } from "zod";
import type { ToolPolicy } from "../tools/policy.ts";

/** `Authorization: Bearer <token>`. */
export interface OpenApiBearerAuth {
  /** How to authenticate: `bearer` (with `token`), `apiKey` (with `in`, `name`, `value`) or `basic` (with `username`, `password`). */
  type: "bearer";
  /** The token; write `${VAR}` to take it from the environment. */
  token: string;
}

/** An API key in a header or a query parameter. */
export interface OpenApiKeyAuth {
  /** `apiKey`. */
  type: "apiKey";
  /** Where the key goes. */
  in: "header" | "query";
  /** The header or query parameter's name. */
  name: string;
  /** The key; write `${VAR}` to take it from the environment. */
  value: string;
}

/** HTTP Basic authentication. */
export interface OpenApiBasicAuth {
  /** `basic`. */
  type: "basic";
  /** The user name. */
  username: string;
  /** The password; write `${VAR}` to take it from the environment. */
  password: string;
}

/** How the source authenticates to the API. */
export type OpenApiAuth = OpenApiBearerAuth | OpenApiKeyAuth | OpenApiBasicAuth;

/** The HTTP methods, lower case, as `methodPolicies` names them. */
export type HttpMethod = "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace";

/** One entry of `codemode.yaml`'s `openapi`: a REST API whose operations become `tools.<namespace>.<operationId>`. */
export interface OpenApiSourceConfig {
  /** The spec: a file (relative to the config file) or an http(s) URL; OpenAPI 3.0 or 3.1, JSON or YAML. */
  spec: string;
  /** The API's base URL. @default {the spec's first server} */
  baseUrl?: string;
  /** Headers sent with every request; their values are secrets, redacted from all the sandbox sees. */
  headers: Record<string, string>;
  /** Authentication: `bearer`, `apiKey` (header or query) or `basic`; its secret is redacted like headers. */
  auth?: OpenApiAuth;
  /** How long one call may take, in ms. @default {the toolTimeoutMs limit} */
  timeoutMs?: number;
  /**
   * How long calls of one operation may take, in ms, by its tool name in the namespace (`generateReport: 120000`),
   * over `timeoutMs`; a name no operation has is reported when the spec loads.
   */
  operationTimeoutsMs: Record<string, number>;
  /** Largest response body read, in bytes; a larger one is aborted. @default {1048576} */
  maxResponseBytes?: number;
  /** Hosts a remote `$ref` may be fetched from, besides a spec URL's own origin. @default {[]} */
  allowRefHosts: string[];
  /** A default policy per HTTP method (`delete: deny`), for tools no policy rule names exactly (a glob can only tighten it). */
  methodPolicies: Partial<Record<HttpMethod, ToolPolicy>>;
  /** When the spec is read: on first use, or when Codemode starts. @default {"lazy"} */
  startup: "lazy" | "eager";
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerValue = z.preprocess(
  (v) => typeof v === "number" || typeof v === "boolean" ? String(v) : v,
  z.string().refine((v) => !/[\r\n\0]/.test(v), "header values must not contain line breaks"),
);
const secret = z.string().min(1).refine((v) => !/[\r\n\0]/.test(v), "must not contain line breaks");
const digits = (v: unknown) => typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
const METHOD_NAMES = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const policy = z.enum(["allow", "deny", "approve"]);

const authSchema = z.strictObject({
  type: z.enum(["bearer", "apiKey", "basic"]),
  token: secret.optional(),
  in: z.enum(["header", "query"]).optional(),
  name: z.string().regex(HEADER_NAME, { error: "invalid header or query parameter name" }).optional(),
  value: secret.optional(),
  username: z.string().refine((v) => !/[:\r\n\0]/.test(v), "must not contain ':' or line breaks").optional(),
  password: secret.optional(),
}).superRefine((a, ctx) => {
  const needs = { bearer: ["token"], apiKey: ["in", "name", "value"], basic: ["username", "password"] }[a.type];
  for (const key of ["token", "in", "name", "value", "username", "password"] as const) {
    if (needs.includes(key) && a[key] === undefined) {
      ctx.addIssue({ code: "custom", path: [key], message: `required for auth type "${a.type}"` });
    } else if (!needs.includes(key) && a[key] !== undefined) {
      ctx.addIssue({ code: "custom", path: [key], message: `not used by auth type "${a.type}"` });
    }
  }
}).transform((a): OpenApiAuth =>
  a.type === "bearer"
    ? { type: "bearer", token: a.token! }
    : a.type === "apiKey"
    ? { type: "apiKey", in: a.in!, name: a.name!, value: a.value! }
    : { type: "basic", username: a.username!, password: a.password! }
);

/**
 * The zod schema of one `openapi` entry: strict, `startup` defaulting to `lazy`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openApiSourceSchema } from "./options.ts";
 * const parsed = openApiSourceSchema.parse({ spec: "./petstore.yaml", auth: { type: "bearer", token: "t0k3n-123" } });
 * assert.deepEqual(parsed.auth, { type: "bearer", token: "t0k3n-123" });
 * assert.equal(parsed.startup, "lazy");
 * assert.equal(openApiSourceSchema.safeParse({ spec: "x", auth: { type: "basic", token: "t" } }).success, false);
 * ```
 */
export const openApiSourceSchema: z.ZodType<OpenApiSourceConfig, unknown> = z.strictObject({
  spec: z.string().min(1),
  baseUrl: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
  headers: z.record(z.string().regex(HEADER_NAME, { error: "invalid HTTP header name" }), headerValue).default({}),
  auth: authSchema.optional(),
  timeoutMs: z.preprocess(digits, z.number().int().positive().max(2_147_483_647)).optional(),
  operationTimeoutsMs: z.record(
    z.string().min(1).max(512),
    z.preprocess(digits, z.number().int().positive().max(2_147_483_647)),
  )
    .default({}),
  maxResponseBytes: z.preprocess(digits, z.number().int().positive().max(1_073_741_824)).optional(),
  allowRefHosts: z.array(z.string().min(1)).default([]),
  methodPolicies: z.partialRecord(z.enum(METHOD_NAMES), policy).default({}),
  startup: z.enum(["lazy", "eager"]).default("lazy"),
}).transform((s): OpenApiSourceConfig => ({
  spec: s.spec,
  ...(s.baseUrl !== undefined ? { baseUrl: s.baseUrl } : {}),
  headers: s.headers,
  ...(s.auth !== undefined ? { auth: s.auth } : {}),
  ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
  operationTimeoutsMs: s.operationTimeoutsMs,
  ...(s.maxResponseBytes !== undefined ? { maxResponseBytes: s.maxResponseBytes } : {}),
  allowRefHosts: s.allowRefHosts,
  methodPolicies: s.methodPolicies,
  startup: s.startup,
}));

/** What {@linkcode openApiTools} takes: an `openapi` entry's settings, plus what only code can give. */
export interface OpenApiToolsOptions extends Partial<Omit<OpenApiSourceConfig, "spec">> {
  /** The namespace: tools are `tools.<namespace>.<operation>`. */
  namespace: string;
  /** The spec: a file path, an http(s) URL, or the spec as an object. */
  spec: string | URL | Record<string, unknown>;
  /** The directory a relative spec path (and a spec object's relative `$ref`s) start from. @default {Deno.cwd()} */
  cwd?: string;
  /** Largest spec file (and each file it refers to), in bytes. @default {67108864} */
  maxSpecBytes?: number;
  /** Longest operation description kept, in characters. @default {4000} */
  maxDescriptionChars?: number;
  /** Told about skipped operations and left-out parameters (secrets redacted). @default {console.warn} */
  onWarning?: (message: string) => void;
}
