/**
 * `codemode resume`: continues an execution that `codemode run` (or an
 * earlier resume) left paused for approval, with a decision for each call
 * that waits.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ContinuationError } from "../approvals/continuation.ts";
import type { ApprovalDecision } from "../approvals/options.ts";
import { UsageError } from "./load_tools.ts";
import { buildCodemode, CODEMODE_FLAGS, limitsFromFlags, osSandboxFlag } from "./build.ts";
import type { CliIo } from "./io.ts";
import { interruption, report, withLiveView } from "./run.ts";

/** Help text of `codemode resume`. */
export const RESUME_HELP: string =
  `Usage: codemode resume <continuation-file> [--approve <id>]... [--reject <id>[=reason]]... [options]

Continues a script that paused for approval (codemode run exits 3 and lists the calls that wait,
each with an id). Every waiting call needs a decision: --approve runs it, --reject makes it fail
in the script with the reason ("tools.x was not run: <reason>"). The script runs again from the
start in a fresh sandbox; the tool calls it made before the pause are answered from the
continuation, never run twice. Load the same tools and config as the run (the same approvals.key
in codemode.yaml when it was set): a continuation sealed with another key is refused.

Options:
  --approve <id>          Approve the waiting call with this id (repeatable).
  --reject <id>[=reason]  Reject it; the script reads the reason (repeatable).
  --continuation <file>   Where the next continuation goes if it pauses again. Default: the
                          file given (replaced). A resume that does not pause again removes it.
  -c, --config <file>     As for codemode run (default ./codemode.yaml when it exists).
  --tools <path>          As for codemode run (repeatable).
  --json                  Print exactly one JSON ExecutionResult on stdout (nothing live).
  --no-status             As for codemode run: log lines and tool calls still go to stderr live.
  --timeout <ms>, --memory <MB>, --os-sandbox <mode>  As for codemode run.
  -h, --help              Show this help.

Exit code: 0 completed, 1 the script failed or hit a limit, 2 usage or config error or a
continuation that cannot be resumed (altered, expired, another key), 3 paused again.`;

/**
 * Runs `codemode resume` with its arguments.
 *
 * @param args the arguments after `resume`.
 * @param io where to read and write.
 * @returns the exit code.
 * @throws {UsageError} on bad flags, a missing continuation file, a continuation or decisions that cannot be used.
 */
export async function resumeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...CODEMODE_FLAGS,
      approve: { type: "string", multiple: true },
      reject: { type: "string", multiple: true },
      continuation: { type: "string" },
      json: { type: "boolean" },
      "no-status": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return io.out(RESUME_HELP + "\n"), 0;
  if (positionals.length !== 1) throw new UsageError("resume takes exactly one continuation file");
  const file = positionals[0];
  const path = file.startsWith("/") ? file : `${io.cwd}/${file}`;
  const token = await readContinuation(path, file);
  const decisions = decisionsFrom(values.approve ?? [], values.reject ?? []);
  const flags = {
    config: values.config,
    tools: values.tools,
    limits: limitsFromFlags(values),
    typecheck: false,
    osSandbox: osSandboxFlag(values["os-sandbox"]),
  };
  const cm = await buildCodemode(flags, io.cwd, io.err);
  try {
    const interrupt = io.interrupt?.();
    const result = await withLiveView(
      io,
      values,
      (onEvent) => cm.resume(token, decisions, { signal: interrupt?.signal, ...(onEvent ? { onEvent } : {}) }),
    )
      .catch((e) => {
        if (e instanceof ContinuationError) throw new UsageError(`${file}: ${e.message}`);
        throw e;
      })
      .finally(() => interrupt?.dispose());
    const next = values.continuation ?? file;
    const exit = await report(
      result,
      { json: values.json, continuation: next, keyed: cm.resumesAcrossRestarts },
      io,
      "resume",
    );
    // A continuation once resumed is spent: resuming it again would run the approved calls again.
    if (!(result.stopReason === "paused" && next === file)) await Deno.remove(path).catch(() => {});
    return interruption(interrupt?.signal, io, "resume") ?? exit;
  } finally {
    await cm.close();
  }
}

async function readContinuation(path: string, file: string): Promise<string> {
  let text: string;
  try {
    const info = await Deno.stat(path);
    if (info.size > 64 * 1024 * 1024) throw new Error(`${info.size} bytes is too large for a continuation`);
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new UsageError(`Cannot read the continuation ${file}: ${(e as Error).message}`);
  }
  return text.trim();
}

function decisionsFrom(approve: string[], reject: string[]): Record<string, ApprovalDecision> {
  const decisions: Record<string, ApprovalDecision> = {};
  const add = (id: string, decision: ApprovalDecision) => {
    if (id === "") throw new UsageError("--approve and --reject take an approval id (ap_…)");
    if (Object.hasOwn(decisions, id)) throw new UsageError(`${id} is decided twice`);
    decisions[id] = decision;
  };
  for (const id of approve) add(id, { approved: true });
  for (const spec of reject) {
    const at = spec.indexOf("=");
    if (at < 0) add(spec, { approved: false });
    else add(spec.slice(0, at), { approved: false, reason: spec.slice(at + 1) });
  }
  if (Object.keys(decisions).length === 0) {
    throw new UsageError("decide each waiting call: --approve <id> or --reject <id>[=reason]");
  }
  return decisions;
}
