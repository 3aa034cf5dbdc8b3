// Abuse tests for OpenAPI tool sources (a new door: a spec and an API's answers are hostile input).
// Hostile specs: names that mean something else in JS (`__proto__`, `constructor`, `then`) or that collide; a
// description that closes the JSDoc (`*/`) to inject declarations; `$ref` cycles; a `$ref` to another host or to a
// file outside the spec's directory (also through a symbolic link); a spec over the size cap; a YAML alias bomb;
// hostile config values (operationTimeoutsMs too); a key in the spec URL or the base URL quoted back in an error or an echo. Hostile scripts: a path parameter of `..` to climb out
// of the base URL, a header parameter with a line break. Hostile answers: a body without end, one that never comes,
// JSON that is not JSON, HTML where JSON was declared, a redirect to another origin (which must not get the
// credentials).
// Stopped by: reserved names renamed, collisions suffixed; JSDoc escaped; schema guard (loops, depth, size); $ref
// reads limited to the spec's directory (real path) or origin and allowRefHosts; spec size cap and YAML alias cap;
// the config schema; path checked after encoding;
// Headers refusing control characters; streamed body cap; per-call timeout; manual redirects that drop credentials.
import assert from "node:assert/strict";
import { Codemode } from "../../src/codemode.ts";
import { openApiTools, type OpenApiToolsOptions } from "../../src/openapi/mod.ts";
import { startServer } from "../openapi/_server.ts";
import { waitFor } from "../mcp/server/_helpers.ts";

type Ops = Record<string, Record<string, unknown>>;
const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
const spec = (paths: Ops, components: Record<string, unknown> = {}) => ({
  openapi: "3.1.0",
  info: { title: "hostile", version: "1" },
  paths,
  components,
});
const source = (s: Record<string, unknown>, extra: Partial<OpenApiToolsOptions> = {}) =>
  openApiTools({ namespace: "api", spec: s, baseUrl: "http://127.0.0.1:9", onWarning: () => {}, ...extra });

Deno.test("openapi abuse: JS-special and colliding operation names are renamed, deterministically", async () => {
  const paths: Ops = {
    "/a": { get: { operationId: "__proto__", responses: ok }, post: { operationId: "constructor", responses: ok } },
    "/b": { get: { operationId: "then", responses: ok }, post: { operationId: "list-items", responses: ok } },
    "/c": { get: { operationId: "listItems", responses: ok }, post: { operationId: "listItems", responses: ok } },
    "/d/{__proto__}": {
      get: {
        parameters: [{ name: "__proto__", in: "path", required: true, schema: { type: "string" } }],
        responses: ok,
      },
    },
  };
  const names = (await source(spec(paths)).load()).map((t) => t.name);
  assert.deepEqual(names, [
    "api.__proto___",
    "api.constructor_",
    "api.then_",
    "api.listItems",
    "api.listItems_2",
    "api.listItems_3",
    "api.getDByProto",
  ]);
  await using server = startServer();
  await using cm = new Codemode({ sources: [source(spec(paths), { baseUrl: server.url })] });
  const r = await cm.execute(
    `return [await tools.api.__proto___({}), await tools.api.getDByProto({ path___proto__: "x" })]
    .map((x) => x.echo.path)`,
  );
  assert.deepEqual(r.result, ["/a", "/d/x"], JSON.stringify(r.error));
});

Deno.test("openapi abuse: a description that closes the JSDoc cannot inject declarations", async () => {
  const evil = "Nice. */ declare const pwned: true; /* more";
  const paths: Ops = {
    "/x": {
      get: {
        operationId: "x",
        summary: evil,
        parameters: [{ name: "q", in: "query", description: evil, schema: { type: "string", description: evil } }],
        responses: ok,
      },
    },
  };
  await using cm = new Codemode({ sources: [source(spec(paths))] });
  const types = await cm.types();
  assert.ok(!types.includes("*/ declare const pwned"), types);
  assert.match(types, /Nice\. \*\\\/ declare const pwned/);
});

Deno.test("openapi abuse: $ref cycles type as references; a loop that never reaches a value skips the operation", async () => {
  const components = {
    schemas: {
      Node: { type: "object", properties: { next: { $ref: "#/components/schemas/Node" } } },
      Loop: { $ref: "#/components/schemas/Loop2" },
      Loop2: { allOf: [{ $ref: "#/components/schemas/Loop" }] },
    },
  };
  const body = (ref: string) => ({ content: { "application/json": { schema: { $ref: ref } } } });
  const paths: Ops = {
    "/node": { post: { operationId: "node", requestBody: body("#/components/schemas/Node"), responses: ok } },
    "/loop": { post: { operationId: "loop", requestBody: body("#/components/schemas/Loop"), responses: ok } },
    "/missing": { post: { operationId: "missing", requestBody: body("#/components/schemas/Nope"), responses: ok } },
  };
  const s = source(spec(paths, components));
  assert.deepEqual((await s.load()).map((t) => t.name), ["api.node"]);
  assert.deepEqual(s.skipped.map((x) => x.operation), ["POST /missing (missing)", "POST /loop (loop)"]);
  assert.match(s.skipped[1].reason, /\$ref loop/);
  assert.match(s.skipped[0].reason, /\$ref "#\/components\/schemas\/Nope" does not resolve/);
});

Deno.test("openapi abuse: a schema that is not valid JSON Schema (type: file, required: true) skips its operation", async () => {
  const paths: Ops = {
    "/upload": {
      post: {
        operationId: "upload",
        parameters: [{ name: "f", in: "query", schema: { type: "file" } }],
        responses: ok,
      },
    },
    "/req": {
      post: {
        operationId: "req",
        requestBody: { content: { "application/json": { schema: { type: "object", required: true } } } },
        responses: ok,
      },
    },
    "/fine": { get: { operationId: "fine", responses: ok } },
  };
  const s = source(spec(paths));
  assert.deepEqual((await s.load()).map((t) => t.name), ["api.fine"]);
  assert.deepEqual(s.skipped.map((x) => x.operation), ["POST /upload (upload)", "POST /req (req)"]);
  for (const skipped of s.skipped) assert.match(skipped.reason, /its input schema is not valid JSON Schema: /);
});

Deno.test("openapi abuse: a $ref to another host is not fetched unless allowed, nor one to a file outside the spec's directory", async () => {
  await using other = startServer(() => Response.json({ type: "string" }));
  const host = new URL(other.url).host;
  const paths: Ops = {
    "/remote": {
      post: {
        operationId: "remote",
        requestBody: { content: { "application/json": { schema: { $ref: `${other.url}/schema.json` } } } },
        responses: ok,
      },
    },
    "/local": {
      post: {
        operationId: "local",
        requestBody: { content: { "application/json": { schema: { $ref: "/etc/passwd" } } } },
        responses: ok,
      },
    },
  };
  const dir = await Deno.makeTempDir();
  try {
    const denied = source(spec(paths), { cwd: dir });
    assert.deepEqual(await denied.load(), []);
    assert.equal(other.seen.length, 0, "the other host was never asked");
    assert.match(denied.skipped.find((x) => x.operation.includes("remote"))!.reason, /not allowed \(allowRefHosts\)/);
    assert.match(denied.skipped.find((x) => x.operation.includes("local"))!.reason, /outside the spec's directory/);
    const allowed = source(spec(paths), { cwd: dir, allowRefHosts: [host] });
    assert.deepEqual((await allowed.load()).map((t) => t.name), ["api.remote"]);
    assert.equal(other.seen.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openapi abuse: a spec over the size cap is refused with the limit; thousands of operations load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths: Ops = {};
    for (let i = 0; i < 5000; i++) {
      paths[`/r${i}/{id}`] = {
        get: { parameters: [{ name: "id", in: "path", schema: { type: "string" } }], responses: ok },
      };
    }
    await Deno.writeTextFile(`${dir}/big.json`, JSON.stringify(spec(paths)));
    const small = openApiTools({
      namespace: "big",
      spec: `${dir}/big.json`,
      baseUrl: "http://127.0.0.1:9",
      maxSpecBytes: 1000,
    });
    await assert.rejects(small.load(), /OpenAPI source "big": .*big\.json is \d+ bytes, over the limit of 1000/);
    const big = openApiTools({ namespace: "big", spec: `${dir}/big.json`, baseUrl: "http://127.0.0.1:9" });
    assert.equal((await big.load()).length, 5000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const callSpec = spec({
  "/files/{name}": {
    get: {
      operationId: "file",
      parameters: [
        { name: "name", in: "path", required: true, schema: { type: "string" } },
        { name: "X-Note", in: "header", schema: { type: "string" } },
      ],
      responses: ok,
    },
  },
  "/huge": { get: { operationId: "huge", responses: ok } },
  "/slow": { get: { operationId: "slow", responses: ok } },
  "/badjson": { get: { operationId: "badjson", responses: ok } },
  "/html": { get: { operationId: "html", responses: ok } },
  "/away": { get: { operationId: "away", responses: ok } },
  "/home": { get: { operationId: "home", responses: ok } },
});

Deno.test("openapi abuse: a path parameter cannot climb out of the base URL, a header parameter cannot add a header", async () => {
  await using server = startServer();
  await using cm = new Codemode({ sources: [source(callSpec, { baseUrl: `${server.url}/api` })] });
  const r = await cm.execute(`
    const out = [];
    for (const input of [{ name: ".." }, { name: "." }, { name: "%2e%2e" }, { name: "a", "X-Note": "x\\r\\nX-Evil: 1" }]) {
      try { out.push(await tools.api.file(input)); } catch (e) { out.push(e.message.replace(/ \\(script.*/, "")); }
    }
    out.push((await tools.api.file({ name: "../../admin?x=1#f" })).echo.path);
    return out;
  `);
  const [dots, dot, encoded, header, slashes] = r.result as string[];
  assert.match(dots, /makes a "\." or "\.\." segment/);
  assert.match(dot, /makes a "\." or "\.\." segment/);
  assert.equal(typeof encoded, "object", "%2e%2e is sent encoded, as a name");
  assert.match(header, /header "X-Note" cannot carry that value/);
  assert.equal(slashes, "/api/files/..%2F..%2Fadmin%3Fx%3D1%23f");
  assert.deepEqual(server.seen.map((s) => s.path), ["/api/files/%252e%252e", "/api/files/..%2F..%2Fadmin%3Fx%3D1%23f"]);
});

Deno.test("openapi abuse: hostile answers (endless, slow, broken JSON, HTML) end in errors the script catches", async () => {
  let slowCancelled = false;
  await using server = startServer((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/huge") {
      const chunk = new Uint8Array(64 * 1024).fill(97);
      return new Response(new ReadableStream({ pull: (c) => c.enqueue(chunk) }), {
        headers: { "content-type": "application/json" },
      });
    }
    if (path === "/slow") {
      return new Promise((resolve) =>
        req.signal.addEventListener("abort", () => (slowCancelled = true, resolve(new Response("late"))))
      );
    }
    if (path === "/badjson") return new Response("{not json", { headers: { "content-type": "application/json" } });
    if (path === "/html") return new Response("<html>hi</html>", { headers: { "content-type": "text/html" } });
    return undefined;
  });
  // Only the slow API has a short timeout: on a busy machine the others must not race it.
  const slowSpec = spec({ "/slow": { get: { operationId: "slow", responses: ok } } });
  const warnings: string[] = [];
  // The operation's own timeout wins over the source's; one for a name no operation has is reported.
  const slowapi = openApiTools({
    namespace: "slowapi",
    spec: slowSpec,
    baseUrl: server.url,
    timeoutMs: 60_000,
    operationTimeoutsMs: { slow: 500, nope: 1 },
    onWarning: (w) => void warnings.push(w),
  });
  await using cm = new Codemode({
    sources: [source(callSpec, { baseUrl: server.url, maxResponseBytes: 1_000_000 }), slowapi],
  });
  const r = await cm.execute(`
    const out = {};
    for (const [ns, name] of [["api", "huge"], ["slowapi", "slow"], ["api", "badjson"], ["api", "html"]]) {
      try { out[name] = await tools[ns][name]({}); } catch (e) { out[name] = e.message.replace(/ \\(script.*/, ""); }
    }
    return out;
  `);
  assert.deepEqual(r.result, {
    huge: "tools.api.huge failed: GET /huge: the response is over the limit of 1000000 bytes",
    slow: "tools.slowapi.slow timed out after 500 ms",
    badjson: "tools.api.badjson failed: GET /badjson: the response says it is JSON but is not valid JSON",
    html: "<html>hi</html>",
  });
  await waitFor(() => slowCancelled, 60_000, "the timed-out request to be aborted");
  assert.deepEqual(warnings, [
    '[codemode] OpenAPI source "slowapi": operationTimeoutsMs.nope: no operation of slowapi has this name; it applies to none',
  ]);
});

Deno.test("openapi abuse: a redirect to another origin does not carry the credentials; one within the origin does", async () => {
  await using other = startServer();
  await using server = startServer((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/away") return Response.redirect(`${other.url}/landed?api_key=mine`, 302);
    if (path === "/home") return Response.redirect(`${new URL(req.url).origin}/landed`, 307);
    return undefined;
  });
  const auth = { type: "apiKey", in: "query", name: "api_key", value: "key-redirect-123" } as const;
  await using cm = new Codemode({
    sources: [source(callSpec, { baseUrl: server.url, auth, headers: { "X-Secret": "hdr-redirect-123" } })],
  });
  const r = await cm.execute(`return [(await tools.api.away({})).echo, (await tools.api.home({})).echo]`);
  const [away, home] = r.result as { query: string[][] }[];
  assert.deepEqual(away.query, []);
  assert.equal(other.seen[0].headers["x-secret"], undefined);
  assert.deepEqual(other.seen[0].query, []);
  assert.equal(server.seen.at(-1)!.headers["x-secret"], "hdr-redirect-123");
  assert.deepEqual(server.seen.at(-1)!.query, [["api_key", "key-redirect-123"]]);
  assert.ok(!JSON.stringify(home).includes("key-redirect-123"), "and the echo reaching the script is redacted");
});

Deno.test("openapi abuse: hostile config values (a file: base URL, line breaks, a ':' in a user name) are refused by key", async () => {
  const { parseConfig } = await import("../../src/config/mod.ts");
  const yaml = `openapi:
  api:
    spec: ./x.yaml
    baseUrl: file:///etc/passwd
    headers:
      X-A: "a\\r\\nX-Evil: 1"
    auth: { type: basic, username: "a:b", password: "p" }
    operationTimeoutsMs: { getPet: -5, slow: soon }
  "bad.name":
    spec: ./y.yaml
    auth: { type: bearer, token: t }
`;
  assert.throws(() => parseConfig(yaml, "/srv/codemode.yaml", { env: {} }), (e: Error) => {
    for (
      const expected of [
        /openapi\.api\.baseUrl: expected an http\(s\) URL/,
        /openapi\.api\.headers\["X-A"\]: header values must not contain line breaks/,
        /openapi\.api\.auth\.username: must not contain ':' or line breaks/,
        /openapi\.api\.operationTimeoutsMs\.getPet: /,
        /openapi\.api\.operationTimeoutsMs\.slow: /,
        /openapi\["bad\.name"\]: OpenAPI namespaces start with a letter/,
      ]
    ) assert.match(e.message, expected);
    return true;
  });
  const mixed = `openapi:\n  api:\n    spec: ./x.yaml\n    auth: { type: bearer, token: t0k3n1, value: v }\n`;
  assert.throws(
    () => parseConfig(mixed, "/srv/c.yaml", { env: {} }),
    /openapi\.api\.auth\.value: not used by auth type "bearer"/,
  );
});

Deno.test("openapi abuse: a YAML alias bomb is refused, and a symbolic link cannot lead a $ref out of the spec's directory", async () => {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) {
      levels.push(
        `${"abcdefghijkl"[i]}: &${"abcdefghijkl"[i]} [${Array(10).fill(`*${"abcdefghijkl"[i - 1]}`).join(", ")}]`,
      );
    }
    await Deno.writeTextFile(
      `${dir}/bomb.yaml`,
      `openapi: 3.0.3\ninfo: { title: t, version: "1" }\npaths: {}\n${levels.join("\n")}\n`,
    );
    const bomb = openApiTools({ namespace: "bomb", spec: `${dir}/bomb.yaml`, baseUrl: "http://127.0.0.1:9" });
    await assert.rejects(bomb.load(), /OpenAPI source "bomb": .*bomb\.yaml: not valid JSON or YAML: .*alias/i);

    await Deno.writeTextFile(`${outside}/secret.yaml`, "X: { type: string, description: the host's secret file }\n");
    await Deno.symlink(`${outside}/secret.yaml`, `${dir}/link.yaml`);
    const body = { content: { "application/json": { schema: { $ref: "./link.yaml#/X" } } } };
    const linked = openApiTools({
      namespace: "linked",
      spec: spec({ "/x": { post: { operationId: "x", requestBody: body, responses: ok } } }),
      cwd: dir,
      baseUrl: "http://127.0.0.1:9",
      onWarning: () => {},
    });
    assert.deepEqual(await linked.load(), []);
    assert.match(linked.skipped[0].reason, /leads outside the spec's directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("openapi abuse: a key in the spec URL's or base URL's query is redacted from load errors and answers", async () => {
  await using server = startServer((req) =>
    new URL(req.url).pathname === "/missing.json" ? new Response("no", { status: 404 }) : undefined
  );
  const failing = openApiTools({ namespace: "u", spec: `${server.url}/missing.json?token=spec-token-123456` });
  await assert.rejects(
    failing.load(),
    (e: Error) => !e.message.includes("spec-token-123456") && /\[redacted\]/.test(e.message),
  );
  const base = `${server.url}/api?key=base-key-123456`;
  await using cm = new Codemode({ sources: [source(callSpec, { baseUrl: base })] });
  const r = await cm.execute(`return await tools.api.home({})`);
  assert.deepEqual(server.seen.at(-1)!.query, [["key", "base-key-123456"]]);
  assert.ok(!JSON.stringify(r).includes("base-key-123456"), JSON.stringify(r));
});
