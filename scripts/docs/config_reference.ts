// docs/configuration.md, generated: every key `codemode.yaml` accepts, its
// type, bounds and default from the zod schema itself (`configSchema`), and
// its description from the JSDoc of the TypeScript interface the key fills.
// `tests/docs_test.ts` fails when the committed file differs from this output.
import { configSchema } from "../../src/config/schema.ts";
import { denoDoc, type DocProperty } from "./_deno_doc.ts";

/** The parts of a zod (v4) definition the walk reads. */
interface Def {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  out?: unknown;
  element?: unknown;
  keyType?: unknown;
  valueType?: unknown;
  options?: unknown[];
  entries?: Record<string, string>;
  defaultValue?: unknown;
  format?: string;
  checks?: { _zod: { def: CheckDef } }[];
}
interface CheckDef {
  check: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  format?: string;
}

function defOf(schema: unknown): Def {
  return (schema as { _zod: { def: Def } })._zod.def;
}

/** Removes optional/default/pipe wrappers, keeping the default and whether the key may be left out. */
function unwrap(schema: unknown): { def: Def; optional: boolean; default?: unknown } {
  let def = defOf(schema);
  let optional = false;
  let fallback: unknown;
  for (let depth = 0; depth < 32; depth++) {
    if (def.type === "optional") optional = true;
    else if (def.type === "default" || def.type === "prefault") {
      fallback ??= def.defaultValue;
      optional = true;
    } else if (def.type === "pipe") {
      const inner = defOf(def.in);
      def = inner.type === "transform" ? defOf(def.out) : inner;
      continue;
    } else break;
    def = defOf(def.innerType);
  }
  return { def, optional, ...(fallback === undefined ? {} : { default: fallback }) };
}

/** One key of the reference. */
export interface ConfigKey {
  path: string;
  type: string;
  required: boolean;
  default?: string;
  description: string;
}

/** Which interfaces describe the keys under a path (`<name>` stands for any record key, `[]` for items). */
const DESCRIBED_BY: Record<string, string[]> = {
  "": ["CodemodeConfig"],
  "executor": ["LocalExecutorConfig", "RemoteExecutorConfig", "LocalExecutorOptions"],
  "executor.pool": ["PoolOptions"],
  "executor.limits": ["Limits"],
  "service": ["ServiceConfig"],
  "service.apiKeys[]": ["ServiceApiKeyConfig"],
  "service.pool": ["PoolOptions"],
  "service.limits": ["Limits"],
  "mcpServers.<name>": ["McpStdioServer", "McpHttpServer"],
  "mcpServers.<name>.oauth": ["McpOAuthConfig"],
  "openapi.<name>": ["OpenApiSourceConfig"],
  "openapi.<name>.auth": ["OpenApiBearerAuth", "OpenApiKeyAuth", "OpenApiBasicAuth"],
  "logging": ["LoggingConfig"],
  "metrics": ["MetricsConfig"],
  "sandbox": ["SandboxConfig"],
  "approvals": ["ApprovalsConfig"],
};

const DOCUMENTED_MODULES = [
  "src/config/schema.ts",
  "src/limits.ts",
  "executor/local.ts",
  "executor/_pool.ts",
  "src/mcp/client/server_config.ts",
  "src/mcp/client/oauth_config.ts",
  "src/openapi/options.ts",
];

function typeName(def: Def): string {
  switch (def.type) {
    case "enum":
      return Object.values(def.entries ?? {}).map((v) => `\`${v}\``).join(" | ");
    case "array":
      return unwrap(def.element).def.type === "union"
        ? `(${typeName(unwrap(def.element).def)})[]`
        : `${typeName(unwrap(def.element).def)}[]`;
    case "record":
      return `map of ${typeName(unwrap(def.valueType).def)}`;
    case "union":
      return (def.options ?? []).map((o) => typeName(unwrap(o).def)).join(" | ");
    case "number":
      return numberType(def);
    case "string":
      return stringType(def);
    default:
      return def.type;
  }
}

function numberType(def: Def): string {
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const int = checks.some((c) => c.check === "number_format");
  let low: number | undefined;
  let high: number | undefined;
  for (const c of checks) {
    if (c.check === "greater_than") low = c.inclusive ? c.value : (c.value ?? 0) + 1;
    if (c.check === "less_than") high = c.inclusive ? c.value : (c.value ?? 0) - 1;
  }
  const range = low === undefined && high === undefined ? "" : ` ${low ?? "…"}–${high ?? "…"}`;
  return `${int ? "integer" : "number"}${range}`;
}

function stringType(def: Def): string {
  if (def.format === "url") return "URL";
  const min = (def.checks ?? []).map((c) => c._zod.def).find((c) => c.check === "min_length")?.minimum;
  return min ? "string (not empty)" : "string";
}

function shown(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

/** Walks the schema from `path`, adding a row per key; objects and their members both get one. */
function walk(schema: unknown, path: string, descriptions: (path: string) => DocProperty, rows: ConfigKey[]): void {
  const { def } = unwrap(schema);
  if (def.type === "object") {
    for (const [key, child] of Object.entries(def.shape ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      const { def: childDef, optional, default: fallback } = unwrap(child);
      const doc = descriptions(childPath);
      rows.push({
        path: childPath,
        type: typeName(childDef),
        required: !optional,
        ...(fallback !== undefined ? { default: shown(fallback) } : doc.default ? { default: doc.default } : {}),
        description: doc.doc,
      });
      walk(child, childPath, descriptions, rows);
    }
  } else if (def.type === "record") walk(def.valueType, `${path}.<name>`, descriptions, rows);
  else if (def.type === "array") walk(def.element, `${path}[]`, descriptions, rows);
  else if (def.type === "union") { for (const option of def.options ?? []) walk(option, path, descriptions, rows); }
}

/**
 * Every key of `codemode.yaml`, in schema order.
 *
 * @returns the keys, each with type, default and description.
 * @throws {Error} naming a key whose interface has no JSDoc for it.
 */
export async function configKeys(): Promise<ConfigKey[]> {
  const docs = await denoDoc(DOCUMENTED_MODULES);
  const interfaces = new Map<string, DocProperty[]>();
  for (const symbols of docs.values()) {
    for (const s of symbols) {
      if (s.kind === "interface" && !interfaces.has(s.name)) interfaces.set(s.name, s.properties);
    }
  }
  const descriptions = (path: string): DocProperty => {
    const parent = path.slice(0, Math.max(0, path.lastIndexOf(".")));
    const key = path.slice(parent.length ? parent.length + 1 : 0);
    const names = DESCRIBED_BY[parent] ?? [];
    for (const name of names) {
      const property = interfaces.get(name)?.find((p) => p.name === key);
      if (property?.doc) return property;
    }
    throw new Error(`no JSDoc for codemode.yaml key ${path}: document it in ${names.join(" or ") || "an interface"}`);
  };
  const rows: ConfigKey[] = [];
  walk(configSchema, "", descriptions, rows);
  // A union (service.apiKeys[]) or a shape met twice adds its keys once.
  return rows.filter((row, i) => rows.findIndex((other) => other.path === row.path) === i);
}
