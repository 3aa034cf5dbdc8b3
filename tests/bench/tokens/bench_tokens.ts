/**
 * Token and round-trip benchmark: `deno task bench:tokens [--json]`.
 *
 * Runs every task of `tasks.ts` over the 100-tool catalogue of `catalogue/`
 * in four modes: classic tool calling (every tool's JSON schema in the
 * prompt, one model round trip per call, every result in the context);
 * Codemode with every declaration in the prompt; and Codemode's MCP server
 * with discovery (search_tools, get_tool_types, then the script; and search
 * then the script, written from the search results' signatures). The model's
 * turns are scripted, so the figures are the same on every run; everything
 * the model would read comes from running the real thing. Prints a Markdown
 * table; `--json` prints the runs as JSON instead.
 *
 * @module
 */
import { runTokenBench } from "./run.ts";
import { TOKENIZER } from "./_transcript.ts";
import { renderTokenReport } from "./report.ts";
import { TASKS } from "./tasks.ts";
import { CATALOGUE } from "./catalogue/mod.ts";

if (import.meta.main) {
  const runs = await runTokenBench(TASKS);
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(runs, null, 2));
  } else {
    const namespaces = new Set(CATALOGUE.map((t) => t.name.split(".")[0])).size;
    console.log(
      `${CATALOGUE.length} tools in ${namespaces} namespaces, ${TASKS.length} tasks; tokens counted with ${TOKENIZER}\n`,
    );
    console.log(renderTokenReport(runs));
  }
}
