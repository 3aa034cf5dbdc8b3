// Abuse tests for `$schema` (an upstream now chooses the dialect its schemas are validated in):
// an unknown, remote, huge or non-string `$schema` is validated as a dialect Codemode speaks,
// with a bounded warning, and never fetched; a schema cannot dodge validation by its dialect.
// Stopped by: only the dialects Codemode ships (draft-07, 2019-09, 2020-12) are used; `$schema` is never fetched;
// unknown dialects validate as 2020-12 with a bounded warning.
import assert from "node:assert/strict";
import { Codemode } from "../../src/codemode.ts";
import { McpToolSource } from "../../src/mcp/client/mod.ts";
import { quiet, stdioServer } from "../mcp/client/_helpers.ts";

Deno.test("schema dialect abuse: upstream schemas are checked in their dialect; a remote $schema is never fetched", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let connections = 0;
  const accepting = (async () => {
    for await (const conn of listener) connections++, conn.close();
  })();
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.join(" "));
  try {
    const remote = `http://127.0.0.1:${port}/meta-schema`;
    const warnings: string[] = [];
    const source = new McpToolSource("up", stdioServer("abuse_server.ts", {}, ["dialects", remote]), quiet(warnings));
    await using cm = new Codemode({ sources: [source] });
    const r = await cm.execute(`
      const run = async (name, input) => {
        try { return await tools.up[name](input); } catch (e) { return e.message.replace(/ \\(script.*/, ""); }
      };
      return {
        tuple07: [await run("tuple07", { pair: ["a", 1] }), await run("tuple07", { pair: [1, "a"] })],
        tuple2020: [await run("tuple2020", { pair: ["a", 1] }), await run("tuple2020", { pair: ["a", 1, 2] })],
        draft04: await run("draft04", { pair: [1] }),
        remote: await run("remote", {}),
        huge: await run("huge_uri", {}),
        undeclared: await run("tuple_undeclared", { pair: [1] }),
      };
    `);
    assert.deepEqual(r.result, {
      tuple07: ["called tuple07", "Invalid input for tools.up.tuple07: pair.0: must be string; pair.1: must be number"],
      tuple2020: ["called tuple2020", "Invalid input for tools.up.tuple2020: pair: must NOT have more than 2 items"],
      draft04: "Invalid input for tools.up.draft04: pair.0: must be string",
      remote: "called remote",
      huge: "called huge_uri",
      undeclared: "Invalid input for tools.up.tuple_undeclared: pair.0: must be string",
    });
    assert.deepEqual(warnings, []);
    const dialects = warned.filter((w) => w.includes("JSON Schema dialect"));
    assert.equal(dialects.length, 4, dialects.join("\n"));
    assert.ok(dialects.every((w) => w.length < 400), "the warning quotes at most 200 characters of $schema");
    assert.equal(connections, 0, "Ajv never fetches a meta-schema");
  } finally {
    console.warn = original;
    listener.close();
    await accepting.catch(() => {});
  }
});
