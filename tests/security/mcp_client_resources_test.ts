// Abuse tests for tools.<server>.$read (a new door: the script now asks upstreams for resources).
// It reads only URIs that server returned or lists, only on that server; the host never resolves a
// URI itself; answers are bounded; malformed ones are left out or are clear errors.
// Stopped by: `$read` accepts only URIs that server returned or lists, is sent to that server only, and is bounded by
// `maxResultBytes`.
import assert from "node:assert/strict";
import { Codemode } from "../../src/codemode.ts";
import { McpToolSource } from "../../src/mcp/client/mod.ts";
import { quiet, stdioServer } from "../mcp/client/_helpers.ts";

const docs = (name = "docs", env: Record<string, string> = {}) =>
  new McpToolSource(name, stdioServer("resource_server.ts", env), quiet());

/** Runs each read in the script, giving its value or its error message (without the call site). */
const READ = `const read = async (tool, uri) => {
  try { return await tool({ uri }); } catch (e) { return e.message.replace(/ \\(script\\.ts:.*/, ""); }
};`;

Deno.test("mcp resources abuse: a URI the server neither returned nor lists is refused before any request", async () => {
  await using cm = new Codemode({ sources: [docs()] });
  const r = await cm.execute(`${READ}
    return {
      guessed: await read(tools.docs.$read, "notes://hidden"),
      host: await read(tools.docs.$read, "file:///etc/hostname"),
      reads: JSON.parse(await tools.docs.reads({})),
    };
  `);
  assert.deepEqual(r.result, {
    guessed:
      'tools.docs.$read failed: upstream MCP server "docs" neither returned nor lists the resource "notes://hidden"; $read reads only those',
    host:
      'tools.docs.$read failed: upstream MCP server "docs" neither returned nor lists the resource "file:///etc/hostname"; $read reads only those',
    reads: [],
  });
});

Deno.test("mcp resources abuse: a file:// URI a server returned is read from that server, never from the host", async () => {
  await using cm = new Codemode({ sources: [docs()] });
  const r = await cm.execute(`
    await tools.docs.hostile_links({});
    return await tools.docs.$read({ uri: "file:///etc/passwd" });
  `);
  assert.deepEqual(r.result, [
    { uri: "file:///etc/passwd", text: "answered by the upstream server, never read from the host" },
  ]);
  assert.doesNotMatch(JSON.stringify(r), /root:/);
});

Deno.test("mcp resources abuse: a URI one server returned cannot be read through another", async () => {
  await using cm = new Codemode({ sources: [docs("docs"), docs("other")] });
  const r = await cm.execute(`${READ}
    await tools.docs.links({});
    return {
      elsewhere: await read(tools.other.$read, "notes://hidden"),
      here: await read(tools.docs.$read, "notes://hidden"),
      otherReads: JSON.parse(await tools.other.reads({})),
    };
  `);
  assert.deepEqual(r.result, {
    elsewhere:
      'tools.other.$read failed: upstream MCP server "other" neither returned nor lists the resource "notes://hidden"; $read reads only those',
    here: [{ uri: "notes://hidden", mimeType: "text/plain", text: "found hidden" }],
    otherReads: [],
  });
});

Deno.test("mcp resources abuse: huge, malformed and over-long resources give bounded errors or are left out", async () => {
  // (Malformed items in tools/call results never get this far: the SDK's client refuses the whole result.)
  await using cm = new Codemode({ sources: [docs()] });
  const r = await cm.execute(`${READ}
    const links = await tools.docs.hostile_links({});
    return {
      links: links.slice(4),
      huge: await read(tools.docs.$read, "notes://huge"),
      weird: await read(tools.docs.$read, "notes://weird"),
      notAList: await read(tools.docs.$read, "notes://not-a-list"),
      long: (await read(tools.docs.$read, "x".repeat(100000))).slice(0, 120),
      after: await read(tools.docs.$read, "notes://welcome"),
    };
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  const result = r.result as Record<string, unknown>;
  assert.deepEqual(result.links, [{ type: "resource_link", uri: "x".repeat(100_000), name: "long" }]);
  assert.match(
    result.huge as string,
    /^tools\.docs\.\$read failed: upstream MCP server "docs", resource "notes:\/\/huge": it is \d+ bytes of JSON, over the limit of 1048576 bytes$/,
  );
  assert.deepEqual(result.weird, [{ uri: "notes://weird", mimeType: "text/plain", text: "ok" }]);
  assert.equal(
    result.notAList,
    'tools.docs.$read failed: upstream MCP server "docs", resource "notes://not-a-list": its resources/read answer has no contents list',
  );
  assert.match(
    result.long as string,
    /^Invalid input for tools\.docs\.\$read: uri: must NOT have more than 8192 characters/,
  );
  assert.deepEqual(result.after, [{ uri: "notes://welcome", mimeType: "text/plain", text: "Welcome!" }]);
  assert.ok(JSON.stringify(r).length < 200_000);
});

Deno.test("mcp resources abuse: resource contents are redacted; policies apply to $read like any tool", async () => {
  const secret = "res-secret-9c2d71e0";
  await using open = new Codemode({ sources: [docs("docs", { FIXTURE_SECRET: secret })] });
  const r = await open.execute(`return await tools.docs.$read({ uri: "notes://secret" })`);
  assert.deepEqual(r.result, [{ uri: "notes://secret", text: "the key is [redacted]" }]);
  await using closed = new Codemode({ sources: [docs()], policies: { "docs.$read": "deny" } });
  const denied = await closed.execute(`return await tools.docs.$read({ uri: "notes://welcome" })`);
  assert.match(denied.error?.message ?? "", /^tools\.docs\.\$read is not a tool\./);
  assert.doesNotMatch(await closed.types(), /\$read\(/);
});
