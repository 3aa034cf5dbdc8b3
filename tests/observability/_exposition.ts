// Reading a Prometheus text exposition in tests, and checking it with promtool.

/** The value of the sample `name{labels}` (labels in any order), or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** How many samples of the metric family `name` (histograms: of its `_bucket`, `_sum`, `_count` series). */
export function seriesCount(text: string, name: string): number {
  return text.split("\n").filter((l) => !l.startsWith("#") && new RegExp(`^${name}(_bucket|_sum|_count)?[{ ]`).test(l))
    .length;
}

/** Whether `promtool` is on the PATH (Debian: `apt-get install -y prometheus`). */
export const HAS_PROMTOOL: boolean = await (async () => {
  try {
    return (await new Deno.Command("promtool", { args: ["--version"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
})();

/** The name a test that needs promtool runs under: it says why it was skipped. */
export function promtoolTestName(name: string): string {
  return HAS_PROMTOOL ? name : `${name} (skipped: promtool is not installed; apt-get install -y prometheus)`;
}

/** Runs `promtool check metrics` on an exposition: its exit code and what it printed. */
export async function promtoolCheck(text: string): Promise<{ success: boolean; output: string }> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { success: out.success, output: decode(out.stdout) + decode(out.stderr) };
}
