// A Dockerfile read into instructions (continuation lines joined, comments
// dropped) and stages, for the plain checks of hardening_test.ts.

/** One instruction: its keyword (upper case) and the rest of its line. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** One stage: its FROM and the instructions after it. */
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** The instructions before the first FROM (global ARGs) and the stages. */
export interface Dockerfile {
  globals: Instruction[];
  stages: Stage[];
}

/** Reads a Dockerfile's text. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) return;
    if (pending === "") start = i + 1;
    if (line.startsWith("#")) return; // a comment inside a continued instruction
    pending += (pending ? " " : "") + line.replace(/\\$/, "").trim();
    if (line.endsWith("\\")) return;
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(pending)!;
    instructions.push({ keyword: keyword.toUpperCase(), args, line: start });
    pending = "";
  });
  const file: Dockerfile = { globals: [], stages: [] };
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const [from, as, name] = ins.args.split(/\s+/);
      file.stages.push({ from, ...(as?.toUpperCase() === "AS" ? { name } : {}), instructions: [] });
    } else if (file.stages.length === 0) file.globals.push(ins);
    else file.stages.at(-1)!.instructions.push(ins);
  }
  return file;
}

/** The exec-form (JSON array) arguments of an instruction such as `ENTRYPOINT [...]` or `HEALTHCHECK … CMD [...]`. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf("["));
  const parsed = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) throw new Error(`not exec form: ${args}`);
  return parsed;
}

/** The default of a global `ARG name=value`. */
export function argDefault(file: Dockerfile, name: string): string | undefined {
  for (const ins of file.globals) {
    const m = /^(\w+)=(\S*)$/.exec(ins.args);
    if (ins.keyword === "ARG" && m?.[1] === name) return m[2];
  }
  return undefined;
}
