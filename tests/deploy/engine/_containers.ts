// Running the executor image the way docs/deployment.md says, and a probe
// container beside it; waiting for health with a bounded wait.
import assert from "node:assert/strict";
import type { Engine } from "../_engine.ts";
import { ROOT, TAGS } from "../_images.ts";
import { type ContainerFacts, FACTS_SCRIPT } from "./_facts.ts";

/** The API key the test's executors accept. */
export const KEY = "probe-key-0123456789abcdef";

/** The confinement `docker run` gives every container of these tests, as docs/deployment.md shows it. */
export const HARDENED = [
  "--read-only",
  "--user",
  "10001:10001",
  "--cap-drop",
  "ALL",
  "--security-opt",
  "no-new-privileges",
  "--ipc",
  "none",
  "--tmpfs",
  "/tmp:rw,nosuid,nodev,noexec,size=256m,mode=1777",
  "--tmpfs",
  "/dev/mqueue:ro",
  "--memory",
  "2g",
  "--pids-limit",
  "1024",
];

/** Starts the executor image with no network and waits until Docker reports it healthy. */
export async function runExecutor(engine: Engine, name: string, extra: string[] = []): Promise<void> {
  await engine.docker([
    "run",
    "-d",
    "--name",
    name,
    "--network",
    "none",
    ...HARDENED,
    "-e",
    `CODEMODE_API_KEYS=probe:${KEY}`,
    ...extra,
    TAGS.executor,
  ]);
  await waitHealthy(engine, name);
}

/** Waits (at most 120 s) until the container's HEALTHCHECK passes. */
export async function waitHealthy(engine: Engine, container: string): Promise<void> {
  const deadline = performance.now() + 120_000;
  let state = "";
  while (performance.now() < deadline) {
    state = (await engine.docker(["inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", container]))
      .stdout.trim();
    if (state === "running healthy") return;
    if (!state.startsWith("running")) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const logs = await engine.docker(["logs", "--tail", "50", container], { allowFailure: true });
  assert.fail(`${container} is not healthy (${state}); its log:\n${logs.stdout}${logs.stderr}`);
}

/**
 * Runs tests/deploy/engine/probe.ts in a container of the executor image that
 * shares the executor's network (and pid) namespace, confined like it.
 *
 * @returns the probe's output; fails with it unless the probe passed.
 */
export async function runProbe(
  engine: Engine,
  executor: string,
  mode: string,
  env: Record<string, string> = {},
): Promise<string> {
  const out = await engine.docker([
    "run",
    "--rm",
    `--network=container:${executor}`,
    `--pid=container:${executor}`,
    ...HARDENED,
    "-v",
    `${ROOT}:/src:ro`,
    ...Object.entries({ PROBE_KEY: KEY, ...env }).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    "--entrypoint",
    "/usr/local/bin/deno",
    TAGS.executor,
    "run",
    "-A",
    "--cached-only",
    "--config",
    "/src/deno.json",
    "/src/tests/deploy/engine/probe.ts",
    mode,
  ], { allowFailure: true });
  assert.equal(out.code, 0, `probe ${mode} failed:\n${out.stdout}\n${out.stderr}`);
  assert.match(out.stdout, new RegExp(`probe ${mode}: all checks passed`));
  return out.stdout;
}

/** What a process of the container finds inside it (see _facts.ts). */
export async function containerFacts(engine: Engine, container: string): Promise<ContainerFacts> {
  const out = await engine.docker(["exec", container, "/usr/local/bin/deno", "eval", "--no-config", FACTS_SCRIPT]);
  return JSON.parse(out.stdout);
}

/** The IPv4 addresses of this machine but loopback: where a container must not reach it. */
export function hostAddresses(): string[] {
  return [
    ...new Set(
      Deno.networkInterfaces().filter((i) => i.family === "IPv4" && !i.address.startsWith("127.")).map((i) =>
        i.address
      ),
    ),
  ];
}

/** A listener on every address of this machine, counting the connections it accepts. */
export function hostListener(): Deno.Listener & { accepted(): number } {
  const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  let accepted = 0;
  void (async () => {
    try {
      for await (const conn of listener) {
        accepted++;
        conn.close();
      }
    } catch { /* closed */ }
  })();
  return Object.assign(listener, { accepted: () => accepted });
}
