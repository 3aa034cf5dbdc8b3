#!/usr/bin/env -S deno run -A
/**
 * The `codemode` command line, as its own JSR package, so that
 * `deno run -A jsr:@codemode/cli init my-agent` runs it. It is the CLI of
 * `@codemode/core` (its `./cli` entry point), which this package imports by
 * name: in this repository's workspace that name resolves to the root package.
 *
 * ```sh
 * deno run -A jsr:@codemode/cli init my-agent
 * deno run -A jsr:@codemode/cli run script.ts --tools tools.ts --json
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main, VERSION } from "@codemode/cli";
 * let out = "";
 * const io = { out: (t: string) => void (out += t), err: () => {}, readStdin: async () => "", cwd: "." };
 * assert.equal(await main(["--version"], io), 0);
 * assert.equal(out, `codemode ${VERSION}\n`);
 * ```
 *
 * @module
 */
import { main, processIo } from "@codemode/core/cli";

export { type CliIo, main, VERSION } from "@codemode/core/cli";

if (import.meta.main) {
  Deno.exit(await main(Deno.args, processIo()));
}
