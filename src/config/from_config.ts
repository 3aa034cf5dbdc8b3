/**
 * Turns a loaded `codemode.yaml` into `Codemode` options: tools discovered from
 * the modules it names, limits, policies, and a tool source per MCP server.
 *
 * @module
 */
import type { AnyTool } from "../tools/define.ts";
import type { Approver } from "../tools/policy.ts";
import type { ToolSource } from "../tools/source.ts";
import { mcpSourcesFromConfig } from "../mcp/client/mod.ts";
import type { Executor, Limits } from "../../executor/types.ts";
import { type DiscoveredTool, discoverTools } from "./discover.ts";
import { ConfigError } from "./errors.ts";
import type { EnvSource } from "./interpolate.ts";
import { loadConfig, type LoadedConfig } from "./load.ts";

/** Options of `Codemode.fromConfig`. */
export interface FromConfigOptions {
  /** Where `${VAR}` values come from. @default {Deno.env} */
  env?: EnvSource;
  /** Asked before every call of an `approve` tool. */
  approver?: Approver;
  /** An executor to use instead of the one the config describes. */
  executor?: Executor;
}

/** What `codemodeOptionsFromConfig` builds. */
export interface ConfigOptions {
  /** The loaded configuration. */
  loaded: LoadedConfig;
  /** Every tool found in the configured modules. */
  tools: AnyTool[];
  /** The same tools, each with the module and export it came from. */
  discovered: DiscoveredTool[];
  /** Limits from `executor.limits`. */
  limits: Partial<Limits>;
  /** Policies from `policies`. */
  policies: LoadedConfig["config"]["policies"];
  /** One tool source per `mcpServers` entry; nothing is started until they load. */
  sources: ToolSource[];
}

/**
 * Loads a config file and discovers its tools.
 *
 * @param path the config file. @default {"./codemode.yaml"}
 * @param options where `${VAR}` values come from.
 * @returns tools, limits, policies and MCP tool sources, with the loaded config.
 * @throws {ConfigError} naming file, line, column and key; or a discovery error naming the module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codemodeOptionsFromConfig } from "./from_config.ts";
 * await assert.rejects(codemodeOptionsFromConfig("/nonexistent/codemode.yaml"), /codemode\.yaml/);
 * ```
 */
export async function codemodeOptionsFromConfig(
  path = "./codemode.yaml",
  options: Pick<FromConfigOptions, "env"> = {},
): Promise<ConfigOptions> {
  const loaded = await loadConfig(path, { env: options.env });
  const { executor, policies } = loaded.config;
  if (executor.type === "remote") {
    throw new ConfigError([{
      file: path,
      line: 0,
      column: 0,
      path: "executor.type",
      message:
        "the remote executor needs the Codemode executor service, which this version does not include; use type: local",
    }]);
  }
  const discovered = await discoverTools(loaded.config.tools);
  // Built last: nothing to close if discovery failed, and building starts no process.
  const sources = mcpSourcesFromConfig(loaded.config.mcpServers);
  return {
    loaded,
    tools: discovered.map((d) => d.tool),
    discovered,
    limits: executor.limits as Partial<Limits>,
    policies,
    sources,
  };
}
