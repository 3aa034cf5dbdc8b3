/**
 * Loads `codemode.yaml`: reads the file (size-capped), parses YAML with source
 * positions, interpolates `${VAR}`s, validates, and resolves tool paths
 * against the config file's directory.
 *
 * @module
 */
import { dirname, isAbsolute, normalize, resolve } from "node:path";
import { ConfigError, type ConfigIssue, formatPath } from "./errors.ts";
import { type EnvSource, interpolateValues } from "./interpolate.ts";
import type { CodemodeConfig } from "./schema.ts";
import type { McpServerConfig } from "../mcp/client/server_config.ts";
import { validateConfig } from "./validate.ts";
import { readYaml } from "./yaml_document.ts";

/** Options of {@linkcode loadConfig} and {@linkcode parseConfig}. */
export interface LoadOptions {
  /** Where `${VAR}`s come from; defaults to `Deno.env` (needs env permission only if the file uses variables). */
  env?: EnvSource;
  /** The directory a relative config path starts from; defaults to `Deno.cwd()`. */
  cwd?: string;
  /** Largest config file accepted, in bytes. @default {1048576} */
  maxBytes?: number;
}

/** A loaded, validated config. */
export interface LoadedConfig {
  /** The config file's absolute path. */
  path: string;
  /** The directory it is in; relative paths in it start here. */
  dir: string;
  /** The config with defaults filled in, `tools` (and `mcpServers.*.cwd`, `mcpServers.*.oauth.tokenFile`, `openapi.*.spec` files) as absolute paths. */
  config: CodemodeConfig;
}

/** The default cap on a config file's size: a real config is a few kilobytes. */
export const DEFAULT_MAX_CONFIG_BYTES = 1_048_576;

function displayName(file: string): string {
  // Messages use the path as the caller wrote it, minus a leading "./".
  return isAbsolute(file) ? file : normalize(file);
}

/** Asks for the cwd only when needed: `Deno.cwd()` needs read permission. */
function absolutePath(file: string, cwd: string | undefined): string {
  return isAbsolute(file) ? normalize(file) : resolve(cwd ?? Deno.cwd(), file);
}

function fileIssue(file: string, message: string): ConfigError {
  return new ConfigError([{ file, line: 0, column: 0, path: "", message }]);
}

function resolvePaths(config: CodemodeConfig, dir: string): CodemodeConfig {
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, server] of Object.entries(config.mcpServers)) {
    if ("command" in server) {
      servers[name] = server.cwd !== undefined ? { ...server, cwd: resolve(dir, server.cwd) } : server;
    } else {
      const tokenFile = server.oauth?.tokenFile;
      servers[name] = tokenFile !== undefined
        ? { ...server, oauth: { ...server.oauth!, tokenFile: resolve(dir, tokenFile) } }
        : server;
    }
  }
  const openapi = Object.fromEntries(
    Object.entries(config.openapi).map(([name, api]) => [
      name,
      /^https?:\/\//i.test(api.spec) ? api : { ...api, spec: resolve(dir, api.spec) },
    ]),
  );
  return { ...config, tools: config.tools.map((tool) => resolve(dir, tool)), mcpServers: servers, openapi };
}

function build(text: string, name: string, path: string, options: LoadOptions): LoadedConfig {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES;
  // More UTF-16 units than the cap means more bytes too (each unit takes at least one), so that
  // cheap test refuses huge texts before the exact count has to encode them.
  if (text.length > maxBytes || new TextEncoder().encode(text).length > maxBytes) {
    throw fileIssue(name, `config is larger than ${maxBytes} bytes`);
  }
  const dir = dirname(path);
  const read = readYaml(text);
  const located = (issues: Omit<ConfigIssue, "file">[]) => issues.map((issue) => ({ file: name, ...issue }));
  if (read.value === undefined) throw new ConfigError(located(read.issues));
  const interpolated = interpolateValues(read.value, options.env);
  const envIssues = interpolated.issues.map((issue) => ({
    ...read.locator.value(issue.path),
    path: formatPath(issue.path),
    message: issue.message,
  }));
  const skip = interpolated.issues.map((issue) => issue.path);
  const validated = validateConfig(interpolated.value, read.locator, skip);
  const issues = [...envIssues, ...validated.issues];
  if (issues.length > 0 || !validated.config) throw new ConfigError(located(issues));
  return { path, dir, config: resolvePaths(validated.config, dir) };
}

/**
 * Parses and validates config text held in memory.
 *
 * @param text the YAML source.
 * @param file the file name used in messages; relative tool paths resolve against its directory.
 * @param options variables, working directory and size cap.
 * @returns the config with its absolute path and directory.
 * @throws {ConfigError} listing every problem as `file:line:column: path: message`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, parseConfig } from "./mod.ts";
 * const loaded = parseConfig("tools: [./t.ts]\n", "/srv/codemode.yaml", { env: {} });
 * assert.deepEqual(loaded.config.tools, ["/srv/t.ts"]);
 * assert.throws(
 *   () => parseConfig("executor:\n  limits:\n    timeoutMs: 30s\n", "codemode.yaml", { env: {} }),
 *   (e: ConfigError) => e.message === 'codemode.yaml:3:16: executor.limits.timeoutMs: expected number, got "30s"',
 * );
 * ```
 */
export function parseConfig(text: string, file: string = "codemode.yaml", options: LoadOptions = {}): LoadedConfig {
  return build(text, displayName(file), absolutePath(file, options.cwd), options);
}

/**
 * Reads, parses and validates a `codemode.yaml` file.
 *
 * @param path the file; relative paths start from `options.cwd`.
 * @param options variables, working directory and size cap.
 * @returns the config with its absolute path and directory.
 * @throws {ConfigError} when the file is missing, too large or invalid, listing every problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "./mod.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * await Deno.writeTextFile(`${dir}/codemode.yaml`, "tools:\n  - ./tools/\n");
 * const loaded = await loadConfig("codemode.yaml", { cwd: dir, env: {} });
 * assert.deepEqual(loaded.config.tools, [`${dir}/tools`]);
 * await assert.rejects(loadConfig("missing.yaml", { cwd: dir }), /missing\.yaml/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadConfig(path: string = "./codemode.yaml", options: LoadOptions = {}): Promise<LoadedConfig> {
  const name = displayName(path);
  const absolute = absolutePath(path, options.cwd);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES;
  let text: string;
  try {
    // Check the size before reading, so a huge file is never held in memory.
    const info = await Deno.stat(absolute);
    if (!info.isFile) throw fileIssue(name, `not a file (${absolute})`);
    if (info.size > maxBytes) throw fileIssue(name, `config file is ${info.size} bytes; the limit is ${maxBytes}`);
    text = await Deno.readTextFile(absolute);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const reason = e instanceof Deno.errors.NotFound ? "config file not found" : `cannot read: ${(e as Error).message}`;
    throw fileIssue(name, `${reason} (${absolute})`);
  }
  return build(text, name, absolute, options);
}
