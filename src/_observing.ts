// The core's guarded calls into an observer: whatever an observer throws is
// dropped here, so that observing can never break an execution. Plain
// functions, so that guarding allocates nothing.
import type { ExecutionResult } from "./rpc/result.ts";
import type {
  ExecutionObservation,
  ExecutionStart,
  LoadSource,
  Observer,
  ToolCallObservation,
  ToolCallOutcome,
} from "./observe.ts";

export function startExecution(observer: Observer, start: ExecutionStart): ExecutionObservation | undefined {
  try {
    return observer.execution(start);
  } catch {
    return undefined;
  }
}

export function traceHeadersOf(observation: ExecutionObservation): Record<string, string> | undefined {
  try {
    const headers = observation.traceHeaders();
    return headers && Object.keys(headers).length > 0 ? headers : undefined;
  } catch {
    return undefined;
  }
}

export function endExecution(
  observation: ExecutionObservation | undefined,
  result: ExecutionResult | undefined,
  error?: unknown,
): void {
  try {
    observation?.end(result, error);
  } catch {
    // dropped: see the module comment
  }
}

export function startToolCall(observation: ExecutionObservation, input: unknown): ToolCallObservation | undefined {
  try {
    return observation.toolCall(input);
  } catch {
    return undefined;
  }
}

/**
 * Calls `run` inside the call's context. `run` must do its work only once however often it is
 * called: the caller calls it again afterwards, for an observer that did not.
 */
export function runInCallContext(call: ToolCallObservation, run: () => void): void {
  try {
    call.runInContext(run);
  } catch {
    // dropped: see the module comment
  }
}

export function endToolCall(call: ToolCallObservation, tool: string | undefined, outcome: ToolCallOutcome): void {
  try {
    call.end(tool, outcome);
  } catch {
    // dropped: see the module comment
  }
}

export function watchExecutor(observer: Observer | undefined, executor: LoadSource): () => void {
  try {
    const stop = observer?.watchExecutor?.(executor);
    return () => {
      try {
        stop?.();
      } catch {
        // dropped: see the module comment
      }
    };
  } catch {
    return () => {};
  }
}
