// The security settings of docker/ and the compose files, read without a
// Docker engine (tests/deploy/engine/docker_engine.ts runs them for real, in
// `deno task test:deploy`).
import assert from "node:assert/strict";
import { parse } from "yaml";
import { argDefault, type Dockerfile, execForm, parseDockerfile, type Stage } from "./_dockerfile.ts";
import { starterFiles } from "../../src/cli/_templates.ts";
import { HARDENED } from "./engine/_containers.ts";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, ROOT));
const dockerfile = (name: string) => parseDockerfile(read(`docker/${name}/Dockerfile`));

function final(file: Dockerfile): Stage {
  return file.stages.at(-1)!;
}

function instruction(stage: Stage, keyword: string): string {
  const found = stage.instructions.filter((i) => i.keyword === keyword);
  assert.equal(found.length, 1, `one ${keyword} in the final stage`);
  return found[0].args;
}

for (const name of ["executor", "app"]) {
  Deno.test(`docker/${name}/Dockerfile: multi-stage, pinned Deno, base images behind ARGs, minimal final stage`, () => {
    const file = dockerfile(name);
    assert.ok(file.stages.length >= 3, "a Deno stage, a build stage and the final stage");
    assert.equal(final(file).from, "scratch", "the final stage starts from nothing: no shell, no package manager");
    for (const stage of file.stages.slice(0, -1)) assert.match(stage.from, /^\$\{[A-Z_]+\}$/, "base images are ARGs");
    const version = argDefault(file, "DENO_VERSION");
    assert.match(version ?? "", /^\d+\.\d+\.\d+$/, "an exact Deno version");
    assert.ok(read(".ci/run").includes(`deno@${version}`), "the Deno version CI runs");
    assert.equal(argDefault(file, "DENO_IMAGE"), "denoland/deno:bin-${DENO_VERSION}");
    const build = file.stages.find((s) => s.name === "build")!;
    assert.ok(
      build.instructions.some((i) => i.keyword === "RUN" && /deno cache --frozen /.test(i.args)),
      "dependencies are cached at build time, from the frozen lock",
    );
    assert.ok(
      build.instructions.some((i) => i.keyword === "RUN" && /deno --version/.test(i.args)),
      "the version is checked",
    );
  });

  Deno.test(`docker/${name}/Dockerfile: a numeric non-root user, a HEALTHCHECK, and no network at run time`, () => {
    const stage = final(dockerfile(name));
    const [uid, gid] = instruction(stage, "USER").split(":").map(Number);
    assert.ok(uid >= 1000 && gid >= 1000, "numeric, not root");
    const health = instruction(stage, "HEALTHCHECK");
    const cmd = execForm(health);
    assert.equal(cmd[0], "/usr/local/bin/deno");
    assert.ok(cmd.includes("--no-config") && cmd.some((a) => /^--allow-net=127\.0\.0\.1:\d+$/.test(a)), cmd.join(" "));
    const entry = execForm(instruction(stage, "ENTRYPOINT"));
    assert.ok(entry.includes("--cached-only"), "the image never downloads at run time");
    assert.ok(entry.includes("--frozen"));
  });
}

Deno.test("the executor image runs this checkout's service, so its sandboxes get the code's flags and kernel guards", async () => {
  const file = dockerfile("executor");
  const entry = execForm(instruction(final(file), "ENTRYPOINT"));
  assert.deepEqual(entry.slice(-2), ["/app/cli.ts", "serve"]);
  const assemble =
    file.stages.find((s) => s.name === "build")!.instructions.find((i) =>
      i.keyword === "RUN" && i.args.includes("assemble.sh")
    )!.args;
  const [programs, paths] = assemble.split(" -- ");
  // The service, and executor/local.ts's sandboxArgs and guardCommand, are the checkout's own files.
  for (const path of ["cli.ts", "src", "executor", "deno.json", "deno.lock", "deno_dir"]) {
    assert.ok(paths.split(/\s+/).includes(path), `the image holds ${path}`);
  }
  // Every program executor/_kernel_guard.ts looks for is in the image, and bwrap for the OS sandbox wall.
  const guard = await Deno.readTextFile(new URL("executor/_kernel_guard.ts", ROOT));
  const wanted = JSON.parse(/for \(const name of (\[[^\]]+\]) as const\)/.exec(guard)![1]);
  for (const program of [...wanted, "bwrap"]) assert.ok(programs.split(/\s+/).includes(program), program);
  // The default configuration only serves: no tools, no option that reaches a sandbox's flags.
  const config = parse(read("docker/executor/codemode.yaml"));
  assert.deepEqual(Object.keys(config).sort(), ["logging", "service"]);
  assert.equal(config.service.hostname, "0.0.0.0");
  assert.equal(config.service.apiKeys, undefined, "keys come from the environment, never from the image");
});

/** The settings every service of ours gets in a compose file. */
function assertHardened(name: string, service: Record<string, unknown>): void {
  assert.equal(service.read_only, true, `${name}: read_only`);
  assert.deepEqual(service.cap_drop, ["ALL"], `${name}: cap_drop`);
  assert.deepEqual(service.security_opt, ["no-new-privileges:true"], `${name}: security_opt`);
  assert.match(String(service.user), /^[1-9]\d{3,}:[1-9]\d{3,}$/, `${name}: a numeric non-root user`);
  assert.equal(service.ipc, "none", `${name}: no /dev/shm`);
  for (const key of ["mem_limit", "memswap_limit", "cpus", "pids_limit"]) assert.ok(service[key], `${name}: ${key}`);
  // The tmpfs on /tmp is the only writable path: /dev/mqueue, which Docker mounts writable, is masked read-only.
  assert.deepEqual(service.tmpfs, [(service.tmpfs as string[])[0], "/dev/mqueue:ro"], `${name}: tmpfs`);
  assert.match((service.tmpfs as string[])[0], /^\/tmp:rw,nosuid,nodev,noexec,size=\d+m,mode=1777$/, `${name}: tmpfs`);
}

/** The executor service: hardened, keys from .env, on internal networks only, no ports. */
function assertExecutor(compose: Record<string, Record<string, Record<string, unknown>>>): void {
  const executor = compose.services.executor;
  assertHardened("executor", executor);
  assert.equal(executor.ports, undefined, "no published port");
  assert.equal(executor.network_mode, undefined);
  const env = executor.environment as Record<string, string>;
  assert.match(env.CODEMODE_API_KEYS, /^\w+:\$\{CODEMODE_EXECUTOR_KEY:\?[^}]+\}$/, "the key comes from .env, required");
  for (const network of executor.networks as string[]) {
    const def = compose.networks[network] as { internal?: boolean; driver_opts?: Record<string, string> };
    assert.equal(def.internal, true, `${network}: internal`);
    assert.equal(def.driver_opts?.["com.docker.network.bridge.inhibit_ipv4"], "true", `${network}: no host address`);
  }
}

Deno.test("docker-compose.yml: both services hardened, the executor on an internal network only, health checks", () => {
  const compose = parse(read("docker-compose.yml"));
  assertExecutor(compose);
  assertHardened("app", compose.services.app);
  assert.deepEqual(compose.services.app.depends_on, { executor: { condition: "service_healthy" } });
  for (const port of compose.services.app.ports) assert.match(port, /^127\.0\.0\.1:/, "published on loopback only");
  for (const [name, service] of Object.entries(compose.services) as [string, Record<string, { test: string[] }>][]) {
    const image = execForm(instruction(final(dockerfile(name)), "HEALTHCHECK"));
    assert.deepEqual(service.healthcheck.test, ["CMD", ...image], `${name}: the image's HEALTHCHECK`);
  }
  assert.match(read(".env.example"), /^CODEMODE_EXECUTOR_KEY=$/m);
  assert.match(read(".gitignore"), /^\.env$/m);
});

Deno.test("codemode init's docker-compose.yml runs the executor image as docker-compose.yml does", () => {
  const files = starterFiles({ range: "^0.1.0", version: "0.1.0" });
  const compose = parse(files.find((f) => f.path === "docker-compose.yml")!.content);
  assert.deepEqual(Object.keys(compose.services), ["executor"]);
  assertExecutor(compose);
  assert.equal(compose.services.executor.image, parse(read("docker-compose.yml")).services.executor.image);
  assert.match(files.find((f) => f.path === ".env.example")!.content, /^CODEMODE_EXECUTOR_KEY=$/m);
});

Deno.test("docs/deployment.md's docker run has every flag the engine test runs the executor with", () => {
  const docs = read("docs/deployment.md");
  const run = /```sh\n(docker run -d --name codemode-executor[^`]+)```/.exec(docs)?.[1].replaceAll("\\\n", " ") ?? "";
  assert.ok(run, "a docker run block in docs/deployment.md");
  for (let i = 0; i < HARDENED.length; i++) {
    const flag = HARDENED[i].startsWith("--") && !HARDENED[i + 1]?.startsWith("--")
      ? `${HARDENED[i]} ${HARDENED[++i]}`
      : HARDENED[i];
    assert.ok(run.replace(/\s+/g, " ").includes(flag), `docs/deployment.md's docker run lacks ${flag}`);
  }
});
