// The red-team table of docs/security.md, generated from tests/security/:
// per test file, the attack (its header comment), what stops it (its
// `// Stopped by:` line) and its tests by name.

/** One file of the abuse corpus. */
export interface AbuseFile {
  /** `tests/security/fs_test.ts`. */
  path: string;
  /** The header comment, without the `Stopped by:` part. */
  attack: string;
  /** What stops it. */
  stoppedBy: string;
  /** Its `Deno.test` names. */
  tests: string[];
}

import { tableCell } from "./_deno_doc.ts";

const DIR = new URL("../../tests/security/", import.meta.url);

/**
 * Reads every `*_test.ts` file of tests/security/.
 *
 * @returns the files, by name.
 * @throws {Error} naming a file without a header comment, a `// Stopped by:` line or tests.
 */
export async function abuseCorpus(): Promise<AbuseFile[]> {
  const names = (await Array.fromAsync(Deno.readDir(DIR), (e) => e.name)).filter((n) => n.endsWith("_test.ts")).sort();
  return await Promise.all(names.map(async (name) => {
    const path = `tests/security/${name}`;
    const source = await Deno.readTextFile(new URL(name, DIR));
    const header = source.split("\n").findIndex((line) => !line.startsWith("//"));
    const comment = source.split("\n").slice(0, header).map((l) => l.replace(/^\/\/ ?/, "")).join(" ");
    const at = comment.indexOf("Stopped by:");
    if (header <= 0 || at < 0) throw new Error(`${path} needs a header comment ending with a "// Stopped by: …" line`);
    const tests = testNames(source);
    if (tests.length === 0) throw new Error(`${path} has no Deno.test`);
    return { path, attack: comment.slice(0, at).trim(), stoppedBy: comment.slice(at + 11).trim(), tests };
  }));
}

/** The names of the `Deno.test`s in a source: `Deno.test("…"`, and `name: "…"` (or `name: wallTest("…")`) of `Deno.test({ … })`. */
function testNames(source: string): string[] {
  const literal = String.raw`("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\x60(?:[^\x60\\]|\\.)*\x60)`;
  const direct = new RegExp(String.raw`Deno\.test\(\s*` + literal, "g");
  // `name: wallTest("…")` names a test that says, where it is skipped, why.
  const named = new RegExp(String.raw`Deno\.test\(\{\s*name:\s*(?:wallTest\()?` + literal, "g");
  const found = [...source.matchAll(direct), ...source.matchAll(named)].map((m) => ({ at: m.index, text: m[1] }));
  return found.sort((a, b) => a.at - b.at).map(({ text }) => text.slice(1, -1).replace(/\\(.)/g, "$1"));
}

/**
 * The table and the index of every test, as Markdown.
 *
 * @returns the red-team section's body.
 */
export async function redTeamMarkdown(): Promise<string> {
  const corpus = await abuseCorpus();
  const rows = corpus.map((f) =>
    `| ${tableCell(f.attack)} | ${tableCell(f.stoppedBy)} | [\`${
      f.path.slice(15)
    }\`](../${f.path}) (${f.tests.length}) |`
  );
  const total = corpus.reduce((n, f) => n + f.tests.length, 0);
  const index = corpus.map((f) =>
    `### \`${f.path}\`\n\n${f.tests.map((t) => `- ${t.replaceAll("<", "\\<")}`).join("\n")}\n`
  );
  return [
    `${corpus.length} files, ${total} tests, all run by \`deno task test\`.`,
    "",
    "| attack | what stops it | tests |",
    "| --- | --- | --- |",
    ...rows,
    "",
    "## Every abuse test",
    "",
    ...index,
  ].join("\n");
}
