// `codemode mcp` keeps a warm pool by default (--pool, default 2): an
// execute_code call runs on a child started ahead, the pool refills, and
// every child, waiting or running, ends with the server.
import assert from "node:assert/strict";
import { call, connectStdio, DEMO_TOOLS, type ExecuteContent, sandboxes, waitFor } from "./_helpers.ts";
import { DEFAULT_MCP_POOL_SIZE } from "../../../src/cli/mcp.ts";

Deno.test("stdio: execute_code runs on a pooled child, the pool refills, and the server takes its children along", async () => {
  const memoryMb = 121;
  const conn = await connectStdio(["--tools", DEMO_TOOLS, "--memory", String(memoryMb)]);
  try {
    await waitFor(
      async () => (await sandboxes(memoryMb, conn.pid)).length === DEFAULT_MCP_POOL_SIZE,
      20_000,
      "the pool",
    );
    const waiting = await sandboxes(memoryMb, conn.pid);
    const r = await call(conn.client, "execute_code", { code: "return 1" });
    assert.equal((r.structuredContent as unknown as ExecuteContent).result, 1);
    // One of the waiting children ran the script and was killed after it (a script's Deno.pid is its PID
    // namespace's inside the OS wall, so the host's view says which); the pool refilled with a new one.
    await waitFor(
      async () => {
        const now = await sandboxes(memoryMb, conn.pid);
        const used = waiting.filter((pid) => !now.includes(pid));
        return now.length === DEFAULT_MCP_POOL_SIZE && used.length === 1;
      },
      20_000,
      "the pool refilled, without the used child",
    );
  } finally {
    await conn[Symbol.asyncDispose]();
  }
  assert.deepEqual(await sandboxes(memoryMb), [], "no child outlives the server");
});

Deno.test("stdio: --pool 0 starts no child before a call", async () => {
  const memoryMb = 123;
  await using conn = await connectStdio(["--tools", DEMO_TOOLS, "--memory", String(memoryMb), "--pool", "0"]);
  const r = await call(conn.client, "execute_code", { code: "return 1" });
  assert.equal((r.structuredContent as unknown as ExecuteContent).result, 1);
  // The call's child is torn down by the kernel within ms of the reply; then nothing is left, nothing waits.
  await waitFor(async () => (await sandboxes(memoryMb, conn.pid)).length === 0, 10_000, "no child left or waiting");
});
