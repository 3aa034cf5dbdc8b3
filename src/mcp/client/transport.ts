/**
 * Builds the SDK v2 side of one connection: the client, which negotiates the
 * protocol era, and the transport for the configured server: a child process
 * over stdio (with a minimal environment), or streamable HTTP (with its
 * headers and, when configured, OAuth).
 *
 * @module
 */
import {
  Client,
  type JsonSchemaValidator,
  type jsonSchemaValidator,
  type OAuthClientProvider,
  StreamableHTTPClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
import { DEFAULT_INHERITED_ENV_VARS, StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { McpServerConfig } from "./server_config.ts";
import { fetchKeepingSignals } from "./_fetch.ts";

const CLIENT_INFO = { name: "codemode", version: "0.1.0" };

/**
 * The SDK client for one connection. It sends `server/discover` first and
 * speaks 2026-07-28 when the server offers it, else the 2025 `initialize`;
 * on stdio the SDK probes in a short-lived second process, so a server that
 * exits on an unknown first request is still served. A silent stdio server
 * is a 2025-era one that ignores the probe: half the connect time is left
 * for `initialize`. Over HTTP silence is an outage, which the caller's
 * connect timeout names.
 *
 * @param config the server's configuration.
 * @param connectTimeoutMs the caller's time for the whole handshake.
 * @param toolsChanged called when the server's tool list changed: a 2025-era
 *   notification, or one on the `subscriptions/listen` stream the client
 *   opens in the 2026-07-28 era.
 * @returns the client, not connected.
 */
export function makeClient(config: McpServerConfig, connectTimeoutMs: number, toolsChanged: () => void): Client {
  const probeMs = "url" in config ? connectTimeoutMs + 1000 : Math.ceil(connectTimeoutMs / 2);
  return new Client(CLIENT_INFO, {
    capabilities: {},
    jsonSchemaValidator: acceptAllValidator,
    versionNegotiation: { mode: "auto", probe: { timeoutMs: probeMs } },
    // Debounced (the SDK's 300 ms): a server that announces changes in a flood gets a few reloads, not one each.
    listChanged: { tools: { autoRefresh: false, onChanged: toolsChanged } },
  });
}

/** Host variables a stdio server inherits: enough to find programs and a cache, nothing more. */
export const INHERITED_ENV = ["PATH", "HOME"] as const;

/** How the transport is built. */
export interface TransportOptions {
  /** Where the child's stderr goes. */
  stderr: "inherit" | "ignore";
  /** Largest single message from a stdio server, in bytes; a larger one closes the connection. */
  maxMessageBytes: number;
  /** Reads a host environment variable (only {@linkcode INHERITED_ENV} are asked for). */
  hostEnv: (name: string) => string | undefined;
}

/** A transport and, for stdio, the child's pid once started. */
export interface BuiltTransport {
  /** The SDK transport. */
  transport: Transport;
  /** Exchanges an authorization code for tokens (HTTP with OAuth only). */
  finishAuth?: (code: string) => Promise<void>;
  /** The child's pid (stdio only, after `start()`). */
  pid: () => number | null;
}

/**
 * Builds the transport for a server's configuration.
 *
 * @param config the server's configuration.
 * @param options stderr handling, message size, host environment.
 * @param authProvider the server's OAuth client, when it has `oauth`.
 * @returns the transport, not started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeTransport } from "./transport.ts";
 * const built = makeTransport(
 *   { url: "http://127.0.0.1:1/mcp", headers: {}, startup: "lazy" },
 *   { stderr: "ignore", maxMessageBytes: 1 << 20, hostEnv: () => undefined },
 * );
 * assert.equal(built.pid(), null);
 * ```
 */
export function makeTransport(
  config: McpServerConfig,
  options: TransportOptions,
  authProvider?: OAuthClientProvider,
): BuiltTransport {
  if ("url" in config) {
    const transport = new StreamableHTTPClientTransport(new URL(config.url), {
      requestInit: { headers: { ...config.headers } },
      ...(authProvider ? { authProvider } : {}),
      // A cancelled 2026-07-28 call closes its stream; on Deno that abort needs this fetch (see _fetch.ts).
      fetch: fetchKeepingSignals(),
    });
    return { transport, pid: () => null, finishAuth: (code) => transport.finishAuth(code) };
  }
  const transport = new StdioClientTransport({
    command: config.command,
    args: [...config.args],
    env: stdioEnv(config.env, options.hostEnv),
    ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
    stderr: options.stderr,
    maxBufferSize: options.maxMessageBytes,
  });
  return { transport, pid: () => transport.pid };
}

/**
 * The child's environment: PATH and HOME from the host, then the configured
 * variables. The SDK adds LOGNAME, SHELL, TERM and USER from the host on its
 * own; they are set to `undefined` here, which `child_process` leaves out.
 */
function stdioEnv(env: Record<string, string>, hostEnv: (name: string) => string | undefined): Record<string, string> {
  const out: Record<string, string | undefined> = {};
  for (const name of DEFAULT_INHERITED_ENV_VARS) out[name] = undefined;
  for (const name of INHERITED_ENV) {
    const value = readEnv(hostEnv, name);
    if (value !== undefined) out[name] = value;
  }
  Object.assign(out, env);
  return out as Record<string, string>;
}

function readEnv(hostEnv: (name: string) => string | undefined, name: string): string | undefined {
  try {
    return hostEnv(name);
  } catch {
    // A host without --allow-env: the child gets no PATH, and the command must be a path.
    return undefined;
  }
}

/**
 * A JSON Schema "validator" for the SDK that accepts everything. Codemode
 * validates every tool output with its own Ajv; the SDK's would compile each
 * upstream output schema again, and one schema it cannot compile would make
 * the whole `tools/list` fail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acceptAllValidator } from "./transport.ts";
 * assert.equal(acceptAllValidator.getValidator({ type: "string" })(1).valid, true);
 * ```
 */
export const acceptAllValidator: jsonSchemaValidator = {
  getValidator<T>(): JsonSchemaValidator<T> {
    return (input: unknown) => ({ valid: true, data: input as T, errorMessage: undefined });
  },
};
