// docs/cli.md's reference part, generated from the CLI itself: the output of
// `codemode --help` and of `codemode <command> --help` for every command the
// top-level help lists.
import { main } from "../../cli.ts";

async function help(args: string[]): Promise<string> {
  let out = "";
  const io = {
    out: (t: string) => void (out += t),
    err: (t: string) => void (out += t),
    readStdin: () => Promise.resolve(""),
    cwd: ".",
  };
  const code = await main(args, io);
  if (code !== 0) throw new Error(`codemode ${args.join(" ")} exited ${code}: ${out}`);
  return out.trimEnd();
}

/**
 * The commands `codemode --help` lists, in its order.
 *
 * @returns their names.
 */
export async function cliCommands(): Promise<string[]> {
  const text = await help(["--help"]);
  const section = text.slice(text.indexOf("Commands:"), text.indexOf("Options:"));
  return [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
}

/**
 * Every help text, as Markdown sections.
 *
 * @returns the reference part of docs/cli.md.
 */
export async function cliReferenceMarkdown(): Promise<string> {
  const parts = [`## \`codemode\`\n\n\`\`\`text\n${await help(["--help"])}\n\`\`\`\n`];
  for (const command of await cliCommands()) {
    parts.push(`## \`codemode ${command}\`\n\n\`\`\`text\n${await help([command, "--help"])}\n\`\`\`\n`);
  }
  return parts.join("\n");
}
