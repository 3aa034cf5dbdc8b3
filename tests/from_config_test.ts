import assert from "node:assert/strict";
import { LocalExecutor } from "../mod.ts";
import { ConfigError, fromConfig } from "../src/config/mod.ts";
import { main } from "../cli.ts";

const DEMO_TOOLS = new URL("../examples/demo/tools.ts", import.meta.url).pathname;

async function project(yaml: string): Promise<{ dir: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-config-test-" });
  await Deno.writeTextFile(`${dir}/codemode.yaml`, yaml);
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

Deno.test("fromConfig() loads tools, limits and policies, resolving paths against the config file", async () => {
  await using p = await project(`
tools:
  - ${DEMO_TOOLS}
executor:
  limits:
    maxToolCalls: \${CM_CALLS:-2}
policies:
  "db.*": deny
`);
  await using cm = await fromConfig(`${p.dir}/codemode.yaml`, { env: {} });
  assert.equal(cm.limits.maxToolCalls, 2);
  assert.doesNotMatch(await cm.types(), /orders/, "denied tools are hidden");
  const r = await cm.execute(`
    const w = await tools.weather.get({ city: "Lima" });
    try { await tools.db.orders.list({}); } catch (e) { return [w.tempC, e.message]; }
  `);
  assert.equal((r.result as unknown[])[0], 22);
  assert.match(String((r.result as unknown[])[1]), /^tools\.db\.orders\.list is not a tool\./);
  // The config's limits apply to executions (a count, not a clock: the machine may be busy).
  const many = await cm.execute(`for (let i = 0; i < 3; i++) await tools.weather.get({ city: "Lima" })`);
  assert.equal(many.stopReason, "tool_call_limit");
});

Deno.test("fromConfig() passes the approver through for approve policies", async () => {
  await using p = await project(`tools: [${DEMO_TOOLS}]\npolicies:\n  "currency.*": approve\n`);
  const asked: string[] = [];
  await using cm = await fromConfig(`${p.dir}/codemode.yaml`, {
    approver: ({ tool }) => (asked.push(tool), false),
  });
  const r = await cm.execute(
    `try { await tools.currency.convert({ amount: 1, from: "USD", to: "EUR" }) } catch (e) { return e.message }`,
  );
  assert.equal(r.result, "tools.currency.convert was not run: the approver refused it (script.ts:1:28)");
  assert.deepEqual(asked, ["currency.convert"]);
});

Deno.test("fromConfig() reports config errors with file, line, column and key", async () => {
  await using p = await project(`executor:\n  limits:\n    timeoutMs: 30s\n`);
  const err = await fromConfig(`${p.dir}/codemode.yaml`).then(() => undefined, (e) => e);
  assert.ok(err instanceof ConfigError);
  assert.match(err.message, /codemode\.yaml:3:16: executor\.limits\.timeoutMs: /);
});

Deno.test("fromConfig() names the missing variable and the key that used it", async () => {
  await using p = await project(`executor:\n  limits:\n    timeoutMs: \${NOPE_TIMEOUT}\n`);
  await assert.rejects(
    fromConfig(`${p.dir}/codemode.yaml`, { env: {} }),
    /executor\.limits\.timeoutMs: .*NOPE_TIMEOUT/,
  );
});

Deno.test("fromConfig() runs scripts on the executor service a remote executor names", async () => {
  await using p = await project(`executor:\n  type: remote\n  url: http://127.0.0.1:9\n  apiKey: \${KEY}\n`);
  await using cm = await fromConfig(`${p.dir}/codemode.yaml`, { env: { KEY: "0123456789abcdef" } });
  const r = await cm.execute("return 1");
  assert.equal(r.stopReason, "unavailable");
  assert.match(r.error!.message, /127\.0\.0\.1:9/);
});

Deno.test("fromConfig() gives executor settings to the executor it makes, and refuses them for one it is given", async () => {
  await using p = await project(`executor:\n  maxConcurrent: 1\n  maxQueued: 0\n`);
  await using cm = await fromConfig(`${p.dir}/codemode.yaml`);
  const slow = `await new Promise((r) => setTimeout(r, 300)); return 1`;
  const [a, b] = await Promise.all([cm.execute(slow), cm.execute(slow)]);
  assert.deepEqual([a.stopReason, b.stopReason].sort(), ["busy", "completed"]);
  assert.match((a.error ?? b.error)!.message, /1 running and 0 queued/);
  await using executor = new LocalExecutor();
  await assert.rejects(
    fromConfig(`${p.dir}/codemode.yaml`, { executor }),
    /executor\.maxConcurrent cannot apply to the executor passed to fromConfig\(\)/,
  );
});

Deno.test("cli run --config and types --config use the config; a bad one exits 2 naming the line", async () => {
  await using p = await project(`tools: [${DEMO_TOOLS}]\n`);
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (t: string) => void out.push(t),
    err: (t: string) => void err.push(t),
    readStdin: () => Promise.resolve("return (await tools.weather.get({ city: 'Oslo' })).tempC"),
    cwd: p.dir,
  };
  assert.equal(await main(["run", "-", "--config", "codemode.yaml", "--json"], io), 0, err.join(""));
  assert.equal(JSON.parse(out.join("")).result, 4);
  out.length = 0;
  assert.equal(await main(["types", "-c", `${p.dir}/codemode.yaml`], io), 0);
  assert.match(out.join(""), /weather: \{/);
  await Deno.writeTextFile(`${p.dir}/bad.yaml`, "tools: [./x.ts]\nexecuter: {}\n");
  err.length = 0;
  assert.equal(await main(["run", "-", "--config", "bad.yaml"], io), 2);
  assert.match(err.join(""), /bad\.yaml:2:1: executer: unknown key; did you mean "executor"\?/);
});
