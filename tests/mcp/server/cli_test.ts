// `cli.ts mcp` itself, through the real CLI entry point.
import assert from "node:assert/strict";
import { call, connectStdio, DEMO_TOOLS, type ExecuteContent, ROOT } from "./_helpers.ts";

Deno.test({
  name: "cli.ts mcp serves stdio: tools/list and execute_code through the real CLI entry point",
  fn: async () => {
    await using conn = await connectStdio(["mcp", "--tools", DEMO_TOOLS], [`${ROOT}cli.ts`]);
    const { tools } = await conn.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ["execute_code", "search_tools", "get_tool_types"]);
    const r = await call(conn.client, "execute_code", {
      code: `return (await tools.currency.convert({ amount: 10, from: "USD", to: "EUR" })).amount`,
    });
    assert.equal((r.structuredContent as unknown as ExecuteContent).result, 9.2);
  },
});
