// execute_code's `typecheck` argument and `codemode mcp --typecheck`, through the official client
// against a real `codemode mcp` process.
import assert from "node:assert/strict";
import { call, connectStdio, DEMO_TOOLS, type ExecuteContent, text } from "./_helpers.ts";

const TYPO = `const w = await tools.weather.get({ citty: "Oslo" });\nreturn w.tempC;`;

Deno.test("execute_code with typecheck: a script that fails its check does not run, and the model reads why", async () => {
  await using server = await connectStdio(["--tools", DEMO_TOOLS, "--pool", "0"]);
  const r = await call(server.client, "execute_code", { code: TYPO, typecheck: true });
  assert.equal(r.isError, true);
  const content = r.structuredContent as unknown as ExecuteContent & { diagnostics: { tool: string; field: string }[] };
  assert.equal(content.stopReason, "typecheck");
  assert.deepEqual(content.toolCalls, []);
  assert.deepEqual(content.diagnostics.map((d) => [d.tool, d.field]), [["weather.get", "citty"]]);
  assert.match(text(r), /script\.ts:1:37 - error TS2561: .*'citty'.*\(tools\.weather\.get, field citty\)/);
  // Without it (the server's default is off), the script runs and the host's validation refuses the input.
  const ran = await call(server.client, "execute_code", { code: TYPO });
  assert.equal((ran.structuredContent as unknown as ExecuteContent).stopReason, "error");
  // A typecheck that is not a boolean is refused by the input schema.
  const bad = await call(server.client, "execute_code", { code: "return 1", typecheck: "yes" });
  assert.equal(bad.isError, true);
  assert.match(text(bad), /typecheck/);
});

Deno.test("codemode mcp --typecheck checks every script unless the call says typecheck: false", async () => {
  await using server = await connectStdio(["--tools", DEMO_TOOLS, "--pool", "0", "--typecheck"]);
  const checked = await call(server.client, "execute_code", { code: TYPO });
  assert.equal((checked.structuredContent as unknown as ExecuteContent).stopReason, "typecheck");
  const unchecked = await call(server.client, "execute_code", { code: TYPO, typecheck: false });
  assert.equal((unchecked.structuredContent as unknown as ExecuteContent).stopReason, "error");
  const good = await call(server.client, "execute_code", {
    code: `return (await tools.weather.get({ city: "Oslo" })).tempC`,
  });
  assert.equal((good.structuredContent as unknown as ExecuteContent).result, 4);
});
