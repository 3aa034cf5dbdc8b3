// Host details: nothing the script or the model sees names where the host is
// installed, the Deno binary's path, the host's working dir or its DNS
// resolver; and denied tools are invisible in every way.
// Stopped by: the prelude runs from a copy in a private temp dir, `Deno.execPath()` is reported as `deno`, permission
// errors are cut to one line, host paths are removed from stderr; denied tools are filtered out of every listing and
// call.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { sandbox } from "./_canaries.ts";

const INSTALL_DIR = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HOST_DETAILS = [INSTALL_DIR, Deno.execPath(), Deno.cwd()].filter((d) => d.length > 1);

// A detail counts as a whole path: "/tmp/c" (a checkout there) is not found in "/tmp/codemode-…".
function assertNoHostDetails(value: unknown): void {
  const text = JSON.stringify(value);
  for (const detail of HOST_DETAILS) {
    const whole = new RegExp(`${detail.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w.-])`);
    assert.doesNotMatch(text, whole, `"${detail}" reached the script: ${text}`);
  }
}

Deno.test("paths a script can read name no host install dir, Deno binary or host working dir", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`
    const process = (await import("node:process")).default;
    return {
      mainModule: Deno.mainModule,
      execPath: Deno.execPath(),
      cwd: Deno.cwd(),
      argv: process.argv,
      processExecPath: process.execPath,
      processCwd: process.cwd(),
      title: process.title,
      stack: new Error("where").stack,
    };
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  assertNoHostDetails(r);
  const seen = r.result as Record<string, unknown>;
  assert.equal(seen.cwd, "/");
  assert.equal(seen.execPath, "deno");
});

Deno.test("a permission error is one clear line without the host's DNS resolver address", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`
    const out = [];
    try { await Deno.resolveDns("example.com", "A"); } catch (e) { out.push(e.name + ": " + e.message); }
    try { await Deno.resolveDns("example.com", "A", { nameServer: { ipAddr: "127.0.0.53" } }); } catch (e) { out.push(e.message); }
    return out;
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  for (const message of r.result as string[]) {
    assert.doesNotMatch(message, /\d+\.\d+\.\d+\.\d+|\n/, message);
    assert.match(message, /the sandbox has no permissions/);
  }
  const thrown = await cm.execute(`await fetch("https://example.com/")`);
  assert.equal(thrown.stopReason, "error");
  assert.match(
    thrown.error?.message ?? "",
    /^Requires net access to "example\.com:443" \(the sandbox has no permissions\)$/,
  );
});

Deno.test("stderr of a crashing worker and of an aborted child names no host path", async () => {
  await using cm = sandbox();
  const worker = await cm.execute(`
    new Worker("data:application/javascript," + encodeURIComponent("throw new Error('in worker')"), { type: "module" });
    await new Promise((r) => setTimeout(r, 300));
    return 1;
  `);
  assertNoHostDetails(worker);
  const aborted = await cm.execute(`(await import("node:process")).default.abort()`);
  assert.equal(aborted.stopReason, "error");
  assertNoHostDetails(aborted);
});

Deno.test("a denied tool is invisible: no hint, no search hit, no declaration, not callable", async () => {
  const ran: string[] = [];
  const tool = (name: string) =>
    defineTool({ name, description: `${name} tool`, input: z.object({}), handler: () => void ran.push(name) });
  await using cm = sandbox({ tools: [tool("db.drop"), tool("db.query")], policies: { "db.drop": "deny" } });
  const r = await cm.execute(`
    const message = (p) => p.then(() => "ran", (e) => e.message);
    return {
      hint: await message(tools.db.dro({})),
      direct: await message(tools.db.drop({})),
      unknown: await message(tools.db.nope({})),
      search: JSON.stringify(await tools.$search("drop")),
      types: await message(tools.$types("db.drop")),
      typesUnknown: await message(tools.$types("db.nope")),
      namespace: await tools.$types("db"),
    };
  `);
  assert.equal(r.stopReason, "completed", JSON.stringify(r));
  const seen = r.result as Record<string, string>;
  assert.doesNotMatch(seen.hint, /drop/, seen.hint);

  assert.doesNotMatch(seen.search, /drop/);
  const site = / \(script\.ts:\d+:\d+\)$/;
  assert.equal(seen.direct.replace("drop", "X").replace(site, ""), seen.unknown.replace("nope", "X").replace(site, ""));
  assert.equal(
    seen.types.replace("drop", "X").replace(site, ""),
    seen.typesUnknown.replace("nope", "X").replace(site, ""),
  );
  assert.doesNotMatch(seen.namespace, /drop/);
  assert.deepEqual(ran, []);
});
