// A representative set of tests/security/'s abuse, aimed at what an executor
// container holds: its service's API keys (environment, /proc/1/environ), a
// secret file mounted into it (/run/secrets/canary), the image's files, its
// tmpfs, a listener on its loopback, its programs, and its resources.
import assert from "node:assert/strict";
import type { ExecutionResult, Limits } from "../../../mod.ts";

/** One abuse: a script, and what its result must be. */
export interface AbuseCase {
  name: string;
  code: string;
  limits?: Partial<Limits>;
  check(r: ExecutionResult): void;
}

function denied(kind: string): (r: ExecutionResult) => void {
  return (r) => {
    assert.equal(r.ok, false, JSON.stringify(r).slice(0, 1000));
    assert.match(
      `${r.error?.name}: ${r.error?.message}`,
      new RegExp(`Requires ${kind} access|NotCapable`),
      JSON.stringify(r.error),
    );
  };
}

function failed(pattern: RegExp): (r: ExecutionResult) => void {
  return (r) => {
    assert.equal(r.ok, false, JSON.stringify(r).slice(0, 1000));
    assert.match(`${r.error?.name}: ${r.error?.message}`, pattern, JSON.stringify(r.error));
  };
}

/** The cases, given the probe's loopback listener port and the service's API key. */
export function abuseCases({ port, key }: { port: number; key: string }): AbuseCase[] {
  const read = (what: string, path: string): AbuseCase => ({
    name: `a script cannot read ${what} (${path})`,
    code: `return await Deno.readTextFile(${JSON.stringify(path)})`,
    check: denied("read"),
  });
  return [
    {
      name: "a script cannot read the service's API keys from its environment",
      code: `return [Deno.env.get("CODEMODE_API_KEYS"), Deno.env.toObject()]`,
      check: denied("env"),
    },
    {
      name: "a script sees no environment through node:process",
      code: `const p = await import("node:process"); return JSON.stringify(p.env)`,
      check: (r) =>
        assert.ok(r.ok ? !String(r.result).includes(key) : /env access|NotCapable/.test(r.error?.message ?? "")),
    },
    read("the service's environment", "/proc/1/environ"),
    read("its own environment", "/proc/self/environ"),
    read("a secret mounted into the container", "/run/secrets/canary"),
    read("the service's configuration", "/etc/codemode/codemode.yaml"),
    read("the image's code", "/app/deno.json"),
    {
      name: "a script cannot read the mounted secret with node:fs or fetch(file:)",
      code: `const fs = await import("node:fs");
        const out = [];
        try { out.push(fs.readFileSync("/run/secrets/canary", "utf8")); } catch (e) { out.push(e.name); }
        try { out.push(await (await fetch("file:///run/secrets/canary")).text()); } catch (e) { out.push(e.name); }
        return out;`,
      check: (r) => assert.deepEqual(r.result, ["NotCapable", "NotCapable"], JSON.stringify(r)),
    },
    {
      name: "a script cannot import the image's files",
      code: `return await import("file:///app/deno.json", { with: { type: "json" } })`,
      check: failed(/Requires (read|import) access|NotCapable/),
    },
    {
      name: "a script cannot write to the container's tmpfs",
      code: `await Deno.writeTextFile("/tmp/planted", "x"); return "written"`,
      check: denied("write"),
    },
    {
      name: "a script cannot reach a listener on the executor's loopback",
      code: `return await (await fetch("http://127.0.0.1:${port}/leak")).text()`,
      check: denied("net"),
    },
    {
      name: "a script cannot open a TCP connection to the service itself",
      code: `const c = await Deno.connect({ hostname: "127.0.0.1", port: 8788 }); return "connected"`,
      check: denied("net"),
    },
    {
      name: "a script cannot spawn the image's programs",
      code: `const C = Deno["Com" + "mand"]; return await new C("/usr/bin/bwrap", { args: ["--version"] }).output()`,
      check: denied("run"),
    },
    {
      name: "a script cannot spawn through node:child_process",
      code:
        `const cp = await import("node:child_process"); return String(cp.execFileSync("/usr/bin/setsid", ["--version"]))`,
      check: failed(/Requires run access|NotCapable/),
    },
    {
      name: "a script cannot load a native library",
      code: `return Deno["dl" + "open"]("/usr/lib/x86_64-linux-gnu/libc.so.6", {})`,
      check: failed(/Requires (ffi|read) access|NotCapable/),
    },
    {
      name: "a script cannot learn the container's identity",
      code: `return [Deno.hostname(), Deno.osRelease(), Deno.networkInterfaces()]`,
      check: denied("sys"),
    },
    {
      name: "a script cannot start a Worker with more permissions",
      code:
        `const w = new Worker("data:application/javascript,postMessage(1)", { type: "module", deno: { permissions: { read: true } } });
        return await new Promise((res, rej) => { w.onmessage = (e) => res(e.data); w.onerror = (e) => { e.preventDefault(); rej(new Error(e.message)); }; });`,
      check: (r) => assert.equal(r.ok, false, JSON.stringify(r)),
    },
    {
      name: "a script that never ends is stopped at its timeout",
      code: `while (true) {}`,
      limits: { timeoutMs: 1500 },
      check: (r) => assert.equal(r.stopReason, "timeout", JSON.stringify(r)),
    },
    {
      name: "a script that takes all the memory it can is stopped at its heap cap",
      code: `const a = []; while (true) a.push(new Array(1e6).fill(Math.random()));`,
      limits: { memoryMb: 64 },
      check: (r) => assert.equal(r.stopReason, "memory", JSON.stringify(r)),
    },
  ];
}
