// The checker's worker thread: one script at a time, from the host's
// `TypeChecker`. A script whose types run the checker out of time or memory
// ends this thread, not the host.
import { parentPort } from "node:worker_threads";
import { ScriptChecker } from "./_check.ts";
import type { CheckRequest } from "./diagnostics.ts";

const checker = new ScriptChecker();
parentPort!.on("message", (request: CheckRequest) => {
  try {
    parentPort!.postMessage({ id: request.id, ...checker.check(request.code, request.declarations) });
  } catch (e) {
    parentPort!.postMessage({ id: request.id, error: e instanceof Error ? e.message : String(e) });
  }
});
