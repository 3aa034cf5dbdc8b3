// Which `deno` binary runs the sandboxes. A sandbox is a separate `deno run`
// with no permissions, so the host needs a real Deno binary: under `deno run`
// that is `Deno.execPath()`, but in a binary made by `deno compile` it is the
// binary itself, which runs the CLI, not `deno run`.

/** The environment variable that names the Deno binary that runs sandboxes. */
export const DENO_PATH_ENV = "CODEMODE_DENO_PATH";

/** No Deno binary can run the sandboxes: the CLI reports it as a usage error (exit 2). */
export class SandboxDenoError extends Error {
  override name = "SandboxDenoError";
}

/** Where {@linkcode sandboxDenoPath} looks; each field defaults to this process's own. */
export interface DenoPathSources {
  /** `LocalExecutorOptions.denoPath`: wins over everything. */
  denoPath?: string;
  /** Reads an environment variable; `undefined` when unset or not permitted. */
  env?: (name: string) => string | undefined;
  /** Whether this process is a `deno compile` binary. */
  standalone?: boolean;
  /** This process's executable. */
  execPath?: string;
  /** Whether a file exists and is executable. */
  isExecutable?: (path: string) => boolean;
}

/**
 * The Deno binary sandboxes run with: `denoPath` when given, else
 * `$CODEMODE_DENO_PATH`, else `Deno.execPath()`, except in a `deno compile`
 * binary, where it is the first `deno` on `PATH`.
 *
 * @returns the path, or an `Error` saying what to set when a compiled binary finds no `deno`.
 */
export function sandboxDenoPath(sources: DenoPathSources = {}): string | Error {
  if (sources.denoPath) return sources.denoPath;
  const env = sources.env ?? permittedEnv;
  const named = env(DENO_PATH_ENV);
  if (named) return named;
  if (!(sources.standalone ?? Deno.build.standalone)) return sources.execPath ?? Deno.execPath();
  const isExecutable = sources.isExecutable ?? executable;
  const onPath = (env("PATH") ?? "").split(":").filter(Boolean).map((dir) => `${dir}/deno`).find(isExecutable);
  return onPath ?? new SandboxDenoError(
    `No Deno binary to run sandboxes: this is a compiled codemode binary, which cannot run them itself, ` +
      `and there is no deno on PATH. Install Deno (https://deno.com) and put it on PATH, ` +
      `or set ${DENO_PATH_ENV} to its path (or pass LocalExecutorOptions.denoPath).`,
  );
}

/**
 * Checks once, before the first sandbox starts, that the binary exists, so a
 * wrong path is one clear error instead of a child that exits with 127.
 *
 * @returns an `Error` naming the path and what to set, or undefined.
 */
export function missingDeno(path: string): Error | undefined {
  // Without read permission there is nothing to check, and no prompt must appear.
  if (!path.includes("/") || Deno.permissions.querySync({ name: "read", path }).state !== "granted") return undefined;
  try {
    Deno.statSync(path);
    return undefined;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return undefined;
    return new SandboxDenoError(
      `The Deno binary that runs sandboxes was not found: ${path} ` +
        `(set ${DENO_PATH_ENV}, or LocalExecutorOptions.denoPath, to a deno binary)`,
    );
  }
}

// A host without env permission (allowed: the library asks for none) never sees a prompt or an error here.
function permittedEnv(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
  return Deno.env.get(name);
}

function executable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}
