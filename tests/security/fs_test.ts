// Filesystem abuse: reading a planted secret file, and writing, creating or
// deleting files anywhere. The sandbox runs with --deny-read/--deny-write.
// Stopped by: Deno's permission system (`--deny-read`, `--deny-write`, no `--allow-*`), a private Deno dir with no
// caches on disk, and web storage removed from the sandbox.
import assert from "node:assert/strict";
import { Codemode, LocalExecutor } from "../../mod.ts";
import { assertDenied, assertFailed, assertHealthy, canaries, exists, sandbox } from "./_canaries.ts";

Deno.test("a script cannot read a planted secret file with Deno.readTextFile", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`return await Deno.readTextFile("{{FILE}}")`));
  assertDenied(r, "read");
  c.assertClean(r);
});

Deno.test("a script cannot read a planted secret file with Deno.readFileSync", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`return new TextDecoder().decode(Deno.readFileSync("{{FILE}}"))`));
  assertDenied(r, "read");
  c.assertClean(r);
});

Deno.test("a script cannot open a planted secret file with Deno.open", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    using f = await Deno.open("{{FILE}}", { read: true });
    const buf = new Uint8Array(256);
    const n = await f.read(buf);
    return new TextDecoder().decode(buf.subarray(0, n ?? 0));
  `));
  assertDenied(r, "read");
  c.assertClean(r);
});

Deno.test("a script cannot read a planted secret file with node:fs readFileSync", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const fs = await import("node:fs");
    return fs.readFileSync("{{FILE}}", "utf8");
  `));
  assertDenied(r, "read");
  c.assertClean(r);
});

Deno.test("a script cannot read a planted secret file with node:fs/promises", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const fs = await import("node:fs/promises");
    return await fs.readFile("{{FILE}}", "utf8");
  `));
  assertDenied(r, "read");
  c.assertClean(r);
});

Deno.test("a script cannot read a planted secret file with fetch of a file: URL", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`return await (await fetch("file://{{FILE}}")).text()`));
  assertDenied(r, "read");
  c.assertClean(r);
});

Deno.test("a script cannot reach the secret file through a relative path from its working dir", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`return await Deno.readTextFile("../../../../../..{{FILE}}")`));
  assertDenied(r, "read");
  c.assertClean(r);
});

Deno.test("a script cannot read the host process environment through /proc", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (const path of ["/proc/self/environ", "/proc/${Deno.ppid}/environ", "/proc/${Deno.ppid}/cmdline"]) {
    const r = await cm.execute(`return await Deno.readTextFile(\`${path}\`)`);
    assertDenied(r, "read");
    c.assertClean(r);
  }
});

Deno.test("a script cannot list, stat or resolve the secret dir", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const code of [
      `const names = []; for await (const e of Deno.readDir("{{DIR}}")) names.push(e.name); return names`,
      `return await Deno.stat("{{FILE}}")`,
      `return await Deno.realPath("{{FILE}}")`,
      `return await Deno.readLink("{{FILE}}")`,
    ]
  ) {
    const r = await cm.execute(c.fill(code));
    assertDenied(r, "read");
    c.assertClean(r);
  }
});

Deno.test("a script cannot write a file with Deno.writeTextFile", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`await Deno.writeTextFile("{{DIR}}/pwned.txt", "pwned"); return "written"`));
  assertDenied(r, "write");
  assert.equal(await exists(`${c.dir}/pwned.txt`), false);
  c.assertClean(r);
});

Deno.test("a script cannot write into its own working dir either", async () => {
  await using cm = sandbox();
  const r = await cm.execute(`await Deno.writeTextFile("pwned.txt", "pwned"); return Deno.cwd()`);
  assertDenied(r, "write");
});

Deno.test("a script cannot create a directory with Deno.mkdir", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`await Deno.mkdir("{{DIR}}/evil", { recursive: true }); return "made"`));
  assertDenied(r, "write");
  assert.equal(await exists(`${c.dir}/evil`), false);
  c.assertClean(r);
});

Deno.test("a script cannot write a file with node:fs writeFileSync", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  const r = await cm.execute(c.fill(`
    const fs = await import("node:fs");
    fs.writeFileSync("{{DIR}}/pwned-node.txt", "pwned");
    return "written";
  `));
  assertDenied(r, "write");
  assert.equal(await exists(`${c.dir}/pwned-node.txt`), false);
  c.assertClean(r);
});

Deno.test("a script cannot make a temp file or a symlink to the secret", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const code of [
      `return await Deno.makeTempFile()`,
      `return await Deno.makeTempDir()`,
      `await Deno.symlink("{{FILE}}", "{{DIR}}/link"); return "linked"`,
      `await Deno.link("{{FILE}}", "{{DIR}}/hard"); return "linked"`,
    ]
  ) {
    const r = await cm.execute(c.fill(code));
    assertFailed(r, /^NotCapable: .*(Requires (write|read) access|requires unscoped --allow-read)/);
    c.assertClean(r);
  }
  assert.equal(await exists(`${c.dir}/link`), false);
  assert.equal(await exists(`${c.dir}/hard`), false);
});

Deno.test("a script cannot delete, truncate, chmod or rename the secret file", async () => {
  await using c = await canaries();
  await using cm = sandbox();
  for (
    const code of [
      `await Deno.remove("{{FILE}}"); return "removed"`,
      `await Deno.truncate("{{FILE}}", 0); return "truncated"`,
      `await Deno.chmod("{{FILE}}", 0o777); return "chmod"`,
      `await Deno.rename("{{FILE}}", "{{DIR}}/moved"); return "moved"`,
      `const fs = await import("node:fs"); fs.rmSync("{{DIR}}", { recursive: true, force: true }); return "rm"`,
    ]
  ) {
    const r = await cm.execute(c.fill(code));
    assertFailed(r, /Requires (write|read) access/);
    c.assertClean(r);
  }
  assert.equal(await Deno.readTextFile(c.file), c.secret);
  assert.equal((await Deno.stat(c.file)).mode! & 0o777, 0o644 & ~Deno.umask());
  await assertHealthy(cm);
});

Deno.test("web storage is not available and globals do not carry over to the next execution", async () => {
  await using cm = sandbox();
  const storage = await cm.execute(`return [typeof localStorage, typeof sessionStorage, typeof caches]`);
  assert.deepEqual(storage.result, ["undefined", "undefined", "undefined"]);
  const first = await cm.execute(`(globalThis as any).leftover = "left"; return 1`);
  assert.equal(first.stopReason, "completed");
  const second = await cm.execute(`return (globalThis as any).leftover ?? null`);
  assert.equal(second.result, null);
});

Deno.test({
  name: "a script cannot pass data to a later execution through localStorage",
  async fn() {
    await using cm = sandbox();
    const token = crypto.randomUUID();
    const first = await cm.execute(`localStorage.setItem("codemode-canary", "${token}"); return 1`);
    const second = await cm.execute(`
      const v = globalThis.localStorage?.getItem("codemode-canary") ?? null;
      globalThis.localStorage?.removeItem("codemode-canary");
      return v;
    `);
    assert.ok(
      first.stopReason !== "completed" || second.result !== token,
      "localStorage carried data across executions",
    );
  },
});

Deno.test({
  name: "a script cannot pass data to a later execution or fill the disk through the Cache API",
  async fn() {
    await using cm = sandbox();
    const token = crypto.randomUUID();
    const first = await cm.execute(`
      const c = await caches.open("codemode-canary");
      await c.put("http://canary/", new Response("${token}"));
      return 1;
    `);
    const second = await cm.execute(`
      if (!globalThis.caches) return null;
      const r = await (await caches.open("codemode-canary")).match("http://canary/");
      await caches.delete("codemode-canary");
      return r ? await r.text() : null;
    `);
    assert.ok(
      first.stopReason !== "completed" || second.result !== token,
      "the Cache API carried data across executions",
    );
  },
});

Deno.test({
  name: "a script cannot fill the host's Deno cache dir by importing TypeScript data: modules",
  async fn() {
    const home = Deno.env.get("HOME") ?? "/root";
    const genData = `${Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`}/gen/data`;
    const marker = `canary${crypto.randomUUID().replaceAll("-", "")}`;
    await using cm = sandbox();
    const r = await cm.execute(`
      const pad = "// ${marker} " + "p".repeat(100000) + "\\n";
      for (let i = 0; i < 20; i++) {
        await import("data:application/typescript;base64," + btoa(pad + "export const n: number = " + i + ";"));
      }
      return "imported";
    `);
    let written = 0;
    try {
      for await (const e of Deno.readDir(genData)) {
        const path = `${genData}/${e.name}`;
        const text = await Deno.readTextFile(path).catch(() => "");
        if (!text.includes(marker)) continue;
        written += text.length;
        await Deno.remove(path);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    assert.ok(written < 100_000, `${r.stopReason}: the sandbox wrote ${written} bytes into ${genData}`);
  },
});

Deno.test("nothing of a script stays on disk, and the private dir does not grow with executions", async () => {
  const tempDir = await Deno.makeTempDir({ prefix: "codemode-test-tmp-" });
  try {
    const executor = new LocalExecutor({ tempDir });
    const cm = new Codemode({ executor });
    const marker = `MARKER${crypto.randomUUID().replaceAll("-", "")}`;
    const sizes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await cm.execute(`
        const secret: string = "${marker}-${i}";
        await import("data:application/typescript;base64," + btoa("export const n: number = 1; // ${marker}"));
        return secret.length;
      `);
      assert.equal(r.stopReason, "completed", JSON.stringify(r));
      sizes.push(await treeBytes(tempDir));
    }
    assert.equal(new Set(sizes.slice(1)).size, 1, `the private dir grew: ${sizes.join(", ")}`);
    const forms = encodedForms(marker);
    for (const [path, text] of await treeTexts(tempDir)) {
      for (const form of forms) assert.ok(!text.includes(form), `${path} holds the script's source (${form})`);
    }
    await executor.close();
    for await (const e of Deno.readDir(tempDir)) assert.fail(`close() left ${e.name} behind`);
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
});

/** The marker as text and as base64 at each of the 3 byte alignments. */
function encodedForms(marker: string): string[] {
  return [marker, ...[0, 1, 2].map((pad) => btoa("\0".repeat(pad) + marker).slice(pad === 0 ? 0 : pad + 1, 24))];
}

async function* walk(dir: string): AsyncGenerator<[string, Deno.FileInfo]> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    const info = await Deno.lstat(path);
    yield [path, info];
    if (info.isDirectory) yield* walk(path);
  }
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const [, info] of walk(dir)) total += info.isFile ? info.size : 0;
  return total;
}

async function treeTexts(dir: string): Promise<[string, string][]> {
  const texts: [string, string][] = [];
  const latin1 = new TextDecoder("latin1");
  for await (const [path, info] of walk(dir)) {
    if (info.isFile) texts.push([path, latin1.decode(await Deno.readFile(path))]);
  }
  return texts;
}
