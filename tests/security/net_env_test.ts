// Network and environment abuse: reaching a loopback listener by any API, and
// reading the host's environment, user or machine identity.
// Stopped by: Deno's permission system (`--deny-net`, `--deny-env`, `--deny-sys`, no `--allow-*`, `--no-prompt`) and an
// environment holding only four variables.
import assert from "node:assert/strict";
import { assertDenied, assertFailed, assertHealthy, canaries, sandbox } from "./_canaries.ts";

Deno.test("a script cannot fetch from a loopback HTTP listener", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (const host of ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "0x7f000001"]) {
    const r = await cm.execute(c.fill(`return await (await fetch("http://${host}:{{PORT}}/leak")).text()`));
    assertFailed(r, /net access|error sending request|invalid|NotCapable/i);
    c.assertClean(r);
  }
});

Deno.test("a script cannot open a TCP connection with Deno.connect", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: {{TCP}} });
    await conn.write(new TextEncoder().encode("hello"));
    return "connected";
  `));
  assertDenied(r, "net");
  c.assertClean(r);
});

Deno.test("a script cannot open a WebSocket to loopback", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const ws = new WebSocket("ws://127.0.0.1:{{PORT}}/");
    return await new Promise((resolve) => {
      ws.onopen = () => resolve("open");
      ws.onerror = () => resolve("error");
    });
  `));
  assertDenied(r, "net");
  c.assertClean(r);
});

Deno.test("a script cannot reach loopback with EventSource", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const es = new EventSource("http://127.0.0.1:{{PORT}}/events");
    const outcome = await new Promise((resolve) => {
      es.onopen = () => resolve("open");
      es.onerror = () => resolve("error");
    });
    es.close();
    return outcome;
  `));
  // EventSource reports the denial as an error event, not a throw.
  if (r.ok) assert.equal(r.result, "error");
  c.assertClean(r);
});

Deno.test("a script cannot connect with node:net or node:http", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const codes = [
    `const net = await import("node:net");
     return await new Promise((res, rej) => {
       const s = net.connect({{TCP}}, "127.0.0.1", () => res("connected"));
       s.on("error", rej);
     });`,
    `const http = await import("node:http");
     return await new Promise((res, rej) => {
       const req = http.get("http://127.0.0.1:{{PORT}}/node-http", (resp) => res(resp.statusCode));
       req.on("error", rej);
     });`,
  ];
  for (const code of codes) {
    const r = await cm.execute(c.fill(code));
    assertFailed(r, /net access/);
    c.assertClean(r);
  }
});

Deno.test("a script cannot listen on a port or resolve DNS", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const code of [
      `const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); return l.addr`,
      `return await Deno.resolveDns("localhost", "A")`,
      `const c = await Deno.connectTls({ hostname: "127.0.0.1", port: {{TCP}} }); return "tls"`,
    ]
  ) {
    const r = await cm.execute(c.fill(code));
    assertDenied(r, "net");
    c.assertClean(r);
  }
});

Deno.test("a script cannot read the canary with Deno.env.get", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  assert.equal(Deno.env.get(c.env), c.secret);
  const r = await cm.execute(`return Deno.env.get("${c.env}")`);
  assertDenied(r, "env");
  c.assertClean(r);
});

Deno.test("a script cannot dump the environment with Deno.env.toObject", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(`return Deno.env.toObject()`);
  assertDenied(r, "env");
  c.assertClean(r);
});

Deno.test("a script cannot read the canary through node:process env", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const code of [
      `const p = await import("node:process"); return p.env["${c.env}"] ?? Object.keys(p.env)`,
      `return globalThis.process?.env?.["${c.env}"] ?? "no process global"`,
      `const p = await import("node:process"); return JSON.stringify(p.env)`,
    ]
  ) {
    const r = await cm.execute(code);
    // Either denied outright, or (for the missing global) nothing to read.
    if (r.ok) assert.equal(r.result, "no process global");
    else assertDenied(r, "env");
    c.assertClean(r);
  }
});

Deno.test("a script finds every permission denied by Deno.permissions.query", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(`
    const names = ["read", "write", "net", "env", "run", "ffi", "sys", "import"];
    const out = {};
    for (const name of names) out[name] = (await Deno.permissions.query({ name })).state;
    return out;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  for (const [name, state] of Object.entries(r.result as Record<string, string>)) {
    assert.equal(state, "denied", `permission ${name} is ${state}`);
  }
  c.assertClean(r);
});

Deno.test("a script cannot learn the host's user or hostname via node:os", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const code of [
      `const os = await import("node:os"); return os.userInfo()`,
      `const os = await import("node:os"); return os.hostname()`,
      `const os = await import("node:os"); return os.homedir()`,
      `const os = await import("node:os"); return os.networkInterfaces()`,
      `return [Deno.hostname(), Deno.osRelease()]`,
      `return Deno.networkInterfaces()`,
      `return Deno.uid()`,
    ]
  ) {
    const r = await cm.execute(code);
    assertFailed(r, /Requires (sys|env) access/);
    c.assertClean(r);
  }
});

Deno.test("a script cannot be granted a permission by Deno.permissions.request", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const out = [];
    for (const d of [{ name: "read", path: "{{FILE}}" }, { name: "net" }, { name: "env" }, { name: "run" }]) {
      out.push((await Deno.permissions.request(d)).state);
    }
    out.push(Deno.permissions.requestSync({ name: "write" }).state);
    let read = "none";
    try { read = await Deno.readTextFile("{{FILE}}"); } catch (e) { read = e.name; }
    return { out, read };
  `));
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assert.deepEqual(r.result, { out: ["denied", "denied", "denied", "denied", "denied"], read: "NotCapable" });
  c.assertClean(r);
});

Deno.test("a script cannot start a Worker with more permissions than it has", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const src = 'postMessage(Deno.readTextFileSync("{{FILE}}"))';
    const w = new Worker("data:application/javascript," + encodeURIComponent(src), {
      type: "module",
      deno: { permissions: { read: true, net: true, env: true, run: true } },
    });
    return await new Promise((res, rej) => {
      w.onmessage = (e) => res(e.data);
      w.onerror = (e) => { e.preventDefault(); rej(new Error("worker: " + e.message)); };
    });
  `));
  assertFailed(r);
  c.assertClean(r);
  await assertHealthy(cm);
});
