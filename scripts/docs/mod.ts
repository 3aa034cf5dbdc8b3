#!/usr/bin/env -S deno run -A
// `deno task docs`: regenerates the generated sections of docs/ (between
// `<!-- generated: NAME -->` and `<!-- end: NAME -->`); `--check` changes
// nothing and exits 1 naming each file that differs (tests/docs_test.ts).
import { configReferenceMarkdown } from "./config_markdown.ts";
import { cliReferenceMarkdown } from "./cli_reference.ts";
import { apiReferenceMarkdown } from "./api_reference.ts";
import { redTeamMarkdown } from "./redteam.ts";

/** Each generated section: the file it lives in, its marker name, and what makes it. */
export const SECTIONS: { file: string; name: string; make: () => Promise<string> }[] = [
  { file: "docs/configuration.md", name: "config-reference", make: configReferenceMarkdown },
  { file: "docs/cli.md", name: "cli-reference", make: cliReferenceMarkdown },
  { file: "docs/api.md", name: "api-reference", make: apiReferenceMarkdown },
  { file: "docs/security.md", name: "red-team", make: redTeamMarkdown },
];

const ROOT = new URL("../../", import.meta.url);

/**
 * A file with its generated sections made anew, formatted as `deno fmt` would.
 *
 * @returns the file's current and expected text.
 * @throws {Error} when a marker is missing.
 */
export async function regenerate(file: string): Promise<{ current: string; expected: string }> {
  const current = await Deno.readTextFile(new URL(file, ROOT));
  let expected = current;
  for (const section of SECTIONS.filter((s) => s.file === file)) {
    const start = `<!-- generated: ${section.name} (deno task docs; do not edit) -->`;
    const end = `<!-- end: ${section.name} -->`;
    const from = expected.indexOf(start);
    const to = expected.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${file}: needs the lines "${start}" and "${end}"`);
    expected = `${expected.slice(0, from + start.length)}\n\n${await section.make()}\n\n${expected.slice(to)}`;
  }
  return { current, expected: await formatMarkdown(expected) };
}

async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  let stale = 0;
  for (const file of [...new Set(SECTIONS.map((s) => s.file))]) {
    const { current, expected } = await regenerate(file);
    if (current === expected) continue;
    stale++;
    if (check) console.error(`${file} is out of date: run deno task docs`);
    else await Deno.writeTextFile(new URL(file, ROOT), expected), console.log(`wrote ${file}`);
  }
  if (check && stale > 0) Deno.exit(1);
}
