// Runs `codemode run` under a real pseudo-terminal (util-linux `script`) and through pipes, and
// reads back what a terminal would show: shared by the CLI's live-view tests and their abuse tests.
const ROOT = new URL("..", import.meta.url).pathname;
const SCRIPT_BIN = "/usr/bin/script";
/** Whether util-linux `script` is here to make a pseudo-terminal. */
export const hasPty: boolean = (() => {
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

/** Writes `code` to a temporary file, runs `use` with its path, and removes it. */
export async function withScriptFile(code: string, use: (path: string) => Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile({ prefix: "codemode-live-", suffix: ".ts" });
  try {
    await Deno.writeTextFile(path, code);
    await use(path);
  } finally {
    await Deno.remove(path);
  }
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
  // deno-lint-ignore no-control-regex
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
