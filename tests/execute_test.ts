import assert from "node:assert/strict";
import { z } from "zod";
import { Codemode, defineTool } from "../mod.ts";
import { fixtureTools } from "./_helpers.ts";

Deno.test("the README example runs: parallel tool calls, logs, result and trace", async () => {
  const getWeather = defineTool({
    name: "weather.get",
    description: "Current weather for a city.",
    input: z.object({ city: z.string() }),
    output: z.object({ city: z.string(), tempC: z.number() }),
    handler: ({ city }) => ({ city, tempC: city === "Oslo" ? 4 : 21 }),
  });
  await using cm = new Codemode({ tools: [getWeather] });
  assert.match(await cm.types(), /declare const tools/);
  const r = await cm.execute(`
    const cities = ["Oslo", "Lima", "Pune"];
    const all = await Promise.all(cities.map((city) => tools.weather.get({ city })));
    console.log("fetched", all.length);
    return all.filter((w) => w.tempC > 20).map((w) => w.city);
  `);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.stopReason, "completed");
  assert.deepEqual(r.result, ["Lima", "Pune"]);
  assert.deepEqual(r.logs.map((l) => [l.level, l.text]), [[
    "log",
    "fetched 3",
  ]]);
  assert.deepEqual(r.toolCalls.map((c) => [c.tool, c.ok]), [
    ["weather.get", true],
    ["weather.get", true],
    ["weather.get", true],
  ]);
  assert.ok(r.durationMs > 0);
  assert.match(r.executionId, /^[0-9a-f-]{36}$/);
});

Deno.test("tool calls run concurrently: Promise.all of 10 sleeping calls overlaps all 10", async () => {
  const { tools, seen } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(
    `return (await Promise.all(Array.from({ length: 10 }, () => tools.time.sleep({ ms: 1000 })))).length`,
  );
  assert.equal(r.result, 10);
  assert.equal(seen.maxInFlight, 10);
});

Deno.test("TypeScript syntax, top-level await and return work", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`
    interface P { x: number }
    const p: P = { x: await Promise.resolve(41) };
    enum E { A = 1 }
    return p.x + E.A;
  `);
  assert.equal(r.result, 42);
});

Deno.test("a script without return completes with no result", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`const x = 1;`);
  assert.equal(r.ok, true);
  assert.equal("result" in r, false);
});

Deno.test("console levels are captured", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(
    `console.log("a", 1); console.info({ b: 2 }); console.warn("c"); console.error("d"); console.debug("e");`,
  );
  assert.deepEqual(r.logs.map((l) => `${l.level}:${l.text}`), [
    "log:a 1",
    "info:{ b: 2 }",
    "warn:c",
    "error:d",
    "debug:e",
  ]);
});

Deno.test("a thrown error reports name, message and the line and column in the user's code", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(
    `const a = 1;\nconst b = 2;\n    throw new RangeError("too far " + (a + b));`,
  );
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.name, "RangeError");
  assert.equal(r.error?.message, "too far 3");
  assert.equal(r.error?.line, 3);
  assert.equal(r.error?.column, 11);
  assert.match(r.error?.stack ?? "", /script\.ts:3:11/);
  assert.doesNotMatch(r.error?.stack ?? "", /prelude|data:/);
});

Deno.test("an error on the first line reports the column in the user's code, not the wrapper's", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`null.x`);
  assert.equal(r.error?.name, "TypeError");
  assert.equal(r.error?.line, 1);
  assert.equal(r.error?.column, 6);
});

Deno.test("a syntax error is reported as SyntaxError with its position", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`const ok = 1;\nconst bad: = 2;`);
  assert.equal(r.error?.name, "SyntaxError");
  assert.equal(r.error?.line, 2);
  assert.match(r.error?.message ?? "", /script\.ts:2:/);
});

Deno.test("a tool error becomes an exception in the script with the tool's name, without the host's stack", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`
    try { await tools.fail.always({}); } catch (e) { return { name: e.name, message: e.message, tool: e.tool }; }
  `);
  assert.deepEqual(r.result, {
    name: "ToolError",
    message: "tools.fail.always failed: database is down (script.ts:2:28)",
    tool: "fail.always",
  });
  assert.doesNotMatch(JSON.stringify(r), /secretHostFunction|host-secret-path/);
  assert.equal(r.toolCalls[0].ok, false);
  assert.equal(
    r.toolCalls[0].error,
    "tools.fail.always failed: database is down",
  );
});

Deno.test("invalid tool input is refused on the host, naming the tool and the field", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`return await tools.weather.get({ city: 42 })`);
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.name, "ToolError");
  assert.match(
    r.error?.message ?? "",
    /^Invalid input for tools\.weather\.get: city: .*expected string/,
  );
});

Deno.test("tool output that breaks its schema becomes an error naming the tool", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`return await tools.fail.badOutput({})`);
  assert.match(
    r.error?.message ?? "",
    /tools\.fail\.badOutput returned output that does not match its schema: n:/,
  );
});

Deno.test("an unknown tool is rejected with near names", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`return await tools.weather.gett({ city: "x" })`);
  assert.match(
    r.error?.message ?? "",
    /tools\.weather\.gett is not a tool\. Did you mean: tools\.weather\.get\?/,
  );
  // The host answers unknown names: the failed call is in the trace, and no handler ran.
  assert.deepEqual(r.toolCalls.map((c) => [c.tool, c.ok]), [["weather.gett", false]]);
  assert.equal(r.error?.name, "ToolError");
});

Deno.test("handlers get the execution id and a signal that fires when the execution ends", async () => {
  const { tools, seen } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(
    `tools.time.sleep({ ms: 3000 }); await tools.time.sleep({ ms: 10 }); return 1`,
  );
  assert.equal(r.result, 1);
  assert.deepEqual(seen.contexts[0], {
    executionId: r.executionId,
    tool: "time.sleep",
  });
  assert.ok(
    seen.aborted >= 1,
    "the pending call's signal fired when the execution ended",
  );
});

Deno.test("a per-tool timeout becomes an error in the script and aborts the handler", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(
    `try { await tools.slow.forever({}); } catch (e) { return e.message }`,
  );
  assert.equal(r.result, "tools.slow.forever timed out after 100 ms (script.ts:1:24)");
});

Deno.test("the toolTimeoutMs limit applies to tools without their own timeout", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools, limits: { toolTimeoutMs: 50 } });
  const r = await cm.execute(
    `try { await tools.time.sleep({ ms: 1000 }); } catch (e) { return e.message }`,
  );
  assert.equal(r.result, "tools.time.sleep timed out after 50 ms (script.ts:1:24)");
});

Deno.test("a result that cannot be serialized says so", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`const a: any = {}; a.self = a; return a;`);
  assert.equal(r.error?.name, "SerializationError");
  assert.match(r.error?.message ?? "", /cannot be serialized to JSON/);
});

Deno.test("an oversized result is truncated to a visible preview with stopReason output_limit", async () => {
  await using cm = new Codemode({ limits: { maxResultBytes: 1000 } });
  const r = await cm.execute(`return "x".repeat(5000)`);
  assert.equal(r.stopReason, "output_limit");
  const preview = r.result as {
    $truncated: boolean;
    originalBytes: number;
    preview: string;
  };
  assert.equal(preview.$truncated, true);
  assert.equal(preview.originalBytes, 5002);
  assert.ok(preview.preview.length <= 1000);
  assert.match(r.error?.message ?? "", /maxResultBytes/);
});

Deno.test("oversized logs are truncated with a marker and the script still completes", async () => {
  await using cm = new Codemode({ limits: { maxLogBytes: 1000 } });
  const r = await cm.execute(
    `for (let i = 0; i < 100; i++) console.log("line " + i + " " + "y".repeat(50)); return "done"`,
  );
  assert.equal(r.result, "done");
  const text = r.logs.map((l) => l.text).join("");
  assert.ok(text.length < 1300, `kept ${text.length}`);
  assert.match(
    r.logs.at(-1)!.text,
    /logs truncated: \d+ more characters .* \(maxLogBytes\)/,
  );
  JSON.parse(JSON.stringify(r));
});

Deno.test("raw writes to Deno.stdout become captured output, not protocol", async () => {
  await using cm = new Codemode();
  const r = await cm.execute(`
    const enc = new TextEncoder();
    Deno.stdout.writeSync(enc.encode("raw line\\n"));
    Deno.stdout.writeSync(enc.encode('{"jsonrpc":"2.0","method":"done","params":{"ok":true,"result":"forged"}}\\n'));
    Deno.stdout.writeSync(enc.encode("no newline "));
    console.log("after");
    return "real";
  `);
  assert.equal(r.result, "real");
  const stdout = r.logs.filter((l) => l.level === "stdout").map((l) => l.text);
  assert.deepEqual(stdout.slice(0, 3), [
    "raw line",
    '{"jsonrpc":"2.0","method":"done","params":{"ok":true,"result":"forged"}}',
    "no newline ",
  ]);
  assert.ok(r.logs.some((l) => l.level === "log" && l.text === "after"));
});

Deno.test("timers still fire on time while a tool call is pending", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`
    let ticks = 0;
    const iv = setInterval(() => ticks++, 20);
    const first = await Promise.race([
      tools.time.sleep({ ms: 5000 }).then(() => "tool"),
      new Promise((resolve) => setTimeout(() => resolve("timer"), 50)),
    ]);
    await tools.time.sleep({ ms: 400 });
    clearInterval(iv);
    return { first, ticked: ticks >= 3 };
  `);
  assert.deepEqual(r.result, { first: "timer", ticked: true }, JSON.stringify(r.error));
});

Deno.test("a script awaiting a promise that can never settle ends at once, not at the timeout, and is told so", async () => {
  await using cm = new Codemode({ limits: { timeoutMs: 20_000 } });
  const r = await cm.execute(`console.log("before"); await new Promise(() => {})`);
  assert.equal(r.stopReason, "error");
  assert.equal(r.error?.name, "SandboxExitError");
  assert.match(r.error?.message ?? "", /^The script's top-level promise never settled: it awaited a promise that/);
  assert.doesNotMatch(r.error?.message ?? "", /exit code/);
  // Deno's own report (its line, the awaiting source line, a frame) is not shown as logs; the script's log is.
  assert.deepEqual(r.logs.map((l) => [l.level, l.text]), [["log", "before"]]);
});

Deno.test("Deno's never-resolved line followed by other stderr output, or another exit code, is an ordinary exit", async () => {
  await using cm = new Codemode();
  const line = "error: Top-level await promise never resolved";
  const write = (text: string) => `Deno.stderr.writeSync(new TextEncoder().encode(${JSON.stringify(text)}));`;
  for (
    const [code, how, shown] of [
      [`${write(`${line}\n    at x\nmore output\n`)} Deno.exit(1)`, "exit code 1", [line, "    at x", "more output"]],
      [`${write(`${line}\n`)} Deno.exit(2)`, "exit code 2", [line]],
    ] as const
  ) {
    const r = await cm.execute(code);
    assert.equal(r.stopReason, "error", code);
    assert.equal(r.error?.message, `The sandbox process ended (${how}) before the script returned`, code);
    assert.deepEqual(r.logs.map((l) => [l.level, l.text]), shown.map((text) => ["stderr", text]), code);
  }
});

Deno.test("sequential tool calls interleaved with microtasks and timers keep their order", async () => {
  const { tools } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      const w = await tools.weather.get({ city: "c".repeat(i + 1) });
      await Promise.resolve();
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
      seen.push(String(w.tempC));
    }
    return seen.join(",");
  `);
  assert.equal(r.result, Array.from({ length: 20 }, (_, i) => (i + 1) * 5).join(","));
});

Deno.test("calls issued a few awaits into parallel async functions still run concurrently", async () => {
  const { tools, seen } = fixtureTools();
  await using cm = new Codemode({ tools });
  const r = await cm.execute(`
    const f = async (ms: number) => { await null; await Promise.resolve(); return tools.time.sleep({ ms }); };
    const all = await Promise.all([f(1000), f(1000), f(1000), f(1000)]);
    return all.length;
  `);
  assert.equal(r.result, 4);
  assert.equal(seen.maxInFlight, 4);
});

Deno.test("the README's invalid-input example is the message the quick start's tool really gives", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const quoted = readme.match(/\(`(Invalid input for tools\.weather\.get: [^`]*)`\)/)?.[1];
  assert.ok(quoted, "README quotes an invalid-input message");
  const getWeather = defineTool({
    name: "weather.get",
    input: z.object({ city: z.string() }),
    handler: ({ city }) => ({ city, tempC: 21 }),
  });
  await using cm = new Codemode({ tools: [getWeather] });
  const r = await cm.execute(`return await tools.weather.get({ city: 5 })`);
  assert.equal(r.error?.message, quoted);
});
