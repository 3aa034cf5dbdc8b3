/**
 * `codemode.yaml`'s `logging` and `metrics` → an `Observability`. Loaded only
 * for a config that has them (it loads `prom-client` and `@opentelemetry/api`).
 *
 * @module
 */
import { Observability } from "../observability/mod.ts";
import type { CodemodeConfig } from "./schema.ts";

export { wantsObservability } from "./schema.ts";

/** How the caller adds to what the config says. */
export interface ObservabilityFromConfigOptions {
  /** Where log lines go. @default {stderr} */
  logWrite?: (line: string) => void;
  /** The log level when the config has no `logging`. @default {"silent"} */
  defaultLevel?: "debug" | "info" | "warn" | "error" | "silent";
}

/**
 * The `Observability` a config describes: its log level and audit lines, and
 * metrics when `metrics.enabled`.
 *
 * @param config the validated config.
 * @param options where lines go, and the level without `logging`.
 * @returns the observer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { observabilityFromConfig } from "./observability.ts";
 * const lines: string[] = [];
 * const observer = observabilityFromConfig(
 *   { logging: { level: "warn", audit: true }, metrics: { enabled: true } },
 *   { logWrite: (line) => void lines.push(line) },
 * );
 * assert.equal(observer.logger.level, "warn");
 * assert.equal(observer.metricsEnabled, true);
 * ```
 */
export function observabilityFromConfig(
  config: Pick<CodemodeConfig, "logging" | "metrics">,
  options: ObservabilityFromConfigOptions = {},
): Observability {
  return new Observability({
    logLevel: config.logging?.level ?? options.defaultLevel ?? "silent",
    logWrite: options.logWrite,
    metrics: config.metrics?.enabled === true,
    ...(config.logging?.audit === false ? { audit: false } : {}),
  });
}
