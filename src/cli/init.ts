/**
 * `codemode init [dir]`: writes a working starter project.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import denoJson from "../../deno.json" with { type: "json" };
import { starterFiles } from "./_templates.ts";
import { UsageError } from "./load_tools.ts";
import type { CliIo } from "./run.ts";

/** Help text of `codemode init`. */
export const INIT_HELP: string = `Usage: codemode init [dir] [--force] [--yes]

Writes a starter project: codemode.yaml, a tools module, an example script, an agent,
.env.example, deno.json, and a docker-compose.yml that runs the executor image. The project imports jsr:@codemode/core; when this
command runs from a local checkout, deno.json links that name to the checkout.

Options:
  --force      Overwrite files that exist.
  -y, --yes    Do not ask for confirmation.
  -h, --help   Show this help.`;

// A checkout (file: URL) is linked into the project; from JSR, or from a `deno compile` binary (whose
// modules live in a temp dir that is gone once it exits), the project imports the published package.
const ROOT_URL = new URL("../../", import.meta.url);

/**
 * Runs `codemode init`.
 *
 * @returns the exit code.
 * @throws {UsageError} on bad flags, or when files exist and `--force` is not given.
 */
export async function initCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      force: { type: "boolean" },
      yes: { type: "boolean", short: "y" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return io.out(INIT_HELP + "\n"), 0;
  if (positionals.length > 1) throw new UsageError("init takes at most one directory");
  const dir = resolve(io.cwd, positionals[0] ?? ".");
  const link = ROOT_URL.protocol === "file:" && !Deno.build.standalone
    ? fileURLToPath(ROOT_URL).replace(/\/$/, "")
    : undefined;
  const files = starterFiles({ range: `^${denoJson.version}`, link, version: denoJson.version });
  const existing = await existingFiles(dir, files.map((f) => f.path));
  if (existing.length > 0 && !values.force) {
    throw new UsageError(`Refusing to overwrite ${existing.join(", ")} in ${dir} (use --force)`);
  }
  if (!values.yes && Deno.stdin.isTerminal() && !confirm(`Create a Codemode project in ${dir}?`)) {
    return io.err("Nothing written.\n"), 1;
  }
  for (const file of files) {
    const path = join(dir, file.path);
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, file.content);
    io.out(`  wrote ${path}\n`);
  }
  io.out(
    `\nNext:\n  cd ${dir}\n  deno task codemode run example_script.ts --config codemode.yaml\n  deno task agent\n`,
  );
  return 0;
}

async function existingFiles(dir: string, paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    try {
      await Deno.lstat(join(dir, path));
      found.push(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return found;
}
