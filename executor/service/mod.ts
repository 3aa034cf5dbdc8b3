/**
 * The executor service (`codemode serve`): runs hosts' scripts in local
 * zero-permission sandboxes, one WebSocket connection per execution, and
 * sends every tool call back to the host over it. It needs no outbound
 * network and never holds tool code or secrets. Hosts connect with
 * `RemoteExecutor` (from the root entry point).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode, RemoteExecutor } from "../../mod.ts";
 * import { serveExecutor } from "./mod.ts";
 * const service = await serveExecutor({ port: 0, apiKeys: ["a-long-enough-api-key"] });
 * await using cm = new Codemode({ executor: new RemoteExecutor({ url: service.url, apiKey: "a-long-enough-api-key" }) });
 * const r = await cm.execute("return 6 * 7");
 * assert.equal(r.result, 42);
 * await service.shutdown();
 * ```
 *
 * @module
 */
export {
  DEFAULT_SERVICE_SETTINGS,
  type ExecutorService,
  type ExecutorServiceOptions,
  serveExecutor,
} from "./server.ts";
export { type ApiKey, ApiKeys, keyIdOf, MIN_KEY_CHARS, parseApiKeyList } from "./keys.ts";
export { clampLimits } from "./limits.ts";
export type { OsSandboxMode, SandboxWalls } from "../local.ts";
export type {
  ExecutionEndEvent,
  ExecutionEvent,
  LoadEvent,
  ProtocolErrorEvent,
  RefusalReason,
  RefusedEvent,
  ServiceObserver,
} from "./observer.ts";
export type { ServiceObservability } from "./_observability.ts";
export type { ClampedLimit } from "../../src/rpc/remote.ts";
export { REMOTE_EXECUTE_PATH, REMOTE_PROTOCOL_VERSION } from "../../src/rpc/remote.ts";
