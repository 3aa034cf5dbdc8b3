// The Swagger Petstore (OpenAPI 3.0 YAML and 3.1 JSON, from @readme/oas-examples) served by a real HTTP server on
// 127.0.0.1: every parameter kind, each auth kind, errors the script catches, $refs across files, the declarations.
import assert from "node:assert/strict";
import { Codemode } from "../../mod.ts";
import { openApiTools, type OpenApiToolsOptions } from "../../src/openapi/mod.ts";
import { type Seen, startServer, TESTDATA, warnings } from "./_server.ts";

const petstore = (base: string, extra: Partial<OpenApiToolsOptions> = {}) =>
  openApiTools({
    namespace: "petstore",
    spec: `${TESTDATA}petstore-3.0.yaml`,
    baseUrl: `${base}/v2`,
    onWarning: () => {},
    ...extra,
  });

Deno.test("petstore 3.0: every operation but the multipart upload becomes a tool, the upload is named as skipped", async () => {
  const w = warnings();
  const source = openApiTools({ namespace: "petstore", spec: `${TESTDATA}petstore-3.0.yaml`, onWarning: w.onWarning });
  const tools = await source.load();
  assert.equal(tools.length, 19);
  assert.ok(tools.some((t) => t.name === "petstore.getPetById"));
  assert.deepEqual(source.skipped, [{
    operation: "POST /pet/{petId}/uploadImage (uploadFile)",
    reason: "its request body's media types (multipart/form-data) are not supported",
  }]);
  assert.match(w.list.join("\n"), /skipped POST \/pet\/\{petId\}\/uploadImage/);
});

Deno.test("petstore 3.0: the declarations type inputs and outputs, with the summary and the method as JSDoc", async () => {
  await using server = startServer();
  await using cm = new Codemode({ sources: [petstore(server.url)] });
  const types = await cm.types();
  assert.match(
    types,
    /\/\*\*\n\s+\* Find pet by ID\n\s+\*\n\s+\* Returns a single pet\n\s+\*\n\s+\* `GET \/pet\/\{petId\}`\n\s+\*\/\n\s+getPetById\(input: \{\n(.*\n)*?\s+petId: number;\n\s+\}\): Promise<PetstoreGetPetById_Pet>;/,
  );
  assert.match(
    types,
    /type PetstoreGetPetById_Pet = \{\n(.*\n)*?\s+name: string;\n(.*\n)*?\s+status\?: "available" \| "pending" \| "sold";/,
  );
  assert.match(types, /findPetsByStatus\(input: \{\n(.*\n)*?\s+status: \("available" \| "pending" \| "sold"\)\[\];/);
  assert.match(types, /updatePetWithForm\(input: \{\n(.*\n)*?\s+body\?: \{/);
  assert.match(
    types,
    /deleteOrder\(input: \{\n\s+\/\*\* ID of the order that needs to be deleted \*\/\n\s+orderId: number;\n\s+\}\): Promise<unknown>;/,
  );
});

Deno.test("petstore 3.0: path, query (array), header, JSON and form bodies reach the server as the spec says", async () => {
  await using server = startServer();
  await using cm = new Codemode({
    sources: [petstore(server.url, { auth: { type: "bearer", token: "tok-petstore-1" } })],
  });
  const r = await cm.execute(`
    const pet = await tools.petstore.getPetById({ petId: 42 });
    await tools.petstore.findPetsByStatus({ status: ["available", "pending"] });
    await tools.petstore.deletePet({ petId: 5, api_key: "k-header" });
    await tools.petstore.placeOrder({ body: { petId: 42, quantity: 2, status: "placed" } });
    await tools.petstore.updatePetWithForm({ petId: 9, body: { name: "a b&c", status: "sold" } });
    await tools.petstore.loginUser({ username: "ann/x", password: "p w" });
    return pet.name;
  `);
  assert.equal(r.error, undefined);
  assert.equal(r.result, "rex");
  const [get, find, del, order, form, login] = server.seen;
  assert.deepEqual([get.method, get.path], ["GET", "/v2/pet/42"]);
  assert.equal(get.headers.authorization, "Bearer tok-petstore-1");
  assert.equal(get.headers.accept, "application/json");
  assert.deepEqual(find.query, [["status", "available"], ["status", "pending"]]);
  assert.deepEqual([del.method, del.path, del.headers.api_key], ["DELETE", "/v2/pet/5", "k-header"]);
  assert.deepEqual([order.method, order.headers["content-type"], JSON.parse(order.body)], [
    "POST",
    "application/json",
    { petId: 42, quantity: 2, status: "placed" },
  ]);
  assert.equal(form.headers["content-type"], "application/x-www-form-urlencoded");
  assert.equal(form.body, "name=a+b%26c&status=sold");
  assert.deepEqual(login.query, [["username", "ann/x"], ["password", "p w"]]);
});

Deno.test("petstore 3.0: invalid input is refused in the host, naming the field, before any request", async () => {
  await using server = startServer();
  await using cm = new Codemode({ sources: [petstore(server.url)] });
  const r = await cm.execute(`
    try { await tools.petstore.getPetById({ petId: "1; DROP" }); } catch (e) { return e.message; }
  `);
  assert.match(String(r.result), /Invalid input for tools\.petstore\.getPetById: petId: must be integer/);
  assert.equal(server.seen.length, 0);
});

for (
  const [kind, auth, check] of [
    [
      "bearer",
      { type: "bearer", token: "tok-bearer-123" },
      (s: Seen) => s.headers.authorization === "Bearer tok-bearer-123",
    ],
    [
      "apiKey in a header",
      { type: "apiKey", in: "header", name: "api_key", value: "key-header-123" },
      (s: Seen) => s.headers.api_key === "key-header-123",
    ],
    [
      "apiKey in the query",
      { type: "apiKey", in: "query", name: "api_key", value: "key-query-123" },
      (s: Seen) => s.query.some(([k, v]: [string, string]) => k === "api_key" && v === "key-query-123"),
    ],
    [
      "basic",
      { type: "basic", username: "ann", password: "pw-basic-123" },
      (s: Seen) => s.headers.authorization === `Basic ${btoa("ann:pw-basic-123")}`,
    ],
  ] as [string, OpenApiToolsOptions["auth"], (s: Seen) => boolean][]
) {
  Deno.test(`petstore 3.0: ${kind} authentication reaches the server and never the script`, async () => {
    await using server = startServer();
    await using cm = new Codemode({ sources: [petstore(server.url, { auth })] });
    const r = await cm.execute(`
      const ok = await tools.petstore.getPetById({ petId: 1 });
      let failed;
      try { await tools.petstore.getPetById({ petId: 404 }); } catch (e) { failed = e.message; }
      return { ok, failed };
    `);
    assert.ok(check(server.seen[0]), JSON.stringify(server.seen[0]));
    const { failed } = r.result as { failed: string };
    assert.match(failed, /^tools\.petstore\.getPetById failed: HTTP 404 Not Found from GET \/pet\/\{petId\}: /);
    assert.match(failed, /\[redacted\]/);
    const secret = Object.values(auth!).at(-1) as string;
    assert.doesNotMatch(JSON.stringify(r), new RegExp(secret));
    assert.doesNotMatch(JSON.stringify(r), new RegExp(btoa(`ann:${secret}`)));
  });
}

Deno.test("petstore 3.0: an apiKey header named like a spec parameter leaves the parameter out, with a warning", async () => {
  const w = warnings();
  const source = petstore("http://127.0.0.1:9", {
    auth: { type: "apiKey", in: "header", name: "api_key", value: "key-123456" },
    onWarning: w.onWarning,
  });
  const tools = await source.load();
  const del = tools.find((t) => t.name === "petstore.deletePet")!;
  assert.deepEqual(Object.keys((del.inputSchema as { properties: object }).properties), ["petId"]);
  assert.match(w.list.join("\n"), /DELETE \/pet\/\{petId\}: left out header parameter "api_key"/);
});

Deno.test("petstore 3.1 (JSON): loads and calls like 3.0", async () => {
  await using server = startServer();
  const source = openApiTools({
    namespace: "pets31",
    spec: `${TESTDATA}petstore-3.1.json`,
    baseUrl: `${server.url}/v2`,
    onWarning: () => {},
  });
  await using cm = new Codemode({ sources: [source] });
  const r = await cm.execute(`return (await tools.pets31.getPetById({ petId: 3 })).echo.path`);
  assert.equal(r.result, "/v2/pet/3");
  assert.match(await cm.types(), /getPetById\(input: \{\n(.*\n)*?\s+petId: number;/);
});

Deno.test("a $ref across files (and a cycle through both) loads, types and calls", async () => {
  await using server = startServer();
  const source = openApiTools({ namespace: "split", spec: `${TESTDATA}split/api.yaml`, baseUrl: server.url });
  await using cm = new Codemode({ sources: [source] });
  const types = await cm.types();
  // The bundler brings the other file's Pet in where it is first used, and refers to it there from then on.
  assert.match(types, /getPet\(input: \{\n\s+petId: number;\n\s+\}\): Promise<\{\n\s+name: string;\n\s+owner\?: \{/);
  assert.match(types, /nickname\?: string \| null;/);
  assert.match(types, /pets\?: SplitGetPet_Pet\[\];/);
  const r = await cm.execute(`return (await tools.split.getPet({ petId: 1 })).echo.path`);
  assert.equal(r.result, "/pets/1");
  assert.deepEqual(source.skipped, []);
});

Deno.test("a status other than 2xx is an error the script can catch, with a bounded excerpt", async () => {
  await using server = startServer((_req, seen) =>
    seen.path.endsWith("/pet/500") ? new Response("x".repeat(5000), { status: 500 }) : undefined
  );
  await using cm = new Codemode({ sources: [petstore(server.url)] });
  const r = await cm.execute(`
    try { await tools.petstore.getPetById({ petId: 500 }); } catch (e) { return e.message; }
  `);
  const message = String(r.result);
  assert.match(
    message,
    /failed: HTTP 500 Internal Server Error from GET \/pet\/\{petId\}: x+… \(script\.ts:\d+:\d+\)$/,
  );
  assert.ok(message.length < 700, `${message.length}`);
});
