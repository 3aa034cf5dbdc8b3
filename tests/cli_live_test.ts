// `codemode run` while a script runs, through a real pseudo-terminal (util-linux `script`) and
// through pipes: log lines and tool calls as they happen, a status line redrawn in place on a
// terminal and cleared before the result, plain lines without one, and `--json` as it was.
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;
const SCRIPT_BIN = "/usr/bin/script";
const hasPty = (() => {
  try {
    return Deno.statSync(SCRIPT_BIN).isFile;
  } catch {
    return false;
  }
})();

/** Erases the terminal's current line (what the status line is drawn and cleared with). */
export const CLEAR = "\r\x1b[2K";

/** A script that calls a tool three times, logging between them. */
export const THREE_CALLS = `
  for (const city of ["Oslo", "Lima", "Pune"]) {
    const w = await tools.weather.get({ city });
    console.log("got", city, w.tempC);
  }
  return "all three";
`;

/** Writes `code` to a temporary file and returns its path. */
export async function scriptFile(code: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "codemode-live-", suffix: ".ts" });
  await Deno.writeTextFile(path, code);
  return path;
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Runs `codemode run <args>` under a pseudo-terminal; returns everything it wrote (stdout and stderr, merged). */
export async function runInPty(args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = [Deno.execPath(), "run", "-A", "cli.ts", "run", ...args].map(quote).join(" ");
  const out = await new Deno.Command(SCRIPT_BIN, {
    args: ["-qfec", command, "/dev/null"],
    cwd: ROOT,
    env: { TERM: "xterm-256color", NO_COLOR: "", CODEMODE_NO_STATUS: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).replaceAll("\r\n", "\n");
}

/** Runs `codemode run <args>` with pipes (no terminal). */
export async function runPiped(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "run", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** What a terminal shows at the end: each line as last drawn (a clear empties the line being drawn). */
export function screen(output: string): string[] {
  const lines: string[] = [];
  let current = "";
  for (const part of output.split(/(\r\x1b\[2K|\n)/)) {
    if (part === CLEAR) current = "";
    else if (part === "\n") {
      lines.push(current);
      current = "";
    } else current += part;
  }
  if (current !== "") lines.push(current);
  return lines;
}

Deno.test({
  name: "a terminal shows the status line while tools run, the logs and calls in order, and the result last",
  ignore: !hasPty,
  fn: async () => {
    const file = await scriptFile(THREE_CALLS);
    try {
      const output = await runInPty([file, "--tools", "examples/demo/tools.ts"]);
      // The status line was drawn in place, naming the running call.
      assert.match(output, /\r\x1b\[2K▸ \d+\.\d s · 1 running: weather\.get · 0 done/);
      assert.deepEqual(screen(output).map((l) => l.replace(/\d+(\.\d+)? ms/, "N ms")), [
        "[tool] weather.get ok N ms",
        "[log] got Oslo 4",
        "[tool] weather.get ok N ms",
        "[log] got Lima 22",
        "[tool] weather.get ok N ms",
        "[log] got Pune 31",
        '"all three"',
      ]);
      // Cleared before the result: nothing of the status is left after the last clear.
      const afterLastClear = output.slice(output.lastIndexOf(CLEAR) + CLEAR.length);
      assert.equal(afterLastClear, '"all three"\n');
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name: "--no-status, NO_COLOR and CODEMODE_NO_STATUS keep a terminal free of escape codes; --json is one JSON line",
  ignore: !hasPty,
  fn: async () => {
    const file = await scriptFile(THREE_CALLS);
    try {
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
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test("through pipes: the live lines on stderr without escape codes, the result alone on stdout; --json alone", async () => {
  const file = await scriptFile(THREE_CALLS);
  try {
    const human = await runPiped([file, "--tools", "examples/demo/tools.ts"]);
    assert.equal(human.code, 0, human.stderr);
    assert.ok(!human.stderr.includes("\x1b"));
    assert.deepEqual(human.stderr.trimEnd().split("\n").map((l) => l.replace(/[\d.]+ ms/, "N ms")), [
      "[tool] weather.get ok N ms",
      "[log] got Oslo 4",
      "[tool] weather.get ok N ms",
      "[log] got Lima 22",
      "[tool] weather.get ok N ms",
      "[log] got Pune 31",
    ]);
    assert.equal(human.stdout, '"all three"\n');
    const json = await runPiped([file, "--tools", "examples/demo/tools.ts", "--json"]);
    assert.equal(json.stderr, "");
    assert.equal(json.stdout, JSON.stringify(JSON.parse(json.stdout)) + "\n");
  } finally {
    await Deno.remove(file);
  }
});
