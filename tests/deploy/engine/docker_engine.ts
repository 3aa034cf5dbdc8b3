// The images of docker/ built and run for real: a Docker engine started by
// this test (tests/deploy/_engine.ts), base images made locally, builds with
// no network, the executor run read-only with no network and probed from a
// sidecar, the security corpus run inside it, the compose stack and the
// compose file `codemode init` writes brought up. Run by `deno task
// test:deploy` only (it needs root, docker.io, docker-compose and debootstrap,
// and fails when it cannot start an engine): its name does not end in _test.ts,
// so that `deno test tests/` leaves it out. tests/deploy/hardening_test.ts
// checks the same files without an engine in `deno task test`.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Engine, startEngine } from "../_engine.ts";
import { buildContext, buildImages, makeBaseImages, ROOT, TAGS } from "../_images.ts";
import { containerFacts, hostAddresses, hostListener, KEY, runExecutor, runProbe, waitHealthy } from "./_containers.ts";

Deno.test("the executor and app images build and run in a Docker engine, confined as docs/deployment.md says", async (t) => {
  const started = performance.now();
  const lap = (what: string) => console.log(`  [${((performance.now() - started) / 1000).toFixed(1)} s] ${what}`);
  await using engine = await startEngine();
  lap("dockerd answers");
  const steps: [string, (engine: Engine) => Promise<void>][] = [
    ["the images build with --network none from local base images", buildStep],
    ["the executor runs read-only with no network: health, and a script with tool calls from a sidecar", serviceStep],
    ["the security corpus, inside the container", securityStep],
    ["the container adds what the docs say: no writable path but the tmpfs, no network, no capabilities", factsStep],
    [
      "docker-compose up --exit-code-from probe: the app runs its script on the executor, which reaches no host",
      composeStep,
    ],
    ["the docker-compose.yml of codemode init comes up and runs a script", initStep],
  ];
  for (const [name, fn] of steps) {
    // Each step needs the ones before it (the images): stop at the first failure.
    if (!await t.step(name, () => fn(engine))) break;
    lap(name);
  }
});

async function buildStep(engine: Engine): Promise<void> {
  const t0 = performance.now();
  const seconds = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const { cachedBase } = await makeBaseImages(engine);
  console.log(
    `  base images: ${seconds()} (Debian ${cachedBase ? "from the cache" : "made by debootstrap, now cached"})`,
  );
  const context = await buildContext();
  console.log(`  build context with vendored dependencies: ${seconds()}`);
  try {
    await buildImages(engine, context);
    console.log(`  images built: ${seconds()}`);
  } finally {
    await Deno.remove(context, { recursive: true });
  }
  const config = JSON.parse((await engine.docker(["inspect", "--format", "{{json .Config}}", TAGS.executor])).stdout);
  assert.equal(config.User, "10001:10001");
  assert.ok(config.Healthcheck?.Test?.length > 0, "the image has a HEALTHCHECK");
  // FROM scratch: the image's files are only those assemble.sh put there (no shell).
  const shell = await engine.docker([
    "run",
    "--rm",
    "--network",
    "none",
    "--entrypoint",
    "/bin/sh",
    TAGS.executor,
    "-c",
    "true",
  ], {
    allowFailure: true,
  });
  assert.notEqual(shell.code, 0, "the executor image has no shell");
}

async function serviceStep(engine: Engine): Promise<void> {
  await runExecutor(engine, "cm-service");
  try {
    console.log(await runProbe(engine, "cm-service", "service"));
  } finally {
    await engine.docker(["rm", "-f", "cm-service"]);
  }
}

async function securityStep(engine: Engine): Promise<void> {
  const secretDir = await Deno.makeTempDir({ prefix: "codemode-secret-" });
  const secret = `canary-${crypto.randomUUID()}`;
  await Deno.writeTextFile(join(secretDir, "canary"), secret);
  await Deno.chmod(join(secretDir, "canary"), 0o644);
  try {
    await runExecutor(engine, "cm-security", ["-v", `${join(secretDir, "canary")}:/run/secrets/canary:ro`]);
    console.log(await runProbe(engine, "cm-security", "security", { PROBE_SECRET: secret }));
    const logs = await engine.docker(["logs", "cm-security"]);
    assert.doesNotMatch(logs.stdout + logs.stderr, new RegExp(secret), "the secret reached the service's log");
  } finally {
    await engine.docker(["rm", "-f", "cm-security"]);
    await Deno.remove(secretDir, { recursive: true });
  }
}

async function factsStep(engine: Engine): Promise<void> {
  await runExecutor(engine, "cm-facts");
  try {
    const facts = await containerFacts(engine, "cm-facts");
    console.log(`  writable: ${facts.writable.join(" ")}; interfaces: ${facts.interfaces.join(" ")}`);
    // The service's own private dirs (/tmp/codemode-…) are the only writable paths besides /tmp: all on the tmpfs.
    assert.ok(facts.writable.includes("/tmp"), JSON.stringify(facts.writable));
    assert.deepEqual(facts.writable.filter((d) => d !== "/tmp" && !d.startsWith("/tmp/")), []);
    assert.ok(facts.mounts.some((m) => /^tmpfs \/tmp tmpfs rw,nosuid,nodev,noexec/.test(m)), facts.mounts.join("\n"));
    assert.ok(facts.mounts.some((m) => /^sysfs \/sys sysfs ro,/.test(m)), facts.mounts.join("\n"));
    assert.ok(!facts.mounts.some((m) => / \/dev\/shm /.test(m)), "--ipc none: no /dev/shm");
    assert.ok(facts.mounts.some((m) => /^tmpfs \/dev\/mqueue tmpfs ro,/.test(m)), "/dev/mqueue masked read-only");
    assert.ok(facts.mounts.some((m) => /^cgroup\S* \/sys\/fs\/cgroup\S* \S+ ro,/.test(m)), "a read-only cgroup fs");
    assert.deepEqual(facts.interfaces, ["lo"]);
    assert.deepEqual(facts.routes, [], "no IPv4 route at all");
    assert.match(facts.uid, /^10001\s+10001\s+10001\s+10001$/);
    assert.equal(facts.capEff, "0000000000000000");
    assert.equal(facts.capBnd, "0000000000000000");
    assert.equal(facts.noNewPrivs, "1");
    assert.equal(facts.seccomp, "2", "Docker's default seccomp profile (filter mode)");
    const write = await engine.docker([
      "exec",
      "cm-facts",
      "/usr/local/bin/deno",
      "eval",
      "--no-config",
      'Deno.writeTextFileSync("/app/x", "")',
    ], {
      allowFailure: true,
    });
    assert.match(write.stderr, /Read-only file system/);
    // bwrap is in the image for the OS sandbox wall; Docker's default seccomp profile refuses it a user namespace.
    const bwrap = await engine.docker([
      "exec",
      "cm-facts",
      "/usr/bin/bwrap",
      "--ro-bind",
      "/",
      "/",
      "/usr/local/bin/deno",
      "--version",
    ], {
      allowFailure: true,
    });
    assert.notEqual(bwrap.code, 0);
    assert.match(bwrap.stderr, /No permissions to create new namespace/);
  } finally {
    await engine.docker(["rm", "-f", "cm-facts"]);
  }
}

async function composeStep(engine: Engine): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-compose-" });
  using listener = hostListener();
  const files = ["-f", join(ROOT, "docker-compose.yml"), "-f", join(ROOT, "tests/deploy/engine/compose.probe.yml")];
  const project = ["-p", "cmcompose", "--env-file", join(dir, ".env"), ...files];
  const env = {
    CODEMODE_SRC: ROOT,
    PROBE_HOST_ADDRS: "",
    PROBE_HOST_PORT: String((listener.addr as Deno.NetAddr).port),
  };
  // The API key comes from the .env file, as for a user (docker-compose reads it; nothing in the environment).
  await Deno.writeTextFile(join(dir, ".env"), `CODEMODE_EXECUTOR_KEY=${KEY}\nAPP_PORT=${freePort()}\n`);
  try {
    // The networks first, so that the host's address on the app's network is among those the probe tries
    // (up then makes the probe again, with them).
    const before = hostAddresses();
    await engine.compose([...project, "up", "--no-build", "--no-start"], { cwd: dir, env });
    env.PROBE_HOST_ADDRS = hostAddresses().join(",");
    assert.ok(hostAddresses().length > before.length, "the default network's bridge has a host address");
    const up = await engine.compose([...project, "up", "--no-build", "--exit-code-from", "probe"], {
      cwd: dir,
      env,
      allowFailure: true,
    });
    assert.equal(up.code, 0, `docker-compose up failed:\n${up.stdout.slice(-6000)}\n${up.stderr.slice(-3000)}`);
    assert.match(up.stdout, /probe compose: all checks passed/);
    console.log(up.stdout.split("\n").filter((l) => l.includes("ok - ") || l.includes("probe compose:")).join("\n"));
    assert.equal(listener.accepted(), 0, "a container reached the listener on the host");
  } finally {
    await engine.compose([...project, "down", "-v", "--remove-orphans"], { cwd: dir, env, allowFailure: true });
    await Deno.remove(dir, { recursive: true });
  }
}

async function initStep(engine: Engine): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-init-compose-" });
  try {
    const init = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "cli.ts"), "init", "--yes", dir],
    })
      .output();
    assert.equal(init.code, 0, new TextDecoder().decode(init.stderr));
    const example = await Deno.readTextFile(join(dir, ".env.example"));
    await Deno.writeTextFile(
      join(dir, ".env"),
      example.replace(/^CODEMODE_EXECUTOR_KEY=.*$/m, `CODEMODE_EXECUTOR_KEY=${KEY}`),
    );
    await engine.compose(["-p", "cminit", "up", "-d", "--no-build"], { cwd: dir });
    const id = (await engine.compose(["-p", "cminit", "ps", "-q", "executor"], { cwd: dir })).stdout.trim();
    assert.match(id, /^[0-9a-f]{12,}$/);
    await waitHealthy(engine, id);
    // The init project's service accepts the key from .env under the id "host".
    console.log(await runProbe(engine, id, "init"));
  } finally {
    await engine.compose(["-p", "cminit", "down", "-v", "--remove-orphans"], { cwd: dir, allowFailure: true });
    await Deno.remove(dir, { recursive: true });
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
