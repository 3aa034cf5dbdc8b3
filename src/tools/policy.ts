/**
 * Per-tool policy: `allow` (default), `deny`, or `approve` (ask a host hook).
 * Rules name a tool or a glob (`github.delete*`); an exact name beats a glob,
 * and a longer glob beats a shorter one. A tool's own `needsApproval` can
 * tighten what the rules say, never loosen it (`./approval.ts`).
 *
 * @module
 */

/** What may happen when the script calls a tool. */
export type ToolPolicy = "allow" | "deny" | "approve";

const POLICIES: readonly ToolPolicy[] = ["allow", "deny", "approve"];

interface Rule {
  pattern: string;
  regex: RegExp;
  policy: ToolPolicy;
}

/**
 * Resolves the policy of a tool from name and glob rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PolicySet } from "./policy.ts";
 * const p = new PolicySet({ "github.*": "approve", "github.delete*": "deny", "github.deleteLabel": "allow" });
 * assert.equal(p.policyFor("github.deleteRepo"), "deny");
 * assert.equal(p.policyFor("github.deleteLabel"), "allow");
 * assert.equal(p.policyFor("github.list"), "approve");
 * assert.equal(p.policyFor("weather.get"), "allow");
 * ```
 */
export class PolicySet {
  readonly #exact = new Map<string, ToolPolicy>();
  readonly #globs: Rule[] = [];

  /**
   * Creates a policy set.
   * @param rules tool name or glob → policy.
   * @throws {TypeError} naming the rule when a policy is not allow, deny or approve.
   */
  constructor(rules: Record<string, ToolPolicy> = {}) {
    for (const [pattern, policy] of Object.entries(rules)) {
      if (!POLICIES.includes(policy)) {
        throw new TypeError(`Policy for "${pattern}" must be allow, deny or approve, got ${JSON.stringify(policy)}`);
      }
      if (!pattern.includes("*")) this.#exact.set(pattern, policy);
      else this.#globs.push({ pattern, regex: globToRegExp(pattern), policy });
    }
    this.#globs.sort((a, b) => b.pattern.length - a.pattern.length);
  }

  /**
   * The policy of a tool, matched by any of its names (original or safe).
   * @returns the policy; `allow` when no rule matches.
   */
  policyFor(...names: string[]): ToolPolicy {
    for (const name of names) {
      const exact = this.#exact.get(name);
      if (exact) return exact;
    }
    for (const rule of this.#globs) {
      if (names.some((n) => rule.regex.test(n))) return rule.policy;
    }
    return "allow";
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${body}$`);
}
