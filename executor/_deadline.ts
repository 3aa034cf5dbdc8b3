// The execution's timeout, which stops while its clock is stopped (an
// approval is being decided): a person's decision does not use up the time
// the script has.
import type { ExecutionClock } from "../src/executor.ts";

/**
 * Calls `onTimeout` once `ms` of running time have passed.
 *
 * @param ms the running time allowed.
 * @param onTimeout called once, when it is used up.
 * @param clock stops the count while it is stopped, if given.
 * @returns what cancels the deadline.
 */
export function startDeadline(ms: number, onTimeout: () => void, clock?: ExecutionClock): () => void {
  let left = ms;
  let since = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    since = performance.now();
    timer = setTimeout(onTimeout, Math.max(0, left));
  };
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
    left -= performance.now() - since;
  };
  if (!clock?.stopped) run();
  const unlisten = clock?.onChange(() => {
    if (clock.stopped && timer !== undefined) stop();
    else if (!clock.stopped && timer === undefined) run();
  });
  return () => {
    clearTimeout(timer);
    unlisten?.();
  };
}
