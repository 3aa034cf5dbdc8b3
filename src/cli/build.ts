/**
 * Builds the `Codemode` a CLI command runs with, from `--config` and `--tools`.
 *
 * @module
 */
import type { ApprovalsOptions } from "../approvals/options.ts";
import { resolve } from "node:path";
import { Codemode } from "../codemode.ts";
import type { RemoteExecutorOptions } from "../../executor/remote.ts";
import { codemodeOptionsFromConfig } from "../config/from_config.ts";
import { toolClashes } from "../config/discover.ts";
import type { DiscoveredTool } from "../config/tool_exports.ts";
import type { Limits } from "../limits.ts";
import {
  LocalExecutor,
  type LocalExecutorOptions,
  OS_SANDBOX_MODES,
  type OsSandboxMode,
  type SandboxWalls,
} from "../../executor/local.ts";
import type { ToolSource } from "../tools/source.ts";
import type { Observer } from "../observe.ts";
import type { CodemodeConfig } from "../config/schema.ts";
import { loadToolModules, UsageError } from "./load_tools.ts";
import { loopbackAuthorizer } from "./oauth.ts";

/** The flags that shape a Codemode. */
export interface BuildFlags {
  /** `--config <path>`. */
  config?: string;
  /** `--tools <path>` (a module or a directory of them), repeatable. */
  tools?: string[];
  /** Limits from flags; they win over the config's. */
  limits?: Partial<Limits>;
  /** `--pool <n>`: the warm pool's size, over the config's `executor.pool.size` (0 turns it off). */
  pool?: number;
  /**
   * The pool's size when neither `--pool` nor the config sets one. A command
   * that sets neither this nor `pool` (`run`, `types`: one script at most)
   * never pools, whatever the config says.
   */
  defaultPool?: number;
  /** `--typecheck`: type-check every script before it runs, over the config's `typecheck`. */
  typecheck?: boolean;
  /** `--os-sandbox`: the OS wall's mode, over the config's `sandbox.os`. */
  osSandbox?: OsSandboxMode;
}

/** The config's `logging` and `metrics` (both absent without a config), which a command turns into its observer. */
export type ObservabilityConfig = Pick<CodemodeConfig, "logging" | "metrics">;

/** Makes a command's observer, if it wants one, from the config's `logging` and `metrics`. */
export type ObserverFactory = (config: ObservabilityConfig) => Observer | undefined | Promise<Observer | undefined>;

/** Where a command takes its tools from: absolute paths. */
export interface ToolOrigins {
  /** The config in use: `--config`, or `./codemode.yaml` when it exists and no `--tools` is given. */
  config?: string;
  /** The `--tools` modules and directories. */
  modules: string[];
}

/**
 * Where the flags say tools come from. Without `--config` and `--tools`, a
 * `codemode.yaml` in `cwd` is used when there is one.
 *
 * @returns the config and modules, as absolute paths.
 */
export async function toolOrigins(flags: BuildFlags, cwd: string): Promise<ToolOrigins> {
  const config = flags.config ?? (flags.tools?.length ? undefined : await defaultConfig(cwd));
  return {
    ...(config === undefined ? {} : { config: resolve(cwd, config) }),
    modules: (flags.tools ?? []).map((path) => resolve(cwd, path)),
  };
}

/**
 * Says that no tools are loaded, and where they were looked for.
 *
 * @returns one line, without a newline.
 */
export function noToolsNote(origins: ToolOrigins, cwd: string): string {
  const looked = [...(origins.config ? [origins.config] : []), ...origins.modules];
  const where = looked.length > 0
    ? `none found in ${looked.join(", ")}`
    : `no --tools or --config was given, and there is no codemode.yaml in ${cwd}`;
  return `no tools are loaded (use --tools or --config): ${where}`;
}

/** A built Codemode, and the walls its local sandboxes get (none: its scripts run on an executor service). */
export interface Built {
  /** The instance. */
  cm: Codemode;
  /** What each local sandbox child gets (`LocalExecutor.walls()`), or `undefined` with `executor.type: remote`. */
  walls?: SandboxWalls;
}

/**
 * Builds a Codemode from the flags (see {@linkcode toolOrigins} for where tools come from).
 * An upstream MCP server that needs a user's OAuth authorization has its URL
 * written to `err`, and the code is received on its loopback redirect URL.
 *
 * @param observe makes the instance's observer from the config's `logging` and `metrics`.
 * @returns the instance.
 * @throws {UsageError} for a bad config (naming file, line and key) or tool module, two
 * tools with one name (naming both modules), or a required OS wall that is unavailable.
 */
export async function buildCodemode(
  flags: BuildFlags,
  cwd: string,
  err: (text: string) => void = (text) => void Deno.stderr.writeSync(new TextEncoder().encode(text)),
  observe?: ObserverFactory,
): Promise<Codemode> {
  return (await build(flags, cwd, err, observe, false)).cm;
}

/**
 * {@linkcode buildCodemode}, with the walls of its local sandboxes (detected
 * now, once per process): `codemode mcp` logs them at startup.
 *
 * @returns the instance and its walls.
 * @throws {UsageError} as {@linkcode buildCodemode} does.
 */
export function buildWithWalls(
  flags: BuildFlags,
  cwd: string,
  err: (text: string) => void = (text) => void Deno.stderr.writeSync(new TextEncoder().encode(text)),
  observe?: ObserverFactory,
): Promise<Built> {
  return build(flags, cwd, err, observe, true);
}

// Detects the walls when asked, or when the OS wall is required (its absence is a usage error).
async function build(
  flags: BuildFlags,
  cwd: string,
  err: (text: string) => void,
  observe: ObserverFactory | undefined,
  detect: boolean,
): Promise<Built> {
  const origins = await toolOrigins(flags, cwd);
  const found: DiscoveredTool[] = [];
  let limits: Partial<Limits> = {};
  let policies = {};
  let sources: ToolSource[] = [];
  let localExecutor: LocalExecutorOptions = {};
  let remoteExecutor: RemoteExecutorOptions | undefined;
  let observed: ObservabilityConfig = {};
  let checks = { typecheck: false, observeOutputTypes: true };
  let approvals: ApprovalsOptions | undefined;
  try {
    if (origins.config) {
      const mcpClient = { oauth: { authorize: loopbackAuthorizer(err) } };
      const fromConfig = await codemodeOptionsFromConfig(origins.config, { mcpClient });
      found.push(...fromConfig.discovered);
      limits = fromConfig.limits;
      policies = fromConfig.policies;
      sources = fromConfig.sources;
      localExecutor = fromConfig.localExecutor;
      remoteExecutor = fromConfig.remoteExecutor;
      checks = { typecheck: fromConfig.typecheck, observeOutputTypes: fromConfig.observeOutputTypes };
      approvals = fromConfig.approvals;
      const { logging, metrics } = fromConfig.loaded.config;
      observed = { ...(logging ? { logging } : {}), ...(metrics ? { metrics } : {}) };
    }
    if (remoteExecutor && flags.osSandbox !== undefined) {
      throw new UsageError("--os-sandbox applies to local sandboxes; this config runs scripts on an executor service");
    }
    if (flags.osSandbox !== undefined) localExecutor = { ...localExecutor, osSandbox: flags.osSandbox };
    const required = localExecutor.osSandbox === "required";
    const walls = remoteExecutor || !(detect || required) ? undefined : await sandboxWalls(localExecutor.osSandbox);
    found.push(...await loadToolModules(origins.modules, cwd));
    // A module named by both the config and --tools gives the same tool objects: one tool each.
    const unique = found.filter((d, i) => found.findIndex((other) => other.tool === d.tool) === i);
    const clashes = toolClashes(unique);
    if (clashes.length > 0) throw new UsageError(clashes.join("\n"));
    const tools = unique.map((d) => d.tool);
    const observer = await observe?.(observed);
    const executor = remoteExecutor ? { remoteExecutor } : { localExecutor: withPool(localExecutor, flags) };
    const cm = new Codemode({
      tools,
      limits: { ...limits, ...flags.limits },
      policies,
      sources,
      ...executor,
      ...(observer ? { observer } : {}),
      typecheck: flags.typecheck ?? checks.typecheck,
      observeOutputTypes: checks.observeOutputTypes,
      ...(approvals ? { approvals } : {}),
    });
    await cm.loadTools({ eagerOnly: true }).catch(async (e) => {
      await cm.close();
      throw e;
    });
    return { cm, ...(walls ? { walls } : {}) };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
}

/**
 * The walls local sandboxes get with this OS-wall mode (detected once per
 * process; no process is left running).
 *
 * @throws {UsageError} when the mode is `required` and the OS wall is unavailable, naming what is missing.
 */
export async function sandboxWalls(mode: OsSandboxMode | undefined): Promise<SandboxWalls> {
  const probe = new LocalExecutor({ osSandbox: mode ?? "auto" });
  const walls = await probe.walls().finally(() => probe.close());
  if (walls.osSandbox === "required" && walls.os === "none") {
    throw new UsageError(`the OS wall is required (os-sandbox: required) but unavailable: ${walls.reason}`);
  }
  return walls;
}

function withPool(options: LocalExecutorOptions, flags: BuildFlags): LocalExecutorOptions {
  const { pool, ...rest } = options;
  const size = flags.pool ?? pool?.size ?? flags.defaultPool;
  if (size === undefined || (flags.pool === undefined && flags.defaultPool === undefined)) return rest;
  return { ...rest, pool: { ...pool, size } };
}

async function defaultConfig(cwd: string): Promise<string | undefined> {
  try {
    await Deno.stat(resolve(cwd, "codemode.yaml"));
    return "codemode.yaml";
  } catch {
    return undefined;
  }
}

/** The flags every command that builds a Codemode takes (for `node:util` `parseArgs`). */
export const CODEMODE_FLAGS = {
  tools: { type: "string", multiple: true },
  config: { type: "string", short: "c" },
  timeout: { type: "string" },
  memory: { type: "string" },
  typecheck: { type: "boolean" },
  "os-sandbox": { type: "string" },
} as const;

/**
 * Parses `--os-sandbox`.
 *
 * @returns the mode, or `undefined` when the flag was not given.
 * @throws {UsageError} naming the flag and the accepted values.
 */
export function osSandboxFlag(value: string | undefined): OsSandboxMode | undefined {
  if (value === undefined) return undefined;
  if (!(OS_SANDBOX_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`--os-sandbox must be one of ${OS_SANDBOX_MODES.join(", ")}, got "${value}"`);
  }
  return value as OsSandboxMode;
}

/**
 * The limits set by `--timeout` and `--memory`.
 *
 * @returns only the limits that were given.
 * @throws {UsageError} naming the flag when a value is not a positive integer.
 */
export function limitsFromFlags(values: { timeout?: string; memory?: string }): Partial<Limits> {
  return {
    ...(values.timeout !== undefined ? { timeoutMs: integerFlag("--timeout", values.timeout, 1) } : {}),
    ...(values.memory !== undefined ? { memoryMb: integerFlag("--memory", values.memory, 1) } : {}),
  };
}

/**
 * Parses an integer flag value within bounds.
 *
 * @throws {UsageError} naming the flag and the allowed range.
 */
export function integerFlag(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    const range = `from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""}`;
    throw new UsageError(`${flag} must be an integer ${range}, got "${value}"`);
  }
  return n;
}
