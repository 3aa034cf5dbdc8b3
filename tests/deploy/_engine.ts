// A Docker engine of the test's own: dockerd (Debian's docker.io) started by
// hand with its own socket, data root and exec root, so that it shares nothing
// with any other engine on the machine, and stopped with everything it ran.
// `--iptables=false --ip6tables=false --bridge=none`: these machines have no
// usable iptables and no docker0; see docs/deployment.md for what that changes.
import { join } from "node:path";

/** What a docker or docker-compose command printed, and how it ended. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running engine; dispose removes its containers, networks and volumes, stops it and removes its dirs. */
export interface Engine extends AsyncDisposable {
  /** The environment that points docker and docker-compose at this engine. */
  readonly env: Record<string, string>;
  /** Runs the docker client; fails with its output unless it exits 0 (or `allowFailure`). */
  docker(args: string[], options?: RunOptions): Promise<Output>;
  /** Runs docker-compose the same way. */
  compose(args: string[], options?: RunOptions): Promise<Output>;
}

/** Options of {@linkcode Engine.docker} and {@linkcode Engine.compose}. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  allowFailure?: boolean;
  /** Bytes written to the command's stdin. */
  stdin?: Uint8Array | ReadableStream<Uint8Array>;
}

const DOCKERD = "/usr/sbin/dockerd";
// Debian's client (20.10, like the daemon): /usr/local/bin/docker may be a newer client found first on PATH.
const CLIENTS = ["/usr/bin/docker", "docker"];

/** Why an engine cannot start here, or undefined when it can. */
export function engineUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return "Docker engine tests run on Linux only";
  if (Deno.uid() !== 0) return "dockerd must be started as root";
  for (const program of [DOCKERD, "/usr/bin/docker-compose", "/usr/sbin/debootstrap"]) {
    try {
      Deno.statSync(program);
    } catch {
      return `${program} is missing: apt-get install -y docker.io docker-compose debootstrap`;
    }
  }
  return undefined;
}

/**
 * Starts dockerd and waits (bounded) until it answers.
 *
 * @throws when it cannot start, with its log.
 */
export async function startEngine(): Promise<Engine> {
  const why = engineUnavailable();
  if (why) throw new Error(`cannot start a Docker engine: ${why}`);
  const dataRoot = await Deno.makeTempDir({ prefix: "codemode-dockerd-" });
  // Short: the exec root holds unix sockets, whose paths have at most 107 bytes.
  const execRoot = await Deno.makeTempDir({ dir: "/tmp", prefix: "cmd-" });
  const socket = join(execRoot, "docker.sock");
  const log = join(dataRoot, "dockerd.log");
  const args = [
    "--iptables=false",
    "--ip6tables=false",
    "--bridge=none",
    `--host=unix://${socket}`,
    `--data-root=${join(dataRoot, "data")}`,
    `--exec-root=${execRoot}`,
    `--pidfile=${join(execRoot, "docker.pid")}`,
    "--log-level=warn",
  ];
  // exec: the child is dockerd itself, with its output in the log file.
  const daemon = new Deno.Command("/bin/sh", {
    args: ["-c", `exec "$0" "$@" >"${log}" 2>&1`, DOCKERD, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const env = { DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: "0", COMPOSE_DOCKER_CLI_BUILD: "0" };
  const engine = makeEngine(env, daemon, async () => {
    await Deno.remove(execRoot, { recursive: true }).catch(() => {});
    await Deno.remove(dataRoot, { recursive: true }).catch(() => {});
  });
  try {
    await waitForDaemon(engine, daemon, log);
  } catch (e) {
    await engine[Symbol.asyncDispose]();
    throw e;
  }
  return engine;
}

async function waitForDaemon(engine: Engine, daemon: Deno.ChildProcess, log: string): Promise<void> {
  let exited = false;
  void daemon.status.then(() => exited = true);
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline && !exited) {
    const out = await engine.docker(["version", "--format", "{{.Server.Version}}"], { allowFailure: true });
    if (out.code === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const text = await Deno.readTextFile(log).catch(() => "");
  throw new Error(`dockerd did not answer within 60 s${exited ? " (it exited)" : ""}; its log:\n${text.slice(-4000)}`);
}

function makeEngine(env: Record<string, string>, daemon: Deno.ChildProcess, removeDirs: () => Promise<void>): Engine {
  const client = CLIENTS.find((c) => !c.startsWith("/") || exists(c)) ?? "docker";
  const docker = (args: string[], options: RunOptions = {}) =>
    run(client, args, { ...options, env: { ...env, ...options.env } });
  return {
    env,
    docker,
    compose: (args, options = {}) =>
      run("/usr/bin/docker-compose", args, { ...options, env: { ...env, ...options.env } }),
    async [Symbol.asyncDispose]() {
      try {
        await removeEverything(docker);
      } finally {
        await stopDaemon(daemon);
        await removeDirs();
      }
    },
  };
}

/** Containers (running or not), then networks and volumes: what a test run may have made. */
async function removeEverything(docker: Engine["docker"]): Promise<void> {
  const ids = (await docker(["ps", "-aq"], { allowFailure: true })).stdout.split(/\s+/).filter(Boolean);
  if (ids.length > 0) await docker(["rm", "-f", "-v", ...ids], { allowFailure: true });
  await docker(["network", "prune", "-f"], { allowFailure: true });
  await docker(["volume", "prune", "-f"], { allowFailure: true });
}

async function stopDaemon(daemon: Deno.ChildProcess): Promise<void> {
  try {
    daemon.kill("SIGTERM");
  } catch { /* already gone */ }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => timer = setTimeout(() => r(false), 30_000));
  const stopped = await Promise.race([daemon.status.then(() => true), late]);
  clearTimeout(timer);
  if (!stopped) {
    daemon.kill("SIGKILL");
    await daemon.status;
  }
}

async function run(program: string, args: string[], options: RunOptions = {}): Promise<Output> {
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin instanceof Uint8Array) {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin);
    await writer.close();
  } else if (options.stdin) {
    await options.stdin.pipeTo(child.stdin);
  }
  const out = await child.output();
  const text = new TextDecoder();
  const result = { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  if (result.code !== 0 && !options.allowFailure) {
    throw new Error(
      `${program} ${args.join(" ")} exited ${result.code}:\n${result.stderr.slice(-4000)}\n${
        result.stdout.slice(-4000)
      }`,
    );
  }
  return result;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
