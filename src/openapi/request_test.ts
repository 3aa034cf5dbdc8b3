import assert from "node:assert/strict";
import { buildRequest } from "./request.ts";
import type { Operation, OperationParameter } from "./operations.ts";

const op = (parameters: Partial<OperationParameter>[], body?: Operation["body"]): Operation => ({
  name: "x",
  method: "POST",
  path: "/x",
  label: "POST /x",
  description: "",
  jsonResponse: true,
  inputSchema: {},
  parameters: parameters.map((p) => ({
    name: p.key!,
    in: "query",
    style: "form",
    explode: true,
    json: false,
    ...p,
  } as OperationParameter)),
  ...(body ? { body } : {}),
});
const base = new URL("http://h/v1/");
const none = { headers: {}, query: {} };

Deno.test("query parameters follow their style: form (exploded or not), space- and pipe-delimited, deepObject", () => {
  const o = op([
    { key: "a" },
    { key: "b", explode: false },
    { key: "c", style: "spaceDelimited", explode: false },
    { key: "d", style: "pipeDelimited", explode: false },
    { key: "e", style: "deepObject" },
    { key: "f", explode: false },
    { key: "g", json: true },
  ]);
  const input = { a: [1, 2], b: [1, 2], c: ["x", "y"], d: ["x", "y"], e: { k: "v", n: 1 }, f: { k: "v" }, g: { q: 1 } };
  const req = buildRequest(o, input, base, none);
  assert.deepEqual([...req.url.searchParams], [
    ["a", "1"],
    ["a", "2"],
    ["b", "1,2"],
    ["c", "x y"],
    ["d", "x|y"],
    ["e[k]", "v"],
    ["e[n]", "1"],
    ["f", "k,v"],
    ["g", '{"q":1}'],
  ]);
  assert.equal(req.url.pathname, "/v1/x");
});

Deno.test("header and cookie parameters, and the source's own credentials last (a parameter cannot replace them)", () => {
  const o = op([{ key: "X-Id", in: "header" }, { key: "session", in: "cookie" }, { key: "api_key" }]);
  const req = buildRequest(o, { "X-Id": 5, session: "a b", api_key: "mine" }, base, {
    headers: { Authorization: "Bearer t" },
    query: { api_key: "theirs" },
  });
  assert.equal(req.headers.get("x-id"), "5");
  assert.equal(req.headers.get("cookie"), "session=a%20b");
  assert.equal(req.headers.get("authorization"), "Bearer t");
  assert.deepEqual(req.url.searchParams.getAll("api_key"), ["theirs"]);
});

Deno.test("bodies: JSON, form-urlencoded (arrays repeated, objects as JSON) and text", () => {
  const json = buildRequest(op([], { kind: "json", mediaType: "application/json" }), { body: { a: 1 } }, base, none);
  assert.equal(json.body, '{"a":1}');
  assert.equal(json.headers.get("content-type"), "application/json");
  const form = buildRequest(
    op([], { kind: "form", mediaType: "application/x-www-form-urlencoded" }),
    { body: { a: [1, 2], b: { c: 1 }, d: undefined } },
    base,
    none,
  );
  assert.equal(form.body, "a=1&a=2&b=%7B%22c%22%3A1%7D");
  const text = buildRequest(op([], { kind: "text", mediaType: "text/plain" }), { body: "hi" }, base, none);
  assert.deepEqual([text.body, text.headers.get("content-type")], ["hi", "text/plain"]);
});

Deno.test("a base URL's own query parameters are kept, before the operation's", () => {
  const req = buildRequest(op([{ key: "q" }]), { q: "x" }, new URL("http://h/v1?api-version=2#frag"), none);
  assert.equal(req.url.href, "http://h/v1/x?api-version=2&q=x");
});
