/**
 * How a sandbox child is started: its Deno flags (no permission of any kind),
 * and the whole command with the OS wall and the kernel guards around them.
 *
 * @module
 */
import type { Limits } from "../src/limits.ts";
import type { SpawnSpec } from "./_child.ts";
import { launchSpec, type Placement } from "./_launch.ts";

export type { Placement };

/**
 * The flags every sandbox child runs with: no permission of any kind, every
 * permission explicitly denied as well, no config, lock file, remote or npm
 * modules, and a V8 heap cap. Nothing in the product opens a permission.
 *
 * @param limits the limits of the execution (for the heap cap).
 * @param preludePath the prelude module's path.
 * @returns the arguments to `deno`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../src/limits.ts";
 * import { sandboxArgs } from "./sandbox_spec.ts";
 * const args = sandboxArgs(DEFAULT_LIMITS, "/x/prelude.js");
 * assert.ok(args.includes("--no-prompt"));
 * assert.ok(!args.some((a) => a.startsWith("--allow")));
 * ```
 */
export function sandboxArgs(limits: Pick<Limits, "memoryMb">, preludePath: string): string[] {
  return [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--no-remote",
    "--no-npm",
    "--no-code-cache",
    "--deny-read",
    "--deny-write",
    "--deny-net",
    "--deny-env",
    "--deny-run",
    "--deny-ffi",
    "--deny-sys",
    "--deny-import",
    `--v8-flags=--max-old-space-size=${limits.memoryMb}`,
    preludePath,
  ];
}

/**
 * What starts one sandbox child: {@linkcode sandboxArgs}, inside the OS wall
 * when `placement.wall` is given (bubblewrap: its own namespaces, only the
 * Deno binary, its libraries and the prelude visible, a tmpfs for its Deno
 * dir), wrapped in the kernel guards available here, with an environment
 * holding only `NO_COLOR`, `DENO_DIR`, `DENO_EMIT_CACHE_MODE` and
 * `DENO_DISABLE_NODE_SHIM` (without it, Deno 2.9's `deno run` adds a
 * `node_compat_bin` dir of its Deno dir to its own `PATH`, sets
 * `DENO_NODE_SHIM_ACTIVE`, and writes a `node` symlink to the host's Deno
 * binary into the Deno dir). On Linux with util-linux, the kernel kills the
 * child when its host dies (`setpriv --pdeathsig KILL`, or the wall's
 * `--die-with-parent`) and past a CPU-time limit derived from `timeoutMs`
 * (`prlimit --cpu`, or `ulimit -t` in the shell that joins the child's
 * cgroups given in `placement.join`).
 *
 * @param denoPath the Deno binary.
 * @param limits the limits of the execution (for the heap cap and the CPU-time backstop).
 * @param module the module the child runs (the prelude).
 * @param dirs the child's working dir (`/` for sandboxes), and its Deno dir.
 * @param placement the OS wall and the cgroups the child starts in (none by default).
 * @returns the program, arguments, working dir and whole environment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../src/limits.ts";
 * import { sandboxSpec } from "./sandbox_spec.ts";
 * const spec = sandboxSpec(Deno.execPath(), DEFAULT_LIMITS, "/x.js", { cwd: "/", denoDir: "/tmp/d" });
 * assert.deepEqual(Object.keys(spec.env).sort(), ["DENO_DIR", "DENO_DISABLE_NODE_SHIM", "DENO_EMIT_CACHE_MODE", "NO_COLOR"]);
 * assert.equal(spec.walled, false);
 * ```
 */
export function sandboxSpec(
  denoPath: string,
  limits: Pick<Limits, "memoryMb" | "timeoutMs">,
  module: string,
  dirs: { cwd: string; denoDir: string },
  placement: Placement = {},
): SpawnSpec & { joined: boolean } {
  return launchSpec(denoPath, sandboxArgs(limits, module), limits.timeoutMs, dirs, placement);
}

/**
 * {@linkcode sandboxSpec} as a `Deno.Command`: piped stdio and its own
 * process group (so the whole group can be killed). The executor starts its
 * children with `node:child_process` (`executor/_child.ts`), which reads
 * their pipes faster; the child is the same.
 *
 * @param denoPath the Deno binary.
 * @param limits the limits of the execution (for the heap cap and the CPU-time backstop).
 * @param module the module the child runs (the prelude).
 * @param dirs the child's working dir (`/` for sandboxes), and its Deno dir.
 * @param placement the OS wall and the cgroups the child starts in (none by default).
 * @returns the command, not started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../src/limits.ts";
 * import { sandboxCommand } from "./sandbox_spec.ts";
 * assert.ok(sandboxCommand(Deno.execPath(), DEFAULT_LIMITS, "/x.ts", { cwd: "/tmp", denoDir: "/tmp" }));
 * ```
 */
export function sandboxCommand(
  denoPath: string,
  limits: Pick<Limits, "memoryMb" | "timeoutMs">,
  module: string,
  dirs: { cwd: string; denoDir: string },
  placement: Placement = {},
): Deno.Command {
  const { program, args, cwd, env, detached } = sandboxSpec(denoPath, limits, module, dirs, placement);
  return new Deno.Command(program, {
    args,
    cwd,
    clearEnv: true,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached,
  });
}
