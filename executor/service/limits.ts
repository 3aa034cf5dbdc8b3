/**
 * The executor service is the authority on limits: what a host asks for is
 * lowered to the service's ceilings.
 *
 * @module
 */
import { DEFAULT_LIMITS, type Limits } from "../../src/limits.ts";
import type { ClampedLimit } from "../../src/rpc/remote.ts";

/**
 * The limits an execution runs under: each one the host asked for, lowered to
 * the ceiling where it is higher; a limit the host did not send is the
 * default, lowered to the ceiling likewise.
 *
 * @param asked the limits in the host's `start`, by name.
 * @param ceilings the service's ceilings.
 * @returns the limits and what was lowered, or why the request is refused (a limit this service does not know).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "../../src/limits.ts";
 * import { clampLimits } from "./limits.ts";
 * const r = clampLimits({ timeoutMs: 600_000 }, { ...DEFAULT_LIMITS, timeoutMs: 60_000 });
 * assert.ok(r.ok);
 * assert.equal(r.limits.timeoutMs, 60_000);
 * assert.deepEqual(r.clamped, [{ limit: "timeoutMs", asked: 600_000, applied: 60_000 }]);
 * ```
 */
export function clampLimits(
  asked: Readonly<Record<string, number>>,
  ceilings: Readonly<Limits>,
): { ok: true; limits: Limits; clamped: ClampedLimit[] } | { ok: false; reason: string } {
  const unknown = Object.keys(asked).find((key) => !Object.hasOwn(ceilings, key));
  if (unknown !== undefined) {
    return {
      ok: false,
      reason: `an unknown limit ${JSON.stringify(unknown.slice(0, 64))}; this service knows: ${
        Object.keys(ceilings).join(", ")
      }`,
    };
  }
  const limits = { ...ceilings };
  const clamped: ClampedLimit[] = [];
  for (const key of Object.keys(ceilings) as (keyof Limits)[]) {
    const wanted = Object.hasOwn(asked, key) ? asked[key] : DEFAULT_LIMITS[key];
    limits[key] = Math.min(wanted, ceilings[key]);
    if (Object.hasOwn(asked, key) && wanted > ceilings[key]) {
      clamped.push({ limit: key, asked: wanted, applied: ceilings[key] });
    }
  }
  return { ok: true, limits, clamped };
}
