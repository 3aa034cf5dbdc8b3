// How long a large OpenAPI spec takes to load and to search, e.g. GitHub's (`npm pack @octokit/openapi`, then
// `package/generated/api.github.com.json`, 13 MB, ~1,200 operations):
//   deno run -A tests/bench/openapi_load.ts path/to/api.github.com.json
// Prints the load time (read, bundle, convert, compile every input validator), the first search (which builds the
// index) and later searches, and the time to print every declaration. Numbers only; nothing is asserted.
import { Codemode } from "../../mod.ts";
import { openApiTools } from "../../src/openapi/mod.ts";

const spec = Deno.args[0];
if (!spec) {
  console.error("usage: deno run -A tests/bench/openapi_load.ts <spec file or URL>");
  Deno.exit(2);
}
const ms = (start: number) => `${(performance.now() - start).toFixed(0)} ms`;
let started = performance.now();
const source = openApiTools({ namespace: "api", spec, baseUrl: "http://127.0.0.1:9", onWarning: () => {} });
const tools = await source.load();
console.log(`load: ${ms(started)} (${tools.length} tools, ${source.skipped.length} skipped)`);
await using cm = new Codemode({ sources: [source] });
await cm.loadTools();
for (const query of ["list issues for a repository", "create a pull request review comment", "delete a webhook"]) {
  started = performance.now();
  const [best] = cm.searchTools(query, 5);
  console.log(`search "${query}": ${ms(started)} → ${best?.name}`);
}
started = performance.now();
const types = await cm.types();
console.log(`types(): ${ms(started)} (${types.length} characters)`);
