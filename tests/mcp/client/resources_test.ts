// Upstream resources: links and embedded resources in results are typed values, and
// tools.<server>.$read reads what that server returned or lists.
import assert from "node:assert/strict";
import { Codemode } from "../../../src/codemode.ts";
import { McpToolSource } from "../../../src/mcp/client/mod.ts";
import { quiet, stdioServer } from "./_helpers.ts";

const PIXEL = btoa(String.fromCharCode(137, 80, 78, 71, 13, 10, 26, 10));

const resourceServer = () => new McpToolSource("docs", stdioServer("resource_server.ts"), quiet());

Deno.test("resources: links and embedded resources are typed values; $read reads what the server returned or lists", async () => {
  await using cm = new Codemode({ sources: [resourceServer()] });
  const r = await cm.execute(`
    const items = await tools.docs.links({});
    const link = items.find((i) => i.type === "resource_link");
    return {
      items,
      hidden: await tools.docs.$read({ uri: link.uri }),
      inline: await tools.docs.$read({ uri: "notes://inline" }),
      welcome: await tools.docs.$read({ uri: "notes://welcome" }),
      logo: await tools.docs.$read({ uri: "notes://logo" }),
      folder: await tools.docs.$read({ uri: "notes://folder" }),
      child: await tools.docs.$read({ uri: "notes://folder/b" }),
    };
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.deepEqual(r.result, {
    items: [
      { type: "text", text: "see these" },
      { type: "resource_link", uri: "notes://hidden", name: "hidden", mimeType: "text/plain", size: 12 },
      { type: "resource", uri: "notes://inline", mimeType: "text/markdown", text: "# inline" },
      { type: "resource", uri: "notes://pixel", mimeType: "image/png", blob: PIXEL },
    ],
    hidden: [{ uri: "notes://hidden", mimeType: "text/plain", text: "found hidden" }],
    inline: [{ uri: "notes://inline", text: "# inline, read" }],
    welcome: [{ uri: "notes://welcome", mimeType: "text/plain", text: "Welcome!" }],
    logo: [{ uri: "notes://logo", mimeType: "image/png", blob: PIXEL }],
    folder: [{ uri: "notes://folder/a", text: "A" }, { uri: "notes://folder/b", text: "B" }],
    child: [{ uri: "notes://folder/b", text: "B" }],
  });
});

Deno.test("resources: $read is declared for a server with resources, not for one without", async () => {
  await using cm = new Codemode({
    sources: [resourceServer(), new McpToolSource("plain", stdioServer(), quiet())],
  });
  const types = await cm.types();
  assert.match(
    types,
    /\$read\(input: \{\n\s+\/\*\* The resource's URI\. \*\/\n\s+uri: string;\n\s+\}\): Promise<\(\{\n\s+uri: string;\n\s+mimeType\?: string;\n\s+\/\*\* The content, as text\. \*\/\n\s+text: string;/,
  );
  assert.ok(cm.registry.get("docs.$read"));
  assert.equal(cm.registry.get("plain.$read"), undefined);
  assert.equal(cm.registry.get("docs.$read_")?.name, "docs.$read_", "the upstream's own $read is renamed");
  const r = await cm.execute(`return await tools.docs.$read_({})`);
  assert.equal(r.result, "the upstream's own $read");
});
