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
import { type CliIo, processIo } from "./src/cli/io.ts";

export type { CliIo };
/** The real process's stdin, stdout, stderr, working dir and signals, for {@linkcode main}. */
export { processIo };

/** The version printed by `--version`. */
export const VERSION: string = denoJson.version;

type Command = (args: string[], io: CliIo) => Promise<number>;

/**
 * Each subcommand's module is imported only when that subcommand runs, so
 * that `--help` and `--version` load no schema library, YAML parser or MCP SDK
 * (`tests/cli_imports_test.ts`). The specifiers are literals, so the modules
 * stay in the static module graph that `deno install` and `deno compile` see.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./src/cli/run.ts")).runCommand,
  resume: async () => (await import("./src/cli/resume.ts")).resumeCommand,
  init: async () => (await import("./src/cli/init.ts")).initCommand,
  mcp: async () => (await import("./src/cli/mcp.ts")).mcpCommand,
  serve: async () => (await import("./src/cli/serve.ts")).serveCommand,
  types: async () => (await import("./src/cli/types.ts")).typesCommand,
  doctor: async () => (await import("./src/cli/doctor.ts")).doctorCommand,
};

const HELP = `codemode ${VERSION}: run LLM-written TypeScript against typed tools in a zero-permission Deno sandbox.

Usage: codemode <command> [options]

Commands:
  init [dir]            Write a starter project (codemode.yaml, tools, example script, agent)
  run <script.ts | ->   Run a script in the sandbox (see: codemode run --help)
  resume <file>         Continue a script that paused for approval (see: codemode resume --help)
  mcp                   Serve the tools over MCP: stdio, or --http (see: codemode mcp --help)
  serve                 Run the executor service for remote hosts (see: codemode serve --help)
  types                 Print the TypeScript declarations of the tools (--config, --tools)
  doctor                Say which walls stand around each sandbox here (Deno permissions, OS wall, cgroups)

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
  if (command !== undefined && Object.hasOwn(COMMANDS, command)) return await runSubcommand(command, rest, io);
  switch (command) {
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
}

/** Runs one subcommand; a usage error (bad flags, a bad tool module) is printed and exits 2. */
async function runSubcommand(command: string, args: string[], io: CliIo): Promise<number> {
  try {
    return await (await COMMANDS[command]())(args, io);
  } catch (e) {
    // Every subcommand imports `load_tools.ts` itself, so this finds it loaded.
    const { UsageError } = await import("./src/cli/load_tools.ts");
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`codemode ${command}: ${(e as Error).message}\nRun "codemode ${command} --help" for usage.\n`);
      return 2;
    }
    // No Deno binary for the sandboxes (executor/_deno_path.ts): the user's to fix, like a bad flag.
    if ((e as Error).name === "SandboxDenoError") return io.err(`codemode ${command}: ${(e as Error).message}\n`), 2;
    throw e;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, processIo()));
}
