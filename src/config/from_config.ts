/**
 * Turns a `codemode.yaml` into a configured `Codemode`: tools discovered from
 * the modules it names, limits, executor settings, policies, and a tool
 * source per MCP server and per OpenAPI spec.
 *
 * @module
 */
import { Codemode } from "../codemode.ts";
import type { LocalExecutorOptions } from "../../executor/local.ts";
import type { RemoteExecutorOptions } from "../../executor/remote.ts";
import type { AnyTool } from "../tools/define.ts";
import type { Approver } from "../tools/approval.ts";
import type { ApprovalsOptions } from "../approvals/options.ts";
import type { ToolSource } from "../tools/source.ts";
import type { Executor } from "../executor.ts";
import type { Limits } from "../limits.ts";
import type { McpToolSourceOptions } from "../mcp/client/options.ts";
import type { Observer } from "../observe.ts";
import { type DiscoveredTool, discoverTools } from "./discover.ts";
import type { EnvSource } from "./interpolate.ts";
import { loadConfig, type LoadedConfig } from "./load.ts";
import { wantsObservability } from "./schema.ts";

/** Options of {@linkcode fromConfig}. */
export interface FromConfigOptions {
  /** Where `${VAR}` values come from. @default {Deno.env} */
  env?: EnvSource;
  /** Asked before every call that needs approval (an `approve` policy, or the tool's own `needsApproval`). */
  approver?: Approver;
  /**
   * An executor to use instead of the one the config describes; an error
   * when the config sets `executor.maxConcurrent`, `executor.maxQueued`,
   * `executor.pool` or `sandbox.os`, which it could not apply.
   */
  executor?: Executor;
  /**
   * Options of every upstream MCP server's client: timeouts, limits, and
   * OAuth (`oauth.authorize` has the user authorize an `authorization_code`
   * server; `oauth.store` keeps tokens).
   */
  mcpClient?: McpToolSourceOptions;
  /**
   * An observer to use instead of the one the config's `logging` and `metrics`
   * describe; an error when the config has either.
   */
  observer?: Observer;
  /** Where the log lines of the config's `logging` go. @default {stderr} */
  logWrite?: (line: string) => void;
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
  /** Settings of the local executor from `executor` (`maxConcurrent`, `maxQueued`, `pool`) and `sandbox.os`. */
  localExecutor: LocalExecutorOptions;
  /** The executor service to run scripts on, when `executor.type` is `remote`. */
  remoteExecutor?: RemoteExecutorOptions;
  /** Policies from `policies`. */
  policies: LoadedConfig["config"]["policies"];
  /** One tool source per `mcpServers` entry, then one per `openapi` entry; nothing is started until they load. */
  sources: ToolSource[];
  /** `typecheck`: type-check scripts before they run. */
  typecheck: boolean;
  /** `observeOutputTypes`: show result types observed from tools that declare none. */
  observeOutputTypes: boolean;
  /** `approvals`: the continuation key, timeouts and sizes of pausing for approval. */
  approvals?: ApprovalsOptions;
}

/**
 * Loads a config file and discovers its tools.
 *
 * @param path the config file. @default {"./codemode.yaml"}
 * @param options where `${VAR}` values come from, and the MCP client's options.
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
  options: Pick<FromConfigOptions, "env" | "mcpClient"> = {},
): Promise<ConfigOptions> {
  const loaded = await loadConfig(path, { env: options.env });
  const { executor, policies, sandbox } = loaded.config;
  const discovered = await discoverTools(loaded.config.tools);
  // Built last: nothing to close if discovery failed, and building starts no process. The MCP
  // client (and the SDK) is loaded only for a config that names MCP servers.
  const servers = loaded.config.mcpServers;
  const sources: ToolSource[] = Object.keys(servers).length === 0
    ? []
    : (await import("../mcp/client/config.ts")).mcpSourcesFromConfig(servers, options.mcpClient);
  const apis = Object.entries(loaded.config.openapi);
  if (apis.length > 0) {
    // Loaded only for a config that names REST APIs: the spec parser comes with it.
    const { openApiTools } = await import("../openapi/source.ts");
    for (const [namespace, api] of apis) sources.push(openApiTools({ namespace, ...api }));
  }
  return {
    loaded,
    tools: discovered.map((d) => d.tool),
    discovered,
    limits: executor.limits,
    localExecutor: executor.type === "remote" ? {} : {
      ...(executor.maxConcurrent !== undefined ? { maxConcurrent: executor.maxConcurrent } : {}),
      ...(executor.maxQueued !== undefined ? { maxQueued: executor.maxQueued } : {}),
      ...(executor.pool !== undefined ? { pool: executor.pool } : {}),
      ...(sandbox ? { osSandbox: sandbox.os } : {}),
    },
    ...(executor.type === "remote"
      ? { remoteExecutor: { url: executor.url, ...(executor.apiKey !== undefined ? { apiKey: executor.apiKey } : {}) } }
      : {}),
    policies,
    sources,
    typecheck: loaded.config.typecheck,
    observeOutputTypes: loaded.config.observeOutputTypes,
    ...(loaded.config.approvals ? { approvals: loaded.config.approvals } : {}),
  };
}

/**
 * Builds a `Codemode` from a `codemode.yaml`: its tool modules (every
 * `defineTool` export, and AI SDK and LangChain tools, converted), limits,
 * executor settings (or a `RemoteExecutor` for `executor.type: remote`),
 * policies, MCP servers, and `logging` and `metrics` (an `Observability`
 * from `./observability` as the instance's `observer`: read the metrics with
 * `(cm.observer as Observability).metrics()`). Tool modules are trusted host
 * code: they run in the host. Eager MCP servers are started; lazy ones start
 * when their tools are first needed.
 *
 * @param path the config file. @default {"./codemode.yaml"}
 * @param options where `${VAR}` values come from, an approver, an executor, the MCP client's options, an observer
 * or where the log goes.
 * @returns a ready instance; close it (or `await using` it) when done.
 * @throws {ConfigError} naming the file, line, column and key of every problem.
 * @throws {TypeError} when `options.executor` is given but the config sets executor settings it cannot apply, or
 * `options.observer` and the config has `logging` or `metrics`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromConfig } from "./from_config.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/codemode.yaml`, "executor:\n  limits:\n    timeoutMs: 5000\n");
 * await using cm = await fromConfig(`${dir}/codemode.yaml`);
 * assert.equal(cm.limits.timeoutMs, 5000);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function fromConfig(path = "./codemode.yaml", options: FromConfigOptions = {}): Promise<Codemode> {
  const {
    loaded,
    tools,
    limits,
    localExecutor,
    remoteExecutor,
    policies,
    sources,
    typecheck,
    observeOutputTypes,
    approvals,
  } = await codemodeOptionsFromConfig(path, options);
  // Named as the config names them: sandbox.os is the executor's osSandbox.
  const settings = remoteExecutor
    ? ["executor.type"]
    : Object.keys(localExecutor).map((k) => k === "osSandbox" ? "sandbox.os" : `executor.${k}`);
  const observed = (["logging", "metrics"] as const).filter((key) => loaded.config[key] !== undefined);
  const conflict = options.executor && settings.length > 0
    ? `${settings[0]} cannot apply to the executor passed to fromConfig(); set it on that executor`
    : options.observer && observed.length > 0
    ? `${observed[0]} cannot apply to the observer passed to fromConfig(); configure that observer`
    : undefined;
  if (conflict) {
    await Promise.allSettled(sources.map((s) => s.close()));
    throw new TypeError(`${path}: ${conflict}`);
  }
  const observer = options.observer ?? await configObserver(loaded.config, options.logWrite);
  const cm = new Codemode({
    tools,
    limits,
    policies,
    sources,
    typecheck,
    observeOutputTypes,
    approver: options.approver,
    ...(approvals ? { approvals } : {}),
    ...(observer ? { observer } : {}),
    ...(options.executor ? { executor: options.executor } : remoteExecutor ? { remoteExecutor } : { localExecutor }),
  });
  // An eager upstream server that is down stops startup with an error naming it.
  await cm.loadTools({ eagerOnly: true }).catch(async (e) => {
    await cm.close();
    throw e;
  });
  return cm;
}

/** The observer of the config's `logging` and `metrics`; the module that builds it is loaded only then. */
async function configObserver(
  config: LoadedConfig["config"],
  logWrite: ((line: string) => void) | undefined,
): Promise<Observer | undefined> {
  if (!wantsObservability(config)) return undefined;
  const { observabilityFromConfig } = await import("./observability.ts");
  return observabilityFromConfig(config, { logWrite });
}
