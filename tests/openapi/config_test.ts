// `codemode.yaml` `openapi:` entries: the spec relative to the config file, `${ENV}` secrets, policies by name, glob
// and method, what `codemode types` prints, and the secret kept from every surface the sandbox can read.
import assert from "node:assert/strict";
import { fromConfig } from "../../src/config/mod.ts";
import { main } from "../../cli.ts";
import { recordingIo } from "../_helpers.ts";
import { startServer, TESTDATA } from "./_server.ts";

const TOKEN = "tok-from-env-8d1f2c";

async function project(server: string, extra = ""): Promise<{ dir: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/specs`);
  await Deno.copyFile(`${TESTDATA}petstore-3.0.yaml`, `${dir}/specs/petstore.yaml`);
  await Deno.writeTextFile(
    `${dir}/codemode.yaml`,
    `openapi:
  petstore:
    spec: ./specs/petstore.yaml
    baseUrl: ${server}/v2
    auth:
      type: bearer
      token: \${PETSTORE_TOKEN}
    headers:
      X-Tenant: \${PETSTORE_TENANT}
${extra}`,
  );
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

const env = { PETSTORE_TOKEN: TOKEN, PETSTORE_TENANT: "tenant-secret-77" };

Deno.test("config: an openapi entry loads its spec relative to the config file, with ${ENV} credentials", async () => {
  await using server = startServer();
  await using p = await project(server.url);
  await using cm = await fromConfig(`${p.dir}/codemode.yaml`, { env });
  const r = await cm.execute(`return (await tools.petstore.getPetById({ petId: 1 })).name`);
  assert.equal(r.result, "rex");
  assert.equal(server.seen[0].headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(server.seen[0].headers["x-tenant"], "tenant-secret-77");
});

Deno.test("config: policies deny by glob (petstore.delete*) and methodPolicies by HTTP method", async () => {
  await using server = startServer();
  await using p = await project(
    server.url,
    `    methodPolicies:\n      put: deny\npolicies:\n  "petstore.delete*": deny\n  petstore.updateUser: allow\n`,
  );
  await using cm = await fromConfig(`${p.dir}/codemode.yaml`, { env });
  const types = await cm.types();
  for (const hidden of ["deletePet(", "deleteOrder(", "deleteUser(", "updatePet("]) {
    assert.ok(!types.includes(hidden), hidden);
  }
  assert.ok(types.includes("updateUser("), "an exact rule beats the method's default");
  const r = await cm.execute(`try { await tools.petstore.deletePet({ petId: 1 }); } catch (e) { return e.message; }`);
  assert.match(String(r.result), /tools\.petstore\.deletePet is not a tool/);
  assert.equal(server.seen.length, 0);
});

Deno.test("config: a missing ${ENV} secret and a namespace shared with an MCP server are errors naming the key", async () => {
  await using p = await project("http://127.0.0.1:9", `mcpServers:\n  petstore:\n    url: http://127.0.0.1:9/mcp\n`);
  await assert.rejects(
    fromConfig(`${p.dir}/codemode.yaml`, { env: { PETSTORE_TENANT: "x" } }),
    (e: Error) =>
      /codemode\.yaml:7:14: openapi\.petstore\.auth\.token: environment variable PETSTORE_TOKEN is not set/.test(
        e.message,
      ) && /openapi\.petstore: "petstore" is also an MCP server's namespace/.test(e.message),
  );
});

Deno.test("codemode types prints the OpenAPI tools of the config", async () => {
  await using server = startServer();
  await using p = await project(server.url);
  for (const [name, value] of Object.entries(env)) Deno.env.set(name, value);
  const t = recordingIo(p.dir);
  assert.equal(await main(["types", "--config", `${p.dir}/codemode.yaml`], t.io), 0, t.err());
  assert.match(t.out(), /petstore: \{/);
  assert.match(t.out(), /getPetById\(input: \{\n(.*\n)*?\s+petId: number;/);
  assert.doesNotMatch(t.out() + t.err(), new RegExp(TOKEN));
});

Deno.test("the secret never reaches the sandbox: results, errors, discovery, declarations and globals are clean", async () => {
  // The server echoes every header it got, in the body of its answers and of its errors.
  await using server = startServer((req) =>
    new URL(req.url).pathname.endsWith("/pet/404")
      ? new Response(`bad token ${req.headers.get("authorization")} ${btoa(TOKEN)}`, { status: 401 })
      : undefined
  );
  await using p = await project(server.url);
  await using cm = await fromConfig(`${p.dir}/codemode.yaml`, { env });
  const r = await cm.execute(`
    const seen = [];
    seen.push(await tools.petstore.getPetById({ petId: 1 }));
    try { await tools.petstore.getPetById({ petId: 404 }); } catch (e) { seen.push(e.message, e.stack, String(e)); }
    seen.push(await tools.$types("petstore"), await tools.$search("pet by id"));
    seen.push(Object.getOwnPropertyNames(globalThis));
    try { seen.push(Deno.env.toObject()); } catch (e) { seen.push(e.message); }
    console.log(JSON.stringify(seen[0]));
    return JSON.stringify(seen);
  `);
  const everything = JSON.stringify(r);
  assert.match(everything, /Bearer \[redacted\]/, "the echo is there, redacted");
  for (const form of [TOKEN, btoa(TOKEN), encodeURIComponent(TOKEN), "tenant-secret-77"]) {
    assert.ok(!everything.includes(form), form);
  }
  assert.ok(!(await cm.types()).includes(TOKEN));
});

Deno.test("config: a spec URL is kept as written; an eager source whose spec is missing stops startup, naming it", async () => {
  const { parseConfig } = await import("../../src/config/mod.ts");
  const url = parseConfig("openapi:\n  a:\n    spec: https://api.example.com/openapi.json\n", "/srv/codemode.yaml", {
    env: {},
  });
  assert.equal(url.config.openapi.a.spec, "https://api.example.com/openapi.json");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/codemode.yaml`, "openapi:\n  gone:\n    spec: ./nope.yaml\n    startup: eager\n");
    await assert.rejects(
      fromConfig(`${dir}/codemode.yaml`),
      new RegExp(`OpenAPI source "gone": cannot read ${dir}/nope\\.yaml: no such file`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
