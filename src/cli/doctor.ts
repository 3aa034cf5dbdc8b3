/**
 * `codemode doctor`: says which walls stand between a sandboxed script and
 * this host, and what is missing where one does not.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { kernelGuards } from "../../executor/_kernel_guard.ts";
import { CHILD_PIDS_MAX } from "../../executor/_cgroups.ts";
import type { OsSandboxMode, SandboxWalls } from "../../executor/local.ts";
import { osSandboxFlag, sandboxWalls } from "./build.ts";
import { UsageError } from "./load_tools.ts";
import type { CliIo } from "./io.ts";

/** Help text of `codemode doctor`. */
export const DOCTOR_HELP: string = `Usage: codemode doctor [options]

Says which walls stand between a sandboxed script and this host: Deno's permission
system (always: no permission of any kind), the OS wall (bubblewrap: namespaces of its
own, only the Deno binary, its libraries and the prelude visible, an unprivileged uid
on a root host), the cgroup limits the kernel enforces (memory, processes and threads),
and the kernel guards (parent-death signal, CPU-time limit); for each one that is
missing, why.

Options:
  -c, --config <file>   A codemode.yaml whose sandbox.os is used (only that section is read).
                        Default: ./codemode.yaml when it exists.
  --os-sandbox <mode>   auto, required or off (over sandbox.os).
  --json                Print one JSON object.
  -h, --help            Show this help.

Exit code: 0; 1 when the OS wall is required but unavailable; 2 usage or config error.`;

/**
 * Runs `codemode doctor`.
 *
 * @param args the arguments after `doctor`.
 * @param io where the report goes, and the working directory.
 * @returns the exit code.
 * @throws {UsageError} on bad flags or a bad config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { doctorCommand } from "./doctor.ts";
 * let out = "";
 * const io = { out: (t: string) => void (out += t), err: () => {}, readStdin: async () => "", cwd: "/nonexistent" };
 * assert.equal(await doctorCommand(["--os-sandbox", "off", "--json"], io), 0);
 * assert.equal(JSON.parse(out).walls.os, "none");
 * ```
 */
export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      "os-sandbox": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return io.out(DOCTOR_HELP + "\n"), 0;
  if (positionals.length > 0) throw new UsageError(`doctor takes no positional arguments, got "${positionals[0]}"`);
  const mode = osSandboxFlag(values["os-sandbox"]) ?? await configMode(values.config, io.cwd) ?? "auto";
  const walls = await sandboxWalls(mode === "required" ? "auto" : mode);
  const report = { walls: { ...walls, osSandbox: mode }, guards: kernelGuards(), deno: Deno.version.deno };
  if (values.json) io.out(JSON.stringify(report) + "\n");
  else io.out(describe(report.walls, report.guards));
  return mode === "required" && walls.os === "none" ? 1 : 0;
}

function describe(walls: SandboxWalls, guards: ReturnType<typeof kernelGuards>): string {
  const os = walls.os === "none"
    ? `none: ${walls.reason}${walls.osSandbox === "required" ? " (required: scripts will not run)" : ""}`
    : `${walls.os}: namespaces ${walls.namespaces.join(", ")}; only the Deno binary, its libraries and the ` +
      `prelude visible, read-only; a private tmpfs${
        walls.unprivilegedUid !== undefined ? `; runs as uid ${walls.unprivilegedUid}` : ""
      }${walls.osNotes ? `; without: ${walls.osNotes.join("; ")}` : ""}`;
  const cgroup = walls.cgroup === "none"
    ? `none: ${walls.cgroupReason} (maxRssMb is polled)`
    : `${walls.cgroup}: ${
      walls.cgroupLimits.map((l) => l === "memory" ? "memory (maxRssMb)" : `pids (${CHILD_PIDS_MAX})`).join(", ")
    }`;
  const kernel = [
    guards.parentDeathSignal ? "parent-death signal" : "no parent-death signal (no setpriv)",
    guards.cpuTimeLimit ? "CPU-time limit" : "no CPU-time limit (no prlimit or sh)",
  ].join(", ");
  return [
    `Deno permissions: none granted (every --deny-* flag, no --allow-*): always`,
    `OS wall (osSandbox ${walls.osSandbox}): ${os}`,
    `cgroup limits: ${cgroup}`,
    `kernel guards: ${kernel}`,
    "",
  ].join("\n");
}

async function configMode(path: string | undefined, cwd: string): Promise<OsSandboxMode | undefined> {
  const file = resolve(cwd, path ?? "codemode.yaml");
  if (path === undefined) {
    try {
      await Deno.stat(file);
    } catch {
      return undefined;
    }
  }
  try {
    return (await loadConfig(file)).config.sandbox?.os;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
