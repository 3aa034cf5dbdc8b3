/**
 * `deno task demo`: runs an example script against the example tools in the
 * sandbox and prints the result, the logs and the tool-call trace.
 *
 * @module
 */
import { Codemode } from "../../mod.ts";
import tools from "./tools.ts";

await using cm = new Codemode({ tools });
console.log("The model sees these declarations:\n");
console.log(await cm.types());
const script = await Deno.readTextFile(new URL("./script.ts", import.meta.url));
console.log("\nIt writes this script:\n\n" + script);
const r = await cm.execute(script);
console.log(`stopReason: ${r.stopReason}   ok: ${r.ok}   ${r.durationMs} ms`);
console.log("result:", JSON.stringify(r.result, null, 2));
if (r.error) console.log("error:", r.error);
console.log("logs:");
for (const l of r.logs) console.log(`  [${l.level}] +${l.atMs} ms ${l.text}`);
console.log("tool calls:");
for (const c of r.toolCalls) {
  console.log(
    `  ${c.tool.padEnd(18)} ${c.ok ? "ok " : "ERR"} ${c.durationMs} ms`,
  );
}
