// Abuse tests for Codemode as an MCP client: hostile or broken upstream servers
// must give bounded, clear errors, never crash or hang the host, and never get
// the upstream's configured secrets into anything the sandbox sees.
// Stopped by: size and time limits on every upstream message, sanitized tool lists and schemas, and redaction of
// configured secrets in anything the sandbox sees.
import assert from "node:assert/strict";
import { Codemode } from "../../src/codemode.ts";
import { McpToolSource } from "../../src/mcp/client/mod.ts";
import { alive, freePort, processesWith, quiet, startHttpServer, stdioServer } from "../mcp/client/_helpers.ts";
import { base64, leakyForms } from "../mcp/client/fixtures/leaky_forms.ts";

const abuse = (mode: string, env: Record<string, string> = {}, ...args: string[]) =>
  stdioServer("abuse_server.ts", env, [mode, ...args]);

// Over HTTP: the SDK's stdio reader copies its buffer on every chunk, so 10 MB over stdio
// costs ~3 s of copying before the limit can apply (the stdio limit is tested below).
Deno.test(
  "mcp abuse: a 10 MB upstream result is refused with a bounded error; the connection stays usable",
  async () => {
    const web = await startHttpServer();
    try {
      await using cm = new Codemode({ sources: [new McpToolSource("up", web.config(), quiet())] });
      const r = await cm.execute(`
      let message = "";
      try { await tools.up.huge({ mib: 10 }); } catch (e) { message = e.message; }
      return { message, after: await tools.up.echo({ text: "still here" }) };
    `);
      assert.equal(r.ok, true, JSON.stringify(r.error));
      const { message, after } = r.result as { message: string; after: string };
      assert.match(
        message,
        /tools\.up\.huge failed: .*"huge": the result is 10485762 bytes of JSON, over the limit of 1048576/,
      );
      assert.ok(message.length < 500);
      assert.equal(after, "still here");
      assert.ok(JSON.stringify(r).length < 10_000);
    } finally {
      await web.stop();
    }
  },
);

Deno.test(
  "mcp abuse: a message over maxMessageBytes ends the connection with a clear error; the next call reconnects",
  async () => {
    const source = new McpToolSource("up", stdioServer(), quiet([], { maxMessageBytes: 2 << 20 }));
    await using cm = new Codemode({ sources: [source] });
    const r = await cm.execute(`
    let message = "";
    try { await tools.up.huge({ mib: 3 }); } catch (e) { message = e.message; }
    return { message, after: await tools.up.echo({ text: "reconnected" }) };
  `);
    const { message, after } = r.result as { message: string; after: string };
    assert.match(
      message,
      /upstream MCP server "up" sent a message over the limit of 2097152 bytes and was disconnected/,
    );
    assert.equal(after, "reconnected");
  },
);

Deno.test(
  "mcp abuse: a stdio server that never answers initialize times out naming the server, and is killed",
  async () => {
    // Found by this argument rather than by a pid it reports: it may be killed before it gets that far.
    const marker = `silent-${crypto.randomUUID()}`;
    const source = new McpToolSource("mute", abuse("silent", {}, marker), quiet([], { connectTimeoutMs: 400 }));
    // Not "closed the connection": the child was up, and silent, for the whole 400 ms.
    await assert.rejects(
      source.load(),
      /could not connect to upstream MCP server "mute": upstream MCP server "mute" did not answer server\/discover or initialize within 400 ms/,
    );
    // It ignores the end of its stdin and never exits by itself: only a kill ends it, and close() waits for that.
    await source.close();
    assert.deepEqual(processesWith(marker), []);
  },
);

Deno.test(
  "mcp abuse: an HTTP server that accepts but never answers initialize times out naming the server",
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    const accepting = (async () => {
      for await (const conn of listener) held.push(conn);
    })();
    try {
      const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/mcp`;
      const source = new McpToolSource(
        "mute",
        { url, headers: {}, startup: "lazy" },
        quiet([], { connectTimeoutMs: 400 }),
      );
      await using cm = new Codemode({ sources: [source] });
      const r = await cm.execute(`try { await tools.mute.x({}); } catch (e) { return e.message; }`);
      assert.match(
        String(r.result),
        /upstream MCP server "mute" did not answer server\/discover or initialize within 400 ms/,
      );
    } finally {
      listener.close();
      for (const conn of held) conn.close();
      await accepting.catch(() => {});
    }
  },
);

Deno.test(
  "mcp abuse: hostile tool names, schemas and descriptions are sanitized or skipped, never crash the host",
  async () => {
    const warnings: string[] = [];
    const source = new McpToolSource("evil", abuse("malicious"), quiet(warnings));
    await using cm = new Codemode({ sources: [source] });
    await cm.loadTools();
    const names = cm.registry.names().filter((n) => n.startsWith("evil."));
    assert.deepEqual(names, [
      "evil.______etc",
      "evil.__proto___",
      "evil.a_b",
      "evil.comment",
      "evil.constructor_",
      "evil.draft7",
      "evil.long_description",
      "evil.ok",
      "evil.proto_props",
      "evil.secretive",
      "evil.then_",
      "evil.tree",
      "evil.x_y",
    ]);
    const skipped = (name: string) => warnings.find((w) => w.includes(`skipped tool ${JSON.stringify(name)}`)) ?? "";
    assert.match(skipped("x_y"), /already used by tool "x-y"/);
    assert.match(skipped(""), /1 to 128 characters/);
    assert.match(skipped("42"), /1 to 128 characters/);
    assert.match(skipped("huge_schema"), /input schema is \d+ bytes of JSON, over the limit of 100000/);
    assert.match(skipped("ref_loop"), /\$ref loop/);
    assert.match(skipped("root_ref"), /\$ref loop/);
    assert.match(skipped("deep"), /nests deeper than 64 levels/);
    assert.match(skipped("remote_ref"), /can't resolve reference/);
    assert.match(skipped("no_schema"), /input schema is not a JSON Schema object/);
    assert.match(skipped("bad_output"), /output schema is not a JSON Schema object/);
    assert.equal(warnings.length, 11, warnings.join("\n"));

    const types = await cm.types();
    assert.doesNotMatch(types, /\*\/ declare const evil/, "a description cannot close its JSDoc comment");
    assert.ok(types.length < 50_000, `types() is ${types.length} characters`);
    const r = await cm.execute(`
    return await Promise.all([
      tools.evil.______etc({}), tools.evil.__proto___({}), tools.evil.then_({}), tools.evil.a_b({}),
      tools.evil.tree({ child: { child: {} } }), tools.evil.draft7({ n: 1 }),
      tools.evil.proto_props(JSON.parse('{"__proto__": "p", "constructor": 1}')),
    ]);
  `);
    assert.deepEqual(r.result, [
      "called ../../etc",
      "called __proto__",
      "called then",
      "called a.b",
      "called tree",
      "called draft7",
      "called proto_props",
    ]);
    // Loading again (as after tools/list_changed) works: no `$id` clashes in the shared Ajv.
    assert.equal((await source.load()).length, 13);
  },
);

Deno.test("mcp abuse: endless tools/list pagination stops with a warning", async () => {
  const warnings: string[] = [];
  const source = new McpToolSource("pages", abuse("endless-pages"), quiet(warnings));
  try {
    const tools = await source.load();
    assert.deepEqual(tools.map((t) => t.name), ["pages.t0", "pages.tagain"]);
    assert.match(warnings.join("\n"), /pagination does not end; stopped after 2 pages/);
  } finally {
    await source.close();
  }
});

Deno.test(
  "mcp abuse: upstream env and header secrets never appear in any ExecutionResult or in types()",
  async () => {
    const secret = "sk-live-SECRET-0123456789";
    const headerSecret = "hdr-SECRET-9876543210";
    const web = await startHttpServer(0, "the-right-key-000");
    const nowhere = `http://127.0.0.1:${freePort()}/mcp?token=url-SECRET-55555`;
    try {
      await using cm = new Codemode({
        sources: [
          new McpToolSource("up", stdioServer("stdio_server.ts", { FIXTURE_SECRET: secret }), quiet()),
          new McpToolSource("evil", abuse("malicious", { FIXTURE_SECRET: secret }), quiet()),
          new McpToolSource(
            "web",
            web.config({ "x-api-key": headerSecret, authorization: `Bearer ${headerSecret}` }),
            quiet(),
          ),
          new McpToolSource("gone", { url: nowhere, headers: { "x-api-key": headerSecret }, startup: "lazy" }, quiet()),
        ],
      });
      const results = [
        await cm.execute(`return await tools.up.leak({})`),
        await cm.execute(`return Object.keys(tools)`),
        await cm.execute(`try { await tools.up.leak({}); } catch (e) { return String(e.message) + e.stack; }`),
        await cm.execute(`return await tools.web.x({})`),
        await cm.execute(`return await tools.gone.x({})`),
      ];
      const seen = JSON.stringify(results) + (await cm.types());
      assert.match(seen, /cannot log in with token \[redacted\]/);
      assert.match(seen, /Uses token \[redacted\]/);
      // SDK v1 quoted the 401's body (which echoes the key: redacted); SDK v2 names the status only.
      assert.match(
        seen,
        /Tool source "web" failed to load: .*(bad api key: \[redacted\]|requires authorization \(HTTP 401\))/,
      );
      assert.match(seen, /Tool source "gone" failed to load/);
      for (const value of [secret, headerSecret, "url-SECRET-55555"]) {
        assert.ok(!seen.includes(value), `${value} leaked`);
      }
    } finally {
      await web.stop();
    }
  },
);

/** Where `secret` shows in `seen`, in any form leaky_server.ts sends it in, worked out without the Redactor. */
function secretFormsIn(seen: string, secret: string): string[] {
  const found: string[] = [];
  const bytes = new TextEncoder().encode(secret);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  for (const needle of [secret, encodeURIComponent(secret), hex]) {
    if (seen.toLowerCase().includes(needle.toLowerCase())) found.push(needle);
  }
  // The base64 characters made of the secret's bytes alone, at each of the three alignments.
  for (const [offset, skip] of [[0, 0], [1, 2], [2, 3]]) {
    const blob = base64(new TextEncoder().encode("xy".slice(0, offset) + secret + "-and-more-data"));
    const part = blob.slice(skip, Math.floor((offset + bytes.length) * 8 / 6));
    for (const needle of [part, part.replaceAll("+", "-").replaceAll("/", "_")]) {
      if (seen.includes(needle)) found.push(needle);
    }
  }
  const bare = (text: string) => text.toLowerCase().replace(/[\s\-_.:]/g, "");
  if (bare(seen).includes(bare(secret))) found.push(`${secret} spread out`);
  return found;
}

Deno.test(
  "mcp abuse: an upstream echoing its env secret in any common encoding, through any channel, never gets it to the script",
  async () => {
    const secret = "sk/Live+SECRET=0123456789@x";
    const sent = leakyForms(secret);
    const forms = Object.keys(sent);
    for (const [form, value] of Object.entries(sent)) {
      assert.notDeepEqual(secretFormsIn(JSON.stringify({ value }), secret), [], `the search misses ${form}`);
    }
    const env = { LEAKY_SECRET: secret };
    await using cm = new Codemode({
      sources: [
        new McpToolSource("leaky", stdioServer("leaky_server.ts", env), quiet()),
        new McpToolSource("unlisted", stdioServer("leaky_server.ts", env, ["list-fails"]), quiet()),
      ],
    });
    const r = await cm.execute(`
      const got = {};
      for (const form of ${JSON.stringify(forms)}) {
        got[form] = { text: await tools.leaky.text({ form }), structured: await tools.leaky.structured({ form }) };
        for (const tool of ["is_error", "throws"]) {
          try { await tools.leaky[tool]({ form }); } catch (e) { got[form][tool] = e.message; }
        }
        console.log(form, JSON.stringify(got[form]));
      }
      return got;
    `);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    // Every channel of every form did carry the echo, redacted.
    const got = r.result as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(got), forms);
    for (const [form, { text, structured, is_error, throws }] of Object.entries(got)) {
      const s = structured as { value: string; nested: { list: [{ deep: [string] }] } };
      const redacted = [text, s.value, s.nested.list[0].deep[0], is_error, throws, Object.keys(s).join()];
      for (const value of redacted) assert.match(String(value), /\[redacted\]/, `${form}: ${value}`);
      assert.match(String(is_error), /^tools\.leaky\.is_error failed: login failed: token=/);
      assert.match(String(throws), /^tools\.leaky\.throws failed: upstream MCP server "leaky" refused/);
    }
    assert.equal(r.logs.filter((l) => /\[redacted\]/.test(l.text)).length, forms.length);
    const unlisted = await cm.execute(`return await tools.unlisted.text({ form: "raw" })`);
    assert.match(
      unlisted.error?.message ?? "",
      /Tool source "unlisted" failed to load: .*cannot list tools for token .*\[redacted\]/,
    );
    assert.match(await cm.types(), /^\/\/ Not available now: .*cannot list tools for token .*\[redacted\]/);
    assert.deepEqual(secretFormsIn(JSON.stringify(unlisted), secret), []);
    assert.match(await cm.types(), /Echoes the token \(raw=\[redacted\]/);
    assert.deepEqual(secretFormsIn(JSON.stringify(r) + (await cm.types()), secret), []);
  },
);

Deno.test("mcp abuse: a source whose child is stuck still closes promptly and leaves no process", async () => {
  const source = new McpToolSource("up", stdioServer(), quiet());
  await using cm = new Codemode({ sources: [source], limits: { toolTimeoutMs: 200 } });
  const r = await cm.execute(`try { await tools.up.hang({}); } catch (e) { return e.message; }`);
  assert.match(String(r.result), /tools\.up\.hang timed out after 200 ms/);
  const pid = source.pid!;
  assert.ok(alive(pid));
  // close() does not wait for the call still pending upstream (its own timeout is 300 s).
  await cm.close();
  assert.equal(alive(pid), false);
});
