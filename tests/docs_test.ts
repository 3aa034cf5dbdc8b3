// The documentation stays true to the code: the generated sections of docs/
// (configuration reference, CLI reference, API reference, red-team table) are
// what `deno task docs` writes now, and every relative link in the README and
// docs/ leads to a file and heading that exist.
import assert from "node:assert/strict";
import { regenerate, SECTIONS } from "../scripts/docs/mod.ts";

const ROOT = new URL("..", import.meta.url);

for (const file of [...new Set(SECTIONS.map((s) => s.file))]) {
  Deno.test(`${file} is what deno task docs generates from the code`, async () => {
    const { current, expected } = await regenerate(file);
    assert.ok(current === expected, `${file} is out of date: run deno task docs and commit the result`);
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

async function anchors(path: URL): Promise<Set<string>> {
  const text = await Deno.readTextFile(path);
  const outsideCode = text.replace(/^```[^]*?^```/gm, "");
  return new Set([...outsideCode.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])));
}

Deno.test("every relative link in the README and docs/ leads to a file and heading that exist", async () => {
  const pages = [
    "README.md",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    "SECURITY.md",
    ...(await Array.fromAsync(Deno.readDir(new URL("docs/", ROOT)), (e) => `docs/${e.name}`)).filter((p) =>
      p.endsWith(".md")
    ),
  ];
  const broken: string[] = [];
  for (const page of pages) {
    const text = (await Deno.readTextFile(new URL(page, ROOT))).replace(/^```[^]*?^```/gm, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split("#");
      const file = path ? new URL(path, new URL(page, ROOT)) : new URL(page, ROOT);
      const relative = file.href.slice(ROOT.href.length);
      try {
        await Deno.stat(file);
      } catch {
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor && relative.endsWith(".md") && !(await anchors(file)).has(anchor)) {
        broken.push(`${page}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
