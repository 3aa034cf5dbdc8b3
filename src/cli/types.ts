/**
 * `codemode types`: prints the TypeScript declarations the model sees.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { buildCodemode, noToolsNote, toolOrigins } from "./build.ts";
import type { CliIo } from "./run.ts";

/**
 * Runs `codemode types --tools <path>...`.
 *
 * @returns the exit code.
 * @throws {UsageError} on bad flags or a bad tool module.
 */
export async function typesCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      tools: { type: "string", multiple: true },
      config: { type: "string", short: "c" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    return io.out("Usage: codemode types [--config codemode.yaml] [--tools <path>...]\n"), 0;
  }
  const flags = { config: values.config, tools: values.tools };
  await using cm = await buildCodemode(flags, io.cwd, io.err);
  // Every tool source is loaded (lazy MCP servers too): one that fails is named, and the exit code says so.
  const unavailable = await cm.loadTools().then(() => undefined, (e: Error) => e.message);
  io.out(await cm.types() + "\n");
  if (unavailable) return io.err(`codemode types: ${unavailable}\n`), 1;
  // The declarations are still printed (and exit 0): an empty `tools` is valid, just rarely meant.
  if (cm.registry.size === 0) io.err(`codemode types: ${noToolsNote(await toolOrigins(flags, io.cwd), io.cwd)}\n`);
  else if (cm.catalog().length === 0) io.err(`codemode types: every tool is denied by the config's policies\n`);
  return 0;
}
