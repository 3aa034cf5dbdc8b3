#!/usr/bin/env -S deno run -A
/**
 * The `codemode` command line.
 *
 * ```sh
 * deno run -A cli.ts run script.ts --tools ./my_tools.ts --json
 * ```
 *
 * @module
 */
import denoJson from "./deno.json" with { type: "json" };
import { UsageError } from "./src/cli/load_tools.ts";
import { type CliIo, processIo, runCommand } from "./src/cli/run.ts";

export type { CliIo };
import { typesCommand } from "./src/cli/types.ts";
import { initCommand } from "./src/cli/init.ts";
import { mcpCommand } from "./src/cli/mcp.ts";

/** The version printed by `--version`. */
export const VERSION: string = denoJson.version;

const HELP = `codemode ${VERSION}: run LLM-written TypeScript against typed tools in a zero-permission Deno sandbox.

Usage: codemode <command> [options]

Commands:
  init [dir]            Write a starter project (codemode.yaml, tools, example script, agent)
  run <script.ts | ->   Run a script in the sandbox (see: codemode run --help)
  mcp                   Serve the tools over MCP: stdio, or --http (see: codemode mcp --help)
  types                 Print the TypeScript declarations of the tools (--config, --tools)

Options:
  -h, --help            Show this help
  -V, --version         Show the version
`;

/**
 * Runs the CLI.
 *
 * @param args the arguments after the program name.
 * @param io where to read and write.
 * @returns the exit code: 0 success, 1 the script failed, 2 usage or config error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 * let out = "";
 * const io = { out: (t: string) => void (out += t), err: () => {}, readStdin: async () => "", cwd: "." };
 * assert.equal(await main(["--version"], io), 0);
 * assert.match(out, /\d+\.\d+\.\d+/);
 * ```
 */
export async function main(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "run":
        return await runCommand(rest, io);
      case "init":
        return await initCommand(rest, io);
      case "mcp":
        return await mcpCommand(rest, io);
      case "types":
        return await typesCommand(rest, io);
      case "-V":
      case "--version":
        return io.out(`codemode ${VERSION}\n`), 0;
      case "-h":
      case "--help":
      case "help":
        return io.out(HELP), 0;
      case undefined:
        return io.err(HELP), 2;
      default:
        return io.err(`Unknown command "${command}".\n\n${HELP}`), 2;
    }
  } catch (e) {
    if (
      e instanceof UsageError ||
      (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      io.err(
        `codemode ${command}: ${(e as Error).message}\nRun "codemode ${command} --help" for usage.\n`,
      );
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, processIo()));
}
