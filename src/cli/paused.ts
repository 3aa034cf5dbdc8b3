/**
 * What `codemode run` and `codemode resume` do with an execution that paused
 * for approval: write its continuation to a file only its owner can read
 * (it holds, encrypted, the tool results so far) and tell the person which
 * calls wait and how to decide them.
 *
 * @module
 */
import type { ExecutionResult, PendingApproval } from "../rpc/result.ts";
import type { CliIo } from "./io.ts";
import { pendingCallText } from "../format.ts";

/** Where the continuation goes when `--continuation` is not given, in the working dir. */
export const DEFAULT_CONTINUATION_FILE = "codemode.continuation";

/** The exit code of an execution that paused for approval. */
export const PAUSED_EXIT_CODE = 3;

/**
 * Writes the continuation (mode 0600, replacing the file) and, unless `--json`, lists the pending calls.
 *
 * @param result a paused result.
 * @param file the continuation file, as the person named it.
 * @param io where to write.
 * @param json whether the output is one JSON result (then nothing else is printed).
 */
export async function savePaused(result: ExecutionResult, file: string, io: CliIo, json: boolean): Promise<void> {
  const paused = result.paused!;
  const path = file.startsWith("/") ? file : `${io.cwd}/${file}`;
  await Deno.remove(path).catch(() => {}); // a file of another mode or owner is not written through
  await Deno.writeTextFile(path, paused.continuation + "\n", { mode: 0o600, createNew: true });
  await Deno.chmod(path, 0o600); // whatever the umask
  if (json) return;
  const n = paused.pending.length;
  io.err(
    `paused: ${n === 1 ? "1 call waits" : `${n} calls wait`} for approval (continuation in ${file}, until ` +
      `${paused.expiresAt}):\n`,
  );
  for (const p of paused.pending) io.err(`  ${p.id}  ${pendingCallText(p)}  ${reasonText(p)}\n`);
  const [first, second] = paused.pending;
  const example = `--approve ${first.id}` + (second ? ` --reject ${second.id}="not now"` : "");
  io.err(`Decide each one: codemode resume ${file} ${example}\n`);
}

function reasonText(p: PendingApproval): string {
  if (p.reason.kind === "policy") return `(policy "${p.reason.rule}": approve)`;
  return p.reason.kind === "needsApproval" ? "(the tool's needsApproval)" : "(the tool's default policy)";
}
