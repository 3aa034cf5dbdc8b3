// `codemode --help` and `--version` must not load what the subcommands need:
// checked on the module graph Deno itself computes (`deno info --json`), not
// by timing, so it holds on a busy machine.
import assert from "node:assert/strict";
import { type ModuleGraph, moduleGraph, ROOT } from "./_module_graph.ts";

const ROOT_HREF = ROOT.href;

/** Every module loaded with the roots, each with the chain of imports that reaches it. */
function closure(graph: ModuleGraph, { dynamic }: { dynamic: boolean }): Map<string, string[]> {
  const modules = new Map(graph.modules.map((m) => [m.specifier, m]));
  const reached = new Map<string, string[]>();
  const queue: [string, string[]][] = graph.roots.map((root) => [root, []]);
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const [specifier, via] = next;
    const url = graph.redirects[specifier] ?? specifier;
    if (reached.has(url)) continue;
    const chain = [...via, url];
    reached.set(url, chain);
    for (const dep of modules.get(url)?.dependencies ?? []) {
      if (dep.code && (dynamic || !dep.isDynamic)) queue.push([dep.code.specifier, chain]);
    }
  }
  return reached;
}

const local = (url: string) => url.startsWith(ROOT_HREF) ? url.slice(ROOT_HREF.length) : url;

Deno.test("cli.ts statically imports no npm package: --help and --version load only deno.json and the io module", async () => {
  const loaded = closure(await moduleGraph("cli.ts"), { dynamic: false });
  const npm = [...loaded].filter(([url]) => url.startsWith("npm:"));
  assert.deepEqual(npm.map(([, chain]) => chain.map(local).join(" → ")), [], "npm packages loaded with cli.ts");
  assert.deepEqual([...loaded.keys()].map(local).sort(), ["cli.ts", "deno.json", "src/cli/io.ts"]);
});

Deno.test("each subcommand's module is a dynamic import of cli.ts, and brings its npm packages with it", async () => {
  const graph = await moduleGraph("cli.ts");
  const cli = graph.modules.find((m) => m.specifier === graph.roots[0]);
  const dynamic = (cli?.dependencies ?? []).filter((d) => d.isDynamic).map((d) => local(d.code?.specifier ?? ""));
  for (const command of ["init", "mcp", "run", "serve", "types"]) {
    assert.ok(dynamic.includes(`src/cli/${command}.ts`), `src/cli/${command}.ts in ${dynamic}`);
  }
  // The same walk sees npm packages when dynamic imports count: the check above is not vacuous.
  const everything = [...closure(graph, { dynamic: true }).keys()];
  for (const name of ["zod", "yaml", "hono", "@modelcontextprotocol/server", "@modelcontextprotocol/client"]) {
    assert.ok(everything.some((url) => url.startsWith(`npm:/${name}@`)), `${name} reached through the subcommands`);
  }
});
