// Shared helpers for the config tests.
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/mod.ts";

/** Runs `fn`, expects a ConfigError, and returns its message lines. */
export function errorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    assert.ok(e.issues.length > 0);
    return e.message.split("\n");
  }
  assert.fail("expected a ConfigError");
}

/** Awaits `promise`, expects a ConfigError, and returns it. */
export async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e;
  }
  assert.fail("expected a ConfigError");
}

/** A fresh temporary directory with symlinks resolved (macOS /tmp is a link). */
export async function tempDir(): Promise<string> {
  return await Deno.realPath(await Deno.makeTempDir({ prefix: "codemode_config_" }));
}
