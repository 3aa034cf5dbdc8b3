/**
 * Small statistics and formatting helpers for the benchmark.
 *
 * @module
 */

/** A summary of a sample of durations (or any numbers). */
export interface Summary {
  /** Number of samples. */
  n: number;
  /** Smallest sample. */
  min: number;
  /** Median (nearest-rank). */
  p50: number;
  /** 95th percentile (nearest-rank). */
  p95: number;
  /** Largest sample. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
}

/**
 * Nearest-rank percentile of an ascending-sorted array.
 *
 * @param sorted the samples, sorted ascending; must not be empty.
 * @param p the percentile, 0 to 100.
 * @returns the sample at that rank.
 * @throws {RangeError} when `sorted` is empty.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    throw new RangeError("percentile of an empty sample");
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Summarizes a sample.
 *
 * @param samples the numbers, in any order; must not be empty.
 * @returns count, min, p50, p95, max and mean.
 */
export function summarize(samples: readonly number[]): Summary {
  const sorted: number[] = [...samples].sort((a, b) => a - b);
  const sum: number = sorted.reduce((acc, x) => acc + x, 0);
  return {
    n: sorted.length,
    min: sorted[0],
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1],
    mean: sum / sorted.length,
  };
}

/**
 * Times an async function.
 *
 * @param fn the work to time.
 * @returns the elapsed wall time in ms and the function's value.
 */
export async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; value: T }> {
  const t0: number = performance.now();
  const value: T = await fn();
  return { ms: performance.now() - t0, value };
}

/**
 * Runs `count` tasks with at most `concurrency` in flight at once.
 *
 * @param count how many tasks to run.
 * @param concurrency the most tasks running at once.
 * @param task the task; receives its index.
 */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, worker),
  );
}

/**
 * Bytes to MiB.
 *
 * @param bytes a byte count.
 * @returns the same amount in MiB.
 */
export function mib(bytes: number): number {
  return bytes / (1024 * 1024);
}

/**
 * Formats a number for the table: more decimals for small values.
 *
 * @param x the number.
 * @returns a short human string.
 */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs: number = Math.abs(x);
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toFixed(3);
}
