// Runs inside a container beside the executor (the executor image, with the
// checkout mounted read-only at /src), sharing its network namespace and, for
// `service` and `security`, its pid namespace. It asserts, prints "ok - …" per
// check, and exits non-zero on the first failure.
//
//   deno run -A --cached-only --config /src/deno.json /src/tests/deploy/engine/probe.ts <mode>
//
// Environment: PROBE_KEY (an API key of the service), PROBE_SECRET (a value the
// executor holds that no script may see), PROBE_HOST_ADDRS and PROBE_HOST_PORT
// (addresses of the machine running the engine, and a port it listens on).
import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool, RemoteExecutor } from "../../../mod.ts";
import { guardCommand } from "../../../executor/_kernel_guard.ts";
import { sandboxArgs } from "../../../executor/local.ts";
import { abuseCases } from "./_abuse.ts";

const SERVICE = Deno.env.get("PROBE_SERVICE") ?? "http://127.0.0.1:8788";
const KEY = Deno.env.get("PROBE_KEY") ?? "";
const PRELUDE_MARK = /\/codemode-[^/\s]+\/prelude\.js$/;

function ok(what: string): void {
  console.log(`ok - ${what}`);
}

/** The service's health and readiness routes answer without a key. */
async function checkRoutes(): Promise<void> {
  const health = await fetch(`${SERVICE}/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok" });
  const ready = await fetch(`${SERVICE}/ready`);
  await ready.body?.cancel();
  assert.equal(ready.status, 200);
  ok("GET /health and /ready answer 200");
}

/** A sandbox child as /proc shows it: argv, environment (when readable), limits and session id. */
interface Sandbox {
  pid: number;
  argv: string[];
  env: string[] | undefined;
  limits: string;
  session: number;
}

/** Every process of the shared pid namespace that runs the sandbox prelude. */
async function sandboxes(): Promise<Sandbox[]> {
  const found: Sandbox[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const argv = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).split("\0").slice(0, -1);
      if (!PRELUDE_MARK.test(argv.at(-1) ?? "")) continue;
      const env = await Deno.readTextFile(`/proc/${e.name}/environ`).then(
        (t) => t.split("\0").slice(0, -1),
        () => undefined,
      );
      const limits = await Deno.readTextFile(`/proc/${e.name}/limits`);
      const session = Number((await Deno.readTextFile(`/proc/${e.name}/stat`)).split(") ")[1].split(" ")[3]);
      found.push({ pid: Number(e.name), argv, env, limits, session });
    } catch { /* ended while we looked */ }
  }
  return found;
}

/**
 * A script with tool calls runs through the containerized service, and the
 * sandbox child running it has exactly the arguments the code gives local
 * mode: `sandboxArgs`, wrapped in the kernel guards (prlimit, setpriv, setsid).
 */
async function checkExecution(): Promise<void> {
  const seen: Sandbox[] = [];
  const tools = [
    defineTool({ name: "math.add", input: z.object({ a: z.number(), b: z.number() }), handler: ({ a, b }) => a + b }),
    defineTool({
      name: "probe.look",
      input: z.object({}),
      // While the script waits for this call, its sandbox child is alive: find it by its unique heap cap.
      handler: async () =>
        void seen.push(...(await sandboxes()).filter((s) => s.argv.includes("--v8-flags=--max-old-space-size=72"))),
    }),
  ];
  await using cm = new Codemode({ tools, executor: new RemoteExecutor({ url: SERVICE, apiKey: KEY }) });
  const limits = { memoryMb: 72, timeoutMs: 20_000 };
  const r = await cm.execute(
    `await tools.probe.look({});
     const sums = await Promise.all([1, 2, 3].map((a) => tools.math.add({ a, b: 10 })));
     console.log("sums", sums.join(","));
     return sums.reduce((x, y) => x + y, 0);`,
    { limits },
  );
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.equal(r.result, 36);
  assert.deepEqual(r.toolCalls.map((c) => c.tool), ["probe.look", "math.add", "math.add", "math.add"]);
  assert.deepEqual(r.logs.map((l) => l.text), ["sums 11,12,13"]);
  ok("a script with tool calls runs through the executor container");
  assert.equal(seen.length, 1, `one sandbox child with the script's heap cap, found ${JSON.stringify(seen)}`);
  const [{ pid, argv, env, limits: procLimits, session }] = seen;
  // prlimit, setpriv and setsid exec the next program: the live child's argv is
  // the command they wrap, and what they did is in its limits and session.
  const expected = guardCommand("/usr/local/bin/deno", sandboxArgs(limits, argv.at(-1)!), limits.timeoutMs);
  assert.equal(expected.program, "/usr/bin/prlimit", "the image has util-linux's kernel guards");
  assert.deepEqual(argv, expected.args.slice(expected.args.lastIndexOf("--") + 1));
  ok(`the sandbox child runs with the code's flags: ${argv.join(" ")}`);
  const cpu = expected.args.find((a) => a.startsWith("--cpu="))!.slice("--cpu=".length).split(":")[0];
  assert.match(
    procLimits,
    new RegExp(`^Max cpu time\\s+${cpu}\\s+${cpu}\\s+seconds`, "m"),
  );
  assert.equal(session, pid, "the child leads its own session (setsid)");
  ok(`with the kernel guards: a ${cpu} s CPU-time limit, its own session`);
  if (env) {
    assert.deepEqual(env.map((v) => v.split("=")[0]).sort(), [
      "DENO_DIR",
      "DENO_DISABLE_NODE_SHIM",
      "DENO_EMIT_CACHE_MODE",
      "NO_COLOR",
    ]);
    ok("the sandbox child's environment holds only the four variables local mode sets");
  }
}

/** The abuse corpus of _abuse.ts, then: the service is still healthy and no sandbox of ours is left. */
async function checkSecurity(): Promise<void> {
  const secret = Deno.env.get("PROBE_SECRET") ?? "";
  assert.ok(secret.length >= 16, "PROBE_SECRET");
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    requests.push(req.url);
    return new Response("canary");
  });
  try {
    await using cm = new Codemode({
      executor: new RemoteExecutor({ url: SERVICE, apiKey: KEY }),
      limits: { timeoutMs: 20_000 },
    });
    for (const c of abuseCases({ port: server.addr.port, key: KEY })) {
      const r = await cm.execute(c.code, { limits: c.limits });
      c.check(r);
      const text = JSON.stringify(r);
      assert.ok(!text.includes(secret) && !text.includes(KEY), `${c.name}: a secret leaked: ${text.slice(0, 1000)}`);
      ok(c.name);
    }
    assert.deepEqual(requests, [], "the loopback listener in the executor's network namespace was reached");
    ok("no request reached a listener on the executor's loopback");
    const r = await cm.execute("return 40 + 2");
    assert.equal(r.result, 42, JSON.stringify(r));
    await checkRoutes();
    ok("the service still runs scripts");
  } finally {
    await server.shutdown();
  }
}

/**
 * Seen from the executor's network namespace (compose: network_mode
 * service:executor): the service answers, the app is reachable by name and
 * runs its script through the service, and no address of the machine running
 * the engine can be reached.
 */
async function checkCompose(): Promise<void> {
  await checkRoutes();
  const res = await fetch("http://app:8080/demo", { method: "POST" });
  const result = await res.json();
  assert.equal(res.status, 200, JSON.stringify(result));
  assert.deepEqual(result.result, { warmCities: ["Lima", "Pune"], orders: 3, totalUsd: 62.18 });
  assert.equal(result.toolCalls.length, 8);
  ok("the app runs its script on the executor: tool calls went back to the app");
  await checkNoHost();
}

/** Every address of the machine running the engine is out of reach, on the port it listens on. */
async function checkNoHost(): Promise<void> {
  const port = Number(Deno.env.get("PROBE_HOST_PORT"));
  const addrs = (Deno.env.get("PROBE_HOST_ADDRS") ?? "").split(",").filter(Boolean);
  assert.ok(port > 0 && addrs.length > 0, "PROBE_HOST_PORT and PROBE_HOST_ADDRS");
  for (const hostname of addrs) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      Deno.connect({ hostname, port }).then((c) => (c.close(), "connected"), (e: Error) => e.message),
      new Promise<string>((r) => timer = setTimeout(() => r("no answer in 3 s"), 3000)),
    ]);
    clearTimeout(timer);
    assert.notEqual(outcome, "connected", `the host's ${hostname}:${port} was reached from the executor's network`);
    ok(`the host's ${hostname}:${port} is out of reach (${outcome})`);
  }
}

const MODES: Record<string, () => Promise<void>> = {
  service: async () => (await checkRoutes(), await checkExecution()),
  security: checkSecurity,
  compose: checkCompose,
  init: async () => (await checkRoutes(), await checkExecution()),
};

const mode = Deno.args[0] ?? "";
if (!Object.hasOwn(MODES, mode)) throw new Error(`probe mode must be one of ${Object.keys(MODES).join(", ")}`);
await MODES[mode]();
console.log(`probe ${mode}: all checks passed`);
// A connection attempt still waiting on an unreachable address must not hold the exit.
Deno.exit(0);
