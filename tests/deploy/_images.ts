// The images of docker/, built for real with no registry and no network:
// local stand-ins for the two base images the Dockerfiles name (Debian from
// debootstrap, cached outside the checkout; Deno's binary-only image from the
// npm binary that runs this test), a build context with the dependencies
// vendored on the host, and `docker build --network none`.
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Engine } from "./_engine.ts";

/** The checkout's root. */
export const ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** The tags the Dockerfiles' ARGs default to, and the tags compose names. */
export const TAGS = {
  base: "debian:bookworm-slim",
  deno: `denoland/deno:bin-${Deno.version.deno}`,
  executor: "codemode/executor:0.1.0",
  app: "codemode/app:0.1.0",
} as const;

// What the base stand-in is made of; any change makes a new cache entry.
const SUITE = "bookworm";
const PACKAGES = ["bubblewrap"];
const CACHE_DIR = Deno.env.get("CODEMODE_CI_CACHE") || "/var/cache/codemode-ci";

/** The apt mirror this machine uses (debootstrap needs one it can reach). */
export function debianMirror(): string {
  for (const file of ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]) {
    try {
      const text = Deno.readTextFileSync(file);
      const uri = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text)?.[1] ??
        /^deb\s+(\S+\/debian)\/?\s+bookworm\s/m.exec(text)?.[1];
      if (uri) return uri;
    } catch { /* not there */ }
  }
  return "http://deb.debian.org/debian";
}

/**
 * A root file system tarball of Debian `bookworm` (debootstrap minbase, plus
 * bubblewrap), cached in `CODEMODE_CI_CACHE` (default `/var/cache/codemode-ci`)
 * under a name derived from its inputs.
 *
 * @returns the tarball's path, and whether it came from the cache.
 */
export async function baseTarball(): Promise<{ path: string; cached: boolean }> {
  const mirror = debianMirror();
  const key = createHash("sha256").update(JSON.stringify({ SUITE, PACKAGES, mirror, variant: "minbase", v: 1 }))
    .digest("hex").slice(0, 16);
  const path = join(CACHE_DIR, `debian-${SUITE}-${key}.tar`);
  try {
    await Deno.stat(path);
    return { path, cached: true };
  } catch { /* not built yet */ }
  await Deno.mkdir(CACHE_DIR, { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "codemode-rootfs-" });
  const partial = `${path}.${Deno.pid}.partial`;
  try {
    await command("debootstrap", ["--variant=minbase", `--include=${PACKAGES.join(",")}`, SUITE, dir, mirror]);
    // The apt lists and caches are of no use to an image and change with every run.
    await command("sh", ["-c", `rm -rf "${dir}"/var/lib/apt/lists/* "${dir}"/var/cache/apt/*.bin`]);
    await command("tar", ["-C", dir, "--numeric-owner", "-cf", partial, "."]);
    await Deno.rename(partial, path);
    return { path, cached: false };
  } finally {
    await Deno.remove(partial).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

/** Imports the stand-ins for the Dockerfiles' two base images into the engine. */
export async function makeBaseImages(engine: Engine): Promise<{ cachedBase: boolean }> {
  const base = await baseTarball();
  await engine.docker(["import", base.path, TAGS.base]);
  const dir = await Deno.makeTempDir({ prefix: "codemode-deno-image-" });
  try {
    await Deno.copyFile(Deno.execPath(), join(dir, "deno"));
    await Deno.writeTextFile(join(dir, "Dockerfile"), "FROM scratch\nCOPY deno /deno\n");
    await engine.docker(["build", "-q", "--network", "none", "-t", TAGS.deno, dir]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return { cachedBase: base.cached };
}

// What .dockerignore lets through, copied from the checkout.
const CONTEXT_PATHS = [
  "cli.ts",
  "cli",
  "mod.ts",
  "deno.json",
  "deno.lock",
  ".dockerignore",
  "src",
  "executor",
  "examples",
  "docker",
];

/**
 * A build context: the checkout's files the images use, and `deno_dir/`, the
 * Deno cache of what the images run (downloaded here, from npm, on the host).
 *
 * @returns the context dir; remove it when done.
 */
export async function buildContext(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-context-" });
  try {
    await command("cp", ["-R", ...CONTEXT_PATHS.map((p) => join(ROOT, p)), dir]);
    await command(Deno.execPath(), [
      "cache",
      "--quiet",
      "--frozen",
      "cli.ts",
      "src/cli/serve.ts",
      "examples/remote/app.ts",
    ], {
      cwd: dir,
      env: { DENO_DIR: join(dir, "deno_dir") },
    });
    return dir;
  } catch (e) {
    // A context that could not be made is not handed to anyone to remove.
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
}

/** Builds both images of docker/ from the context, with no network. */
export async function buildImages(engine: Engine, context: string): Promise<void> {
  for (const [name, tag] of [["executor", TAGS.executor], ["app", TAGS.app]] as const) {
    await engine.docker(["build", "-q", "--network", "none", "-f", `docker/${name}/Dockerfile`, "-t", tag, "."], {
      cwd: context,
    });
  }
}

async function command(program: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const out = await new Deno.Command(program, { args, ...options, stdin: "null", stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    const text = new TextDecoder();
    throw new Error(
      `${program} ${args.join(" ")} exited ${out.code}:\n${text.decode(out.stderr).slice(-4000)}${
        text.decode(out.stdout).slice(-2000)
      }`,
    );
  }
}
