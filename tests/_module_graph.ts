// The module graph Deno itself computes for an entry point (`deno info --json`),
// read by the tests that check what an entry point loads.
import assert from "node:assert/strict";

/** The repository root, where `deno info` runs (so `deno.json`'s import map applies). */
export const ROOT: URL = new URL("../", import.meta.url);

/** One import of a module. */
export interface Dependency {
  code?: { specifier: string };
  type?: { specifier: string };
  isDynamic?: boolean;
}

/** The part of `deno info --json` the tests read. */
export interface ModuleGraph {
  roots: string[];
  modules: { specifier: string; kind: string; npmPackage?: string; dependencies?: Dependency[] }[];
  redirects: Record<string, string>;
}

/** Runs `deno info --json entry` in the repository root. */
export async function moduleGraph(entry: string): Promise<ModuleGraph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}
