/**
 * Executors: what runs scripts. `LocalExecutor` spawns a zero-permission Deno
 * child per execution; the static validator checks scripts before that.
 *
 * @module
 */
export { LocalExecutor, type LocalExecutorOptions, sandboxArgs, sandboxCommand } from "./local.ts";
export * from "./types.ts";
export * from "./validator.ts";
