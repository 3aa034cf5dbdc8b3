/**
 * `codemode types`: prints the TypeScript declarations the model sees.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ToolRegistry } from "../tools/registry.ts";
import { Codemode } from "../codemode.ts";
import { loadToolModule, UsageError } from "./load_tools.ts";
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
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    return io.out(
      "Usage: codemode types --tools <module> [--tools <module>...]\n",
    ),
      0;
  }
  const tools = [];
  for (const path of values.tools ?? []) {
    tools.push(...await loadToolModule(path, io.cwd));
  }
  try {
    new ToolRegistry(tools);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  await using cm = new Codemode({ tools });
  io.out(cm.types() + "\n");
  return 0;
}
