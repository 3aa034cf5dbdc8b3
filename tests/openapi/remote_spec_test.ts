// A spec fetched from an http(s) URL: a relative server URL and relative $refs resolve against it (same origin).
import assert from "node:assert/strict";
import { Codemode } from "../../mod.ts";
import { openApiTools } from "../../src/openapi/mod.ts";
import { startServer } from "./_server.ts";

const api = {
  openapi: "3.1.0",
  info: { title: "remote", version: "1" },
  servers: [{ url: "/api" }],
  paths: {
    "/things/{id}": {
      get: {
        operationId: "getThing",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": { description: "ok", content: { "application/json": { schema: { $ref: "./schemas.json#/Thing" } } } },
        },
      },
    },
  },
};
const schemas = {
  Thing: { type: "object", properties: { id: { type: "string" }, tags: { type: ["array", "null"] } } },
};

Deno.test("a spec URL: relative servers and $refs resolve against it; calls go to its origin", async () => {
  await using server = startServer((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/spec/api.json") return Response.json(api);
    if (path === "/spec/schemas.json") return Response.json(schemas);
    return undefined;
  });
  const source = openApiTools({ namespace: "remote", spec: `${server.url}/spec/api.json` });
  await using cm = new Codemode({ sources: [source] });
  assert.match(
    await cm.types(),
    /getThing\(input: \{\n\s+id: string;\n\s+\}\): Promise<\{\n\s+id\?: string;\n\s+tags\?: unknown\[\] \| null;/,
  );
  const r = await cm.execute(`return (await tools.remote.getThing({ id: "a/b" })).echo.path`);
  assert.equal(r.result, "/api/things/a%2Fb", JSON.stringify(r.error));
  assert.deepEqual(source.skipped, []);
});

Deno.test("a spec URL that does not answer JSON or YAML, or is not OpenAPI 3, fails the source with a clear error", async () => {
  await using server = startServer((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/swagger2.json") return Response.json({ swagger: "2.0", paths: {} });
    if (path === "/broken.yaml") return new Response("a: [unclosed");
    if (path === "/missing.json") return new Response("nope", { status: 404 });
    return undefined;
  });
  for (
    const [path, message] of [
      ["/swagger2.json", /is not an OpenAPI 3\.0 or 3\.1 document/],
      ["/broken.yaml", /broken\.yaml: not valid JSON or YAML/],
      ["/missing.json", /cannot fetch .*missing\.json: HTTP 404/],
    ] as const
  ) {
    const source = openApiTools({ namespace: "bad", spec: `${server.url}${path}` });
    await assert.rejects(
      source.load(),
      (e: Error) => /^OpenAPI source "bad": /.test(e.message) && message.test(e.message),
    );
  }
});
