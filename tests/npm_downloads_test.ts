// What a first run downloads. Deno caches every npm package of the lockfile on
// the first npm import unless `npm-lazy-caching` is on (deno.json `unstable`),
// and this project's lockfile holds LangChain, LangGraph and the AI SDK for the
// adapters, examples and tests. The demo must download only what it imports.
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const FRAMEWORK = /^(ai|@ai-sdk\/.*|langchain|@langchain\/.*|langsmith|yaml|@modelcontextprotocol\/.*)$/;

Deno.test("the demo, on an empty Deno cache, downloads only npm packages its module graph imports, and no framework", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "codemode-deno-dir-" });
  try {
    const env = { DENO_DIR: denoDir, NO_COLOR: "1" };
    const demo = await deno(["run", "-A", "examples/demo/demo.ts"], env);
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /stopReason: completed {3}ok: true/);
    const downloaded = await cachedPackages(new URL("npm/registry.npmjs.org/", `file://${denoDir}/`));
    assert.ok(downloaded.includes("zod"), `no zod in ${downloaded.join(", ")}: the cache is elsewhere`);
    assert.deepEqual(downloaded.filter((name) => FRAMEWORK.test(name)), [], "the demo downloaded a framework");
    const info = await deno(["info", "--json", "examples/demo/demo.ts"], env);
    assert.equal(info.code, 0, info.stderr);
    const imported = importedPackages(JSON.parse(info.stdout));
    assert.deepEqual(
      downloaded.filter((name) => !imported.has(name)),
      [],
      "downloaded, though the demo's module graph does not import it (the lockfile's whole npm snapshot?)",
    );
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

// Deno 2.9's lazy caching installs only the first copy of a package version
// that the lockfile holds twice, once per peer dependency resolution: the run
// then fails with ERR_MODULE_NOT_FOUND for …/zod-to-json-schema/3.25.2_1/index.js.
Deno.test("deno.lock holds each npm package version once (lazy caching misses the second copy of a peer variant)", async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", ROOT)));
  const versions = Object.keys(lock.npm ?? {}).map((id) => id.replace(/^(@?[^@]+@[^_]+)_.*$/, "$1"));
  assert.deepEqual(versions.filter((v, i) => versions.indexOf(v) !== i), [], "peer variants of one version");
});

async function deno(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Names of the packages with at least one version in a Deno npm cache folder. */
async function cachedPackages(registryDir: URL): Promise<string[]> {
  const names: string[] = [];
  const hasVersion = async (dir: URL) =>
    (await Array.fromAsync(Deno.readDir(dir))).some((e) => e.isDirectory && /^\d/.test(e.name));
  for await (const entry of Deno.readDir(registryDir)) {
    if (!entry.isDirectory) continue;
    const scoped = entry.name.startsWith("@");
    const dirs = scoped
      ? (await Array.fromAsync(Deno.readDir(new URL(`${entry.name}/`, registryDir)))).map((e) =>
        `${entry.name}/${e.name}`
      )
      : [entry.name];
    for (const name of dirs) if (await hasVersion(new URL(`${name}/`, registryDir))) names.push(name);
  }
  return names.sort();
}

interface DenoInfo {
  modules: { kind?: string; npmPackage?: string }[];
  npmPackages: Record<string, { name: string; dependencies: string[] }>;
}

/** Names of the npm packages the graph imports, and their dependencies, transitively. */
function importedPackages(info: DenoInfo): Set<string> {
  const pending = info.modules.flatMap((m) => m.kind === "npm" && m.npmPackage ? [m.npmPackage] : []);
  const seen = new Set<string>();
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    pending.push(...info.npmPackages[id].dependencies);
  }
  return new Set([...seen].map((id) => info.npmPackages[id].name));
}
