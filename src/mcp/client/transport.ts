/**
 * Builds the SDK transport for one configured server: a child process over
 * stdio (with a minimal environment), or streamable HTTP (with its headers).
 *
 * @module
 */
// The package's "./*" export maps types to `*.js.d.ts`, which do not exist: name the types explicitly.
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { DEFAULT_INHERITED_ENV_VARS, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport";
import type { JsonSchemaValidator, jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation";
import type { McpServerConfig } from "./server_config.ts";

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
