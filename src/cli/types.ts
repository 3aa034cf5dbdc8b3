/**
 * `codemode types`: prints the TypeScript declarations the model sees.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { buildCodemode } from "./build.ts";
import type { CliIo } from "./run.ts";

/**
 * Runs `codemode types --tools <module>...`.
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
    return io.out("Usage: codemode types [--config codemode.yaml] [--tools <module>...]\n"), 0;
  }
  await using cm = await buildCodemode({ config: values.config, tools: values.tools }, io.cwd);
  io.out(cm.types() + "\n");
  return 0;
}
