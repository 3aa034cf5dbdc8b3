// The second wall: on Linux, each sandbox child starts inside an OS sandbox
// (bubblewrap) that stands on its own, whatever Deno's permission checks do:
// fresh user, PID, network, IPC, UTS, cgroup and mount namespaces; a root
// holding only the Deno binary, the libraries it loads and the prelude, all
// read-only, plus a small private tmpfs for its Deno dir; a new session; no
// new privileges; killed with its parent. A host running as root first drops
// to an unprivileged uid (util-linux `setpriv`), so that even a file the wall
// shows could not be written, nor a root-owned one read.
//
// Detected once per process and Deno binary: bwrap on a fixed list of system
// dirs (never `PATH`), the binary's libraries from `ldd` (bound one by one,
// not all of /usr), and a probe that starts `deno --version` through exactly
// the wall every child gets, so a kernel or container that forbids user
// namespaces reads as "unavailable: <why>", never as a failed execution.

/** What the executor does about the OS wall: use it where the host offers it, insist on it, or not use it. */
export type OsSandboxMode = "auto" | "required" | "off";

/** Every {@linkcode OsSandboxMode}. */
export const OS_SANDBOX_MODES: readonly OsSandboxMode[] = Object.freeze(["auto", "required", "off"]);

/** The uid a root host drops to before the wall: the kernel's overflow uid, `nobody`. */
export const SANDBOX_UID = 65534;

/** The namespaces a walled child gets of its own. */
export const WALL_NAMESPACES: readonly string[] = Object.freeze([
  "user",
  "pid",
  "network",
  "ipc",
  "uts",
  "cgroup",
  "mount",
]);

/** The size of the tmpfs that holds a walled child's Deno dir (which Deno leaves empty). */
export const WALL_TMPFS_BYTES = 8 * 1_048_576;

/** Where bwrap is looked for. */
const BWRAP_DIRS = ["/usr/bin", "/bin", "/usr/local/bin"];
const TOOL_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

/** A detected wall: the programs and the files every child is given. */
export interface OsWall {
  /** The bwrap binary. */
  readonly bwrap: string;
  /** `setpriv`, when the host is root and drops to {@linkcode SANDBOX_UID} before bwrap. */
  readonly setpriv?: string;
  /** The Deno binary, its ELF interpreter and its libraries: bound read-only at their own paths. */
  readonly files: readonly string[];
  /** Where `/etc/localtime` points on the host, so the child keeps the host's time zone. */
  readonly localtime?: string;
  /**
   * What a container may forbid, left out where the probe found it
   * forbidden: a `/proc` of the child's own (a container that masks paths
   * of its `/proc` forbids mounting another, and without it bwrap cannot cap
   * nested user namespaces either), and a hostname of its own.
   */
  readonly without?: readonly ("proc" | "nested-userns-limit" | "hostname")[];
}

/** What the detection found. */
export interface OsWallStatus {
  /** The OS sandbox in use: `bubblewrap`, or `none`. */
  readonly os: "bubblewrap" | "none";
  /** The namespaces each child gets of its own (none without the wall). */
  readonly namespaces: readonly string[];
  /** The uid the child runs as, when a root host drops to it. */
  readonly unprivilegedUid?: number;
  /** Why there is no wall, naming what is missing. */
  readonly reason?: string;
  /** What the wall does without here, and why (a container that forbids it). */
  readonly notes?: readonly string[];
  /** The wall, when there is one. */
  readonly wall?: OsWall;
}

/**
 * Validates an `osSandbox` value.
 *
 * @param value the value given.
 * @param where what names it in the error (`LocalExecutor option osSandbox`, `--os-sandbox`).
 * @returns the mode.
 * @throws {RangeError} naming `where` and the accepted values.
 */
export function checkOsSandboxMode(value: unknown, where = "LocalExecutor option osSandbox"): OsSandboxMode {
  if (typeof value === "string" && (OS_SANDBOX_MODES as readonly string[]).includes(value)) {
    return value as OsSandboxMode;
  }
  throw new RangeError(`${where} must be one of ${OS_SANDBOX_MODES.join(", ")}, got ${JSON.stringify(value)}`);
}

let bwrapDirs = BWRAP_DIRS;
const detected = new Map<string, Promise<OsWallStatus>>();

/**
 * Points the detection at other dirs for bwrap and forgets what it found:
 * for tests that need the wall unavailable. `undefined` restores the defaults.
 */
export function _setBwrapDirsForTests(dirs: string[] | undefined): void {
  bwrapDirs = dirs ?? BWRAP_DIRS;
  detected.clear();
}

/**
 * The OS wall for children of `denoPath`, detected once per process.
 *
 * @param denoPath the Deno binary the children run.
 * @returns what was found; `reason` says why there is no wall.
 */
export function detectOsWall(denoPath: string): Promise<OsWallStatus> {
  let found = detected.get(denoPath);
  if (!found) {
    found = detect(denoPath).catch((e) => unavailable(`the wall could not be checked: ${(e as Error).message}`));
    detected.set(denoPath, found);
  }
  return found;
}

function unavailable(reason: string): OsWallStatus {
  return { os: "none", namespaces: [], reason };
}

async function detect(denoPath: string): Promise<OsWallStatus> {
  if (Deno.build.os !== "linux") return unavailable(`bubblewrap needs Linux; this is ${Deno.build.os}`);
  const bwrap = findIn("bwrap", bwrapDirs);
  if (!bwrap) return unavailable(`bwrap not found in ${bwrapDirs.join(", ")} (install bubblewrap)`);
  const root = isRoot();
  const setpriv = root ? findIn("setpriv", TOOL_DIRS) : undefined;
  const ldd = findIn("ldd", TOOL_DIRS);
  if (!ldd) return unavailable(`ldd not found in ${TOOL_DIRS.join(", ")}: the Deno binary's libraries are unknown`);
  for (const program of [bwrap, ldd, ...(setpriv ? [setpriv] : [])]) {
    if (!mayRun(program)) return unavailable(`the host may not run ${program} (it needs --allow-run)`);
  }
  const libraries = await libraryFiles(ldd, denoPath);
  if (typeof libraries === "string") return unavailable(libraries);
  const wall: OsWall = {
    bwrap,
    ...(setpriv ? { setpriv } : {}),
    files: [...new Set([spawnSafe(denoPath), ...libraries])],
    ...localtime(),
  };
  const tried = await probeDown(wall, denoPath);
  if (typeof tried === "string") return unavailable(tried);
  const notes: string[] = (tried.without ?? []).map((w) => WITHOUT[w]);
  if (root && !tried.setpriv) notes.push(NO_DROP);
  return {
    os: "bubblewrap",
    namespaces: WALL_NAMESPACES,
    ...(tried.setpriv ? { unprivilegedUid: SANDBOX_UID } : {}),
    ...(notes.length ? { notes } : {}),
    wall: tried,
  };
}

const WITHOUT = {
  proc: "no /proc inside (the container forbids mounting one: it masks paths of its own /proc)",
  "nested-userns-limit": "nested user namespaces not capped (bwrap caps them through the /proc it could not mount)",
  hostname: "the container's hostname (its seccomp profile forbids sethostname)",
} as const;

const NO_DROP =
  `uid ${SANDBOX_UID}: the host is root and has no setpriv to switch to it (uid 0 inside the user namespace)`;

// What bwrap says when a container forbids one of the wall's parts, and what is then left out.
const FORBIDDEN: [RegExp, NonNullable<OsWall["without"]>][] = [
  [/Can't set hostname/, ["hostname"]],
  [/Can't mount proc/, ["proc", "nested-userns-limit"]],
  [/max_user_namespaces/, ["nested-userns-limit"]],
];

// Probes the whole wall; where a container forbids one of its parts that
// the rest stands without, probes again without it.
async function probeDown(wall: OsWall, denoPath: string): Promise<OsWall | string> {
  for (let tries = 0; tries <= FORBIDDEN.length; tries++) {
    const failed = await probe(wall, denoPath);
    if (!failed) return wall;
    const left = FORBIDDEN.find(([said, parts]) => said.test(failed) && parts.some((p) => !wall.without?.includes(p)));
    if (!left) return failed;
    wall = { ...wall, without: [...new Set([...wall.without ?? [], ...left[1]])] };
  }
  return "bwrap could not start a sandbox";
}

function findIn(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch { /* not there, or not ours to read */ }
  }
  return undefined;
}

function mayRun(program: string): boolean {
  return Deno.permissions.querySync({ name: "run", command: program }).state === "granted";
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false; // no --allow-sys: not known to be root, so no drop is planned; bwrap still maps one uid
  }
}

// The absolute paths `ldd` lists: the ELF interpreter and every library, as
// the loader resolves them. A string is why they are unknown.
async function libraryFiles(ldd: string, denoPath: string): Promise<string[] | string> {
  const out = await run(ldd, [denoPath]);
  if (/not a dynamic executable|statically linked/.test(out.stdout + out.stderr)) return [];
  if (out.code !== 0) return `ldd ${denoPath} failed: ${firstLine(out.stderr)}`;
  const missing = /^\s*(\S+) => not found/m.exec(out.stdout)?.[1];
  if (missing) return `the Deno binary needs ${missing}, which ldd cannot find`;
  return [...out.stdout.matchAll(/^\s*(?:\S+ => )?(\/\S+) \(0x[0-9a-f]+\)$/gm)].map((m) => m[1]);
}

function localtime(): { localtime?: string } {
  try {
    return { localtime: Deno.readLinkSync("/etc/localtime") };
  } catch {
    return {}; // none, or a plain file: the child's time zone is UTC
  }
}

/**
 * `path` spelled so that no spawn argument equals `Deno.execPath()`: Deno's
 * `node:child_process` rewrites such an argument when it looks like a
 * Node.js invocation (`<execPath> <script>` becomes `<execPath> run -A …`),
 * which would break bwrap's `--ro-bind <deno> <deno>`. The sandbox's own
 * `deno run` has `--deny-*` flags, which both keep it from being rewritten
 * and would override an `-A`; the wall spells the binary's path with a `/./`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawnSafe } from "./_os_wall.ts";
 * assert.equal(spawnSafe("/opt/deno/bin/deno"), "/opt/deno/bin/./deno");
 * ```
 */
export function spawnSafe(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : `${path.slice(0, slash)}/./${path.slice(slash + 1)}`;
}

// Starts `deno --version` through the wall every child gets; returns why it failed, if it did.
async function probe(wall: OsWall, denoPath: string): Promise<string | undefined> {
  const [program, ...args] = [...wallPrefix(wall), "--remount-ro", "/", "--", spawnSafe(denoPath), "--version"];
  const out = await run(program, args);
  if (out.code === 0 && out.stdout.startsWith("deno ")) return undefined;
  const why = firstLine(out.stderr) || `exit code ${out.code}`;
  // A root host without CAP_SETUID and CAP_SETGID (a container's, its capabilities dropped) cannot switch
  // to nobody, and bwrap run as root without them cannot map its uid either.
  if (/^setpriv: /.test(why)) {
    return `the host is root but may not switch to uid ${SANDBOX_UID} (${why}): run it as a non-root user`;
  }
  return /namespace|unshare|clone|No permissions/i.test(why)
    ? `user namespaces are not permitted here: ${why}`
    : `bwrap could not start a sandbox: ${why}`;
}

async function run(program: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(program, {
    args,
    clearEnv: true,
    env: { LC_ALL: "C" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.slice(0, 300) ?? "";
}

// The programs and namespace flags before any per-child mount: the uid drop
// (root hosts), bwrap, its namespaces, the files the binary needs, /proc.
function wallPrefix(wall: OsWall): string[] {
  const drop = wall.setpriv
    ? [wall.setpriv, `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, "--clear-groups", "--pdeathsig", "KILL", "--"]
    : [];
  const binds = wall.files.flatMap((file) => ["--ro-bind", file, file]);
  const has = (part: "proc" | "nested-userns-limit" | "hostname") => !wall.without?.includes(part);
  return [
    ...drop,
    wall.bwrap,
    "--unshare-all",
    "--unshare-user",
    ...(has("nested-userns-limit") ? ["--disable-userns"] : []),
    ...(has("hostname") ? ["--hostname", "codemode"] : []),
    "--die-with-parent",
    "--new-session",
    ...binds,
    ...(has("proc") ? ["--proc", "/proc"] : []),
  ];
}

/** Where one walled child's files are, at the same paths inside the wall as outside. */
export interface WallBox {
  /** A dir that becomes the child's private tmpfs (the executor's private dir). */
  home: string;
  /** The module the child runs, bound read-only (it may lie inside `home`). */
  module: string;
  /** Dirs made in the tmpfs (the Deno dir's cache databases, which Deno then keeps in memory). */
  dirs: readonly string[];
}

/**
 * The command that starts `denoArgs` inside the wall: `[setpriv …] bwrap …
 * -- <deno> <denoArgs>`. The child sees the Deno binary and its libraries,
 * the module and `/proc` read-only, the tmpfs at `box.home`, and `/` as its
 * working dir; nothing else of the host.
 *
 * @param wall the detected wall.
 * @param box the child's files.
 * @param deno the Deno binary (as in `wall.files`: see {@linkcode spawnSafe}) and its arguments.
 * @returns the program and its arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wallCommand } from "./_os_wall.ts";
 * const wall = { bwrap: "/usr/bin/bwrap", files: ["/opt/deno"] };
 * const box = { home: "/tmp/codemode-x", module: "/tmp/codemode-x/prelude.js", dirs: [] };
 * const { program, args } = wallCommand(wall, box, ["/opt/deno", "run", "/tmp/codemode-x/prelude.js"]);
 * assert.equal(program, "/usr/bin/bwrap");
 * assert.ok(args.includes("--unshare-all") && args.includes("--die-with-parent"));
 * assert.deepEqual(args.slice(-4), ["--", "/opt/deno", "run", "/tmp/codemode-x/prelude.js"]);
 * ```
 */
export function wallCommand(wall: OsWall, box: WallBox, deno: readonly string[]): { program: string; args: string[] } {
  const [program, ...args] = [
    ...wallPrefix(wall),
    "--size",
    String(WALL_TMPFS_BYTES),
    "--tmpfs",
    box.home,
    "--ro-bind",
    box.module,
    box.module,
    ...box.dirs.flatMap((dir) => ["--dir", dir]),
    ...(wall.localtime ? ["--symlink", wall.localtime, "/etc/localtime"] : []),
    "--remount-ro",
    "/",
    "--chdir",
    "/",
    "--",
    ...deno,
  ];
  return { program, args };
}
