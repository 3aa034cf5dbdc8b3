// `codemode run` while a script runs, through a real pseudo-terminal (util-linux `script`) and
// through pipes: log lines and tool calls as they happen, a status line redrawn in place on a
// terminal and cleared before the result, plain lines without one, and `--json` as it was.
import assert from "node:assert/strict";

import { CLEAR, hasPty, runInPty, runPiped, screen, THREE_CALLS, withScriptFile } from "./_pty.ts";

/** What THREE_CALLS shows as it runs, with each call's duration as `N ms`. */
const LIVE_LINES = [
  "[tool] weather.get ok N ms",
  "[log] got Oslo 4",
  "[tool] weather.get ok N ms",
  "[log] got Lima 22",
  "[tool] weather.get ok N ms",
  "[log] got Pune 31",
];

function withoutTimes(line: string): string {
  return line.replace(/\d+(\.\d+)? ms/, "N ms");
}

Deno.test({
  name: "a terminal shows the status line while tools run, the logs and calls in order, and the result last",
  ignore: !hasPty,
  fn: async () => {
    await withScriptFile(THREE_CALLS, async (file) => {
      const output = await runInPty([file, "--tools", "examples/demo/tools.ts"]);
      // The status line was drawn, then erased in place before the next line.
      // deno-lint-ignore no-control-regex
      assert.match(output, /▸ \d+\.\d s · 1 running: weather\.get · 0 done\r\x1b\[2K/);
      assert.deepEqual(screen(output).map(withoutTimes), [...LIVE_LINES, '"all three"']);
      // Cleared before the result: nothing of the status is left after the last clear.
      const afterLastClear = output.slice(output.lastIndexOf(CLEAR) + CLEAR.length);
      assert.equal(afterLastClear, '"all three"\n');
    });
  },
});

Deno.test({
  name: "--no-status, NO_COLOR and CODEMODE_NO_STATUS keep a terminal free of escape codes; --json is one JSON line",
  ignore: !hasPty,
  fn: async () => {
    await withScriptFile(THREE_CALLS, async (file) => {
      const runs = await Promise.all([
        runInPty([file, "--tools", "examples/demo/tools.ts", "--no-status"]),
        runInPty([file, "--tools", "examples/demo/tools.ts"], { NO_COLOR: "1" }),
        runInPty([file, "--tools", "examples/demo/tools.ts"], { CODEMODE_NO_STATUS: "1" }),
      ]);
      for (const output of runs) {
        assert.ok(!output.includes("\x1b"), JSON.stringify(output));
        assert.match(output, /\[tool\] weather\.get ok [\d.]+ ms\n\[log\] got Oslo 4\n/);
        assert.ok(output.endsWith('"all three"\n'));
      }
      const json = await runInPty([file, "--tools", "examples/demo/tools.ts", "--json"]);
      assert.ok(!json.includes("\x1b"), "no escape codes with --json");
      const lines = json.trimEnd().split("\n");
      assert.equal(lines.length, 1, "exactly one line");
      const result = JSON.parse(lines[0]);
      assert.equal(lines[0], JSON.stringify(result), "the result as JSON.stringify writes it");
      assert.equal(result.result, "all three");
      assert.equal(result.logs.length, 3);
    });
  },
});

Deno.test("through pipes: the live lines on stderr without escape codes, the result alone on stdout; --json alone", async () => {
  await withScriptFile(THREE_CALLS, async (file) => {
    const human = await runPiped([file, "--tools", "examples/demo/tools.ts"]);
    assert.equal(human.code, 0, human.stderr);
    assert.ok(!human.stderr.includes("\x1b"));
    assert.deepEqual(human.stderr.trimEnd().split("\n").map(withoutTimes), LIVE_LINES);
    assert.equal(human.stdout, '"all three"\n');
    const json = await runPiped([file, "--tools", "examples/demo/tools.ts", "--json"]);
    assert.equal(json.stderr, "");
    assert.equal(json.stdout, JSON.stringify(JSON.parse(json.stdout)) + "\n");
  });
});
