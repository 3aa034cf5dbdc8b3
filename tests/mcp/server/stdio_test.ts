// `codemode mcp` over stdio: a real server process (the launcher that runs
// `mcpCommand`), the official SDK client, real sandboxes.
import assert from "node:assert/strict";
import {
  call,
  connectStdio,
  DEMO_TOOLS,
  type ExecuteContent,
  ROOT,
  sandboxes,
  sleep,
  text,
  waitFor,
} from "./_helpers.ts";
import { executionResultShape, STOP_REASONS } from "../../../src/rpc/result.ts";

Deno.test("stdio: initialize, exactly three tools, and every tool works against the demo tools", async (t) => {
  await using conn = await connectStdio(["--tools", DEMO_TOOLS]);
  const { client } = conn;

  await t.step("initialize names the server and the namespaces", () => {
    assert.equal(client.getServerVersion()?.name, "codemode");
    assert.match(client.getInstructions() ?? "", /currency \(1\), db \(1\), weather \(1\)/);
  });

  await t.step("tools/list has exactly execute_code, search_tools and get_tool_types", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((x) => x.name), ["execute_code", "search_tools", "get_tool_types"]);
    const execute = tools[0];
    assert.match(execute.description ?? "", /search_tools/);
    assert.match(execute.description ?? "", /get_tool_types/);
    assert.match(execute.description ?? "", /Namespaces \(tool count\): currency \(1\), db \(1\), weather \(1\)/);
    // The catalogue is discovered, not pasted into the description.
    assert.doesNotMatch(execute.description ?? "", /tempC/);
    assert.ok((execute.description ?? "").length < 1200, "a short description");
    assert.deepEqual(execute.inputSchema.required, ["code"]);
    // The output schema is the result's one description (src/rpc/result.ts), not a copy.
    const output = execute.outputSchema as { properties: Record<string, { enum?: string[] }>; required: string[] };
    assert.deepEqual(Object.keys(output.properties), Object.keys(executionResultShape));
    assert.deepEqual(output.properties.stopReason.enum, [...STOP_REASONS]);
    assert.deepEqual(output.required.sort(), ["durationMs", "executionId", "logs", "ok", "stopReason", "toolCalls"]);
    assert.equal(tools[1].annotations?.readOnlyHint, true);
  });

  await t.step("execute_code runs a script that calls a local tool: text, structured result and trace", async () => {
    const r = await call(client, "execute_code", {
      code: `
        const all = await Promise.all(["Oslo", "Lima"].map((city) => tools.weather.get({ city })));
        console.log("fetched", all.length);
        return all.filter((w) => w.tempC > 20).map((w) => w.city);
      `,
    });
    assert.equal(r.isError, undefined);
    const s = r.structuredContent as unknown as ExecuteContent;
    assert.equal(s.ok, true);
    assert.equal(s.stopReason, "completed");
    assert.deepEqual(s.result, ["Lima"]);
    assert.deepEqual(s.logs.map((l) => [l.level, l.text]), [["log", "fetched 2"]]);
    assert.deepEqual(s.toolCalls.map((c) => [c.tool, c.ok]), [["weather.get", true], ["weather.get", true]]);
    assert.ok(s.durationMs > 0);
    const body = text(r);
    assert.match(body, /^Result:\n\[\n {2}"Lima"\n\]/);
    assert.match(body, /\[log\] fetched 2/);
    assert.match(body, /Tool calls \(2\): weather\.get ok \d+ms, weather\.get ok \d+ms/);
  });

  await t.step("search_tools ranks by keywords, with one-line signatures", async () => {
    const r = await call(client, "search_tools", { query: "weather" });
    const { matches } = r.structuredContent as { matches: Array<{ name: string; signature: string }> };
    assert.equal(matches[0].name, "weather.get");
    assert.equal(
      matches[0].signature,
      "tools.weather.get(input: { city: string }): Promise<{ city: string; tempC: number }>",
    );
    assert.match(text(r), /^tools\.weather\.get\(input: \{ city: string \}\).*\n {2}Current weather for a city\./);
    const convert = await call(client, "search_tools", { query: "convert money currency", limit: 1 });
    assert.deepEqual((convert.structuredContent as { matches: { name: string }[] }).matches.map((m) => m.name), [
      "currency.convert",
    ]);
    const none = await call(client, "search_tools", { query: "spaceship" });
    assert.deepEqual((none.structuredContent as { matches: unknown[] }).matches, []);
    assert.match(text(none), /No tools match "spaceship"\. Namespaces \(tool count\): currency \(1\), db \(1\)/);
  });

  await t.step("get_tool_types gives the declarations of a namespace and of a tool", async () => {
    const ns = await call(client, "get_tool_types", { names: ["db"] });
    assert.equal(ns.isError, undefined);
    assert.match(text(ns), /^declare const tools: \{\n {2}db: \{\n {4}orders: \{/);
    assert.doesNotMatch(text(ns), /weather/);
    const one = await call(client, "get_tool_types", { names: ["weather.get", "currency"] });
    assert.match(text(one), /get\(input: \{\n\s+\/\*\* City name, e\.g\. Oslo \*\/\n\s+city: string;/);
    assert.match(text(one), /convert\(input: \{/);
    assert.deepEqual(one.structuredContent, { declarations: text(one), unknown: [] });
  });

  await t.step("get_tool_types names unknown names and suggests near ones", async () => {
    const r = await call(client, "get_tool_types", { names: ["wether"] });
    assert.equal(r.isError, true);
    assert.match(text(r), /No tool or namespace named "wether"\. Did you mean: weather/);
    assert.match(text(r), /Namespaces \(tool count\): currency \(1\), db \(1\), weather \(1\)/);
    const partial = await call(client, "get_tool_types", { names: ["weather", "db.order"] });
    assert.equal(partial.isError, undefined);
    assert.match(text(partial), /No tool or namespace named "db\.order"\. Did you mean: db\.orders/);
    assert.match(text(partial), /declare const tools/);
    assert.deepEqual((partial.structuredContent as { unknown: string[] }).unknown, ["db.order"]);
  });

  await t.step("a script that throws is isError, with its line", async () => {
    const r = await call(client, "execute_code", { code: `const x = 1;\nthrow new Error("boom " + x);` });
    assert.equal(r.isError, true);
    const s = r.structuredContent as unknown as ExecuteContent;
    assert.equal(s.stopReason, "error");
    assert.equal(s.error?.message, "boom 1");
    assert.equal(s.error?.line, 2);
    assert.match(text(r), /^Error \(error\): Error: boom 1 at script\.ts:2:\d+/);
  });

  await t.step("a failing tool call is an error the script sees, in the trace", async () => {
    const r = await call(client, "execute_code", { code: `return await tools.weather.get({ city: "Atlantis" })` });
    assert.equal(r.isError, true);
    assert.match(text(r), /Unknown city "Atlantis"/);
    assert.match(text(r), /weather\.get ERR/);
  });

  await t.step("invalid arguments are rejected by the SDK's validation", async () => {
    const r = await call(client, "execute_code", { code: 42 });
    assert.equal(r.isError, true);
    assert.match(text(r), /Input validation error/);
  });

  await t.step("logs are JSON lines on stderr", () => {
    const lines = conn.stderr().trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.msg === "listening" && l.transport === "stdio"));
    assert.ok(
      lines.some((l) => l.msg === "execution" && l.stopReason === "error" && l.correlationId === l.executionId),
    );
  });
});

Deno.test("stdio: --timeout ends a runaway script with stopReason timeout", async () => {
  await using conn = await connectStdio(["--tools", DEMO_TOOLS, "--timeout", "700"]);
  const r = await call(conn.client, "execute_code", { code: "while (true) {}" });
  assert.equal(r.isError, true);
  assert.equal((r.structuredContent as unknown as ExecuteContent).stopReason, "timeout");
  assert.match(text(r), /^Error \(timeout\)/);
  assert.match(text(r), /longer than 700 ms/);
});

Deno.test("stdio: a cancelled request kills its sandbox, and the server stays healthy", async () => {
  const memoryMb = 91; // marks this test's sandboxes in /proc
  // No warm pool: its waiting children would count as sandboxes here (tests/mcp/server/pool_test.ts has them).
  await using conn = await connectStdio(["--tools", DEMO_TOOLS, "--memory", String(memoryMb), "--pool", "0"]);
  const abort = new AbortController();
  const pending = call(conn.client, "execute_code", { code: "await new Promise(() => setInterval(() => {}, 1000));" }, {
    signal: abort.signal,
  });
  await waitFor(async () => (await sandboxes(memoryMb, conn.pid)).length === 1, 10_000, "the sandbox runs");
  abort.abort("changed my mind");
  await assert.rejects(pending, /changed my mind|abort/i);
  await waitFor(async () => (await sandboxes(memoryMb, conn.pid)).length === 0, 5000, "the sandbox is killed");
  await waitFor(() => /"msg":"execution".*"stopReason":"killed"/.test(conn.stderr()), 5000, "the kill is logged");
  const after = await call(conn.client, "execute_code", { code: "return 1 + 1" });
  assert.equal((after.structuredContent as unknown as ExecuteContent).result, 2);
});

Deno.test("stdio: the client closing stdin stops the server and kills an execution in flight", async () => {
  const memoryMb = 93;
  const conn = await connectStdio(["--tools", DEMO_TOOLS, "--memory", String(memoryMb), "--pool", "0"]);
  const pending = call(conn.client, "execute_code", { code: "await new Promise(() => setInterval(() => {}, 1000));" })
    .catch((e: Error) => e);
  await waitFor(async () => (await sandboxes(memoryMb, conn.pid)).length === 1, 10_000, "the sandbox runs");
  await conn[Symbol.asyncDispose](); // closes stdin, then waits for the server process to exit
  assert.ok(await pending instanceof Error);
  assert.deepEqual(await sandboxes(memoryMb), []);
});

Deno.test("stdio: host code printing to stdout cannot corrupt the protocol", async () => {
  await using conn = await connectStdio(["--tools", "tests/mcp/server/fixtures/noisy_tools.ts"]);
  const r = await call(conn.client, "execute_code", { code: "return await tools.noisy.echo({ text: 'hi' })" });
  assert.equal((r.structuredContent as unknown as ExecuteContent).result, "hi");
  await waitFor(() => conn.stderr().includes("noisy handler: hi"), 2000, "the handler's console.log reached stderr");
  assert.match(conn.stderr(), /noisy module loaded/);
});

Deno.test("stdio: usage errors exit 2 with a message, and --help prints the flags", async () => {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tests/mcp/server/fixtures/serve_stdio.ts", ...args],
      cwd: ROOT,
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  };
  const [help, port, badTimeout, badModule, remote] = await Promise.all([
    run("--help"),
    run("--port", "9"),
    run("--tools", DEMO_TOOLS, "--timeout", "soon"),
    run("--tools", "nope.ts"),
    run("--http", "--host", "0.0.0.0", "--tools", DEMO_TOOLS),
  ]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: codemode mcp/);
  assert.match(help.stdout, /--api-key/);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port needs --http/);
  assert.equal(badTimeout.code, 2);
  assert.match(badTimeout.stderr, /--timeout must be an integer/);
  assert.equal(badModule.code, 2);
  assert.match(badModule.stderr, /tool path .*nope\.ts: no such file or directory/);
  assert.equal(remote.code, 2);
  assert.match(remote.stderr, /not loopback: set --api-key or CODEMODE_API_KEY/);
  await sleep(0);
});
