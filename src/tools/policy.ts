/**
 * Per-tool policy: `allow` (default), `deny`, or `approve` (ask a host hook).
 * Rules name a tool or a glob (`github.delete*`); an exact name beats a glob,
 * and a longer glob beats a shorter one. A tool's own `needsApproval` can
 * tighten what the rules say, never loosen it (`./approval.ts`); its
 * `defaultPolicy` applies when no rule names it exactly, and a glob can only
 * tighten that.
 *
 * @module
 */
import type { Tool } from "./define.ts";

/** What may happen when the script calls a tool. */
export type ToolPolicy = "allow" | "deny" | "approve";

const POLICIES: readonly ToolPolicy[] = ["allow", "deny", "approve"];
// Strictness, for combining a glob's policy with a tool's own default.
const RANK: Record<ToolPolicy, number> = { allow: 0, approve: 1, deny: 2 };

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
    return this.#exactFor(names) ?? this.#globFor(names) ?? "allow";
  }

  /**
   * The policy of a tool, with its own default: a rule naming the tool
   * exactly (by its original or safe name) is the host's explicit choice and
   * wins; otherwise the stricter of the matching glob (or `allow`) and the
   * tool's `defaultPolicy`. So a tool's default can
   * make its calls need approval, and never allow a call a rule denies or
   * makes need approval.
   *
   * @param tool the tool's names and default.
   * @returns the policy.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PolicySet } from "./policy.ts";
   * const p = new PolicySet({ "fs.*": "allow", "fs.rm": "allow", "fs.dd": "deny" });
   * const tool = (name: string) => ({ name, path: name.split("."), defaultPolicy: "approve" as const });
   * assert.equal(p.policyOfTool(tool("fs.write")), "approve"); // a glob does not loosen the default
   * assert.equal(p.policyOfTool(tool("fs.rm")), "allow"); // an exact rule does
   * assert.equal(p.policyOfTool(tool("fs.dd")), "deny");
   * ```
   */
  policyOfTool(tool: Pick<Tool, "name" | "path" | "defaultPolicy">): ToolPolicy {
    const names = [tool.name, tool.path.join(".")];
    const exact = this.#exactFor(names);
    if (exact) return exact;
    const rule = this.#globFor(names) ?? "allow";
    const fallback = tool.defaultPolicy ?? "allow";
    return RANK[fallback] > RANK[rule] ? fallback : rule;
  }

  /**
   * The rule that gives a tool its policy, as {@linkcode PolicySet.policyOfTool} resolves it.
   *
   * @param tool the tool's names and default.
   * @returns the rule's name or glob; `undefined` when no rule decides (the tool's own default, or `allow`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PolicySet } from "./policy.ts";
   * const p = new PolicySet({ "fs.*": "approve" });
   * assert.equal(p.ruleOfTool({ name: "fs.rm", path: ["fs", "rm"] }), "fs.*");
   * assert.equal(p.ruleOfTool({ name: "web.get", path: ["web", "get"] }), undefined);
   * ```
   */
  ruleOfTool(tool: Pick<Tool, "name" | "path" | "defaultPolicy">): string | undefined {
    const names = [tool.name, tool.path.join(".")];
    const exact = names.find((n) => this.#exact.has(n));
    if (exact !== undefined) return exact;
    const glob = this.#globs.find((rule) => names.some((n) => rule.regex.test(n)));
    const fallback = tool.defaultPolicy ?? "allow";
    return glob && RANK[glob.policy] >= RANK[fallback] ? glob.pattern : undefined;
  }

  /** Whether any rule says `approve`. */
  get asksApproval(): boolean {
    return [...this.#exact.values()].includes("approve") || this.#globs.some((r) => r.policy === "approve");
  }

  #exactFor(names: string[]): ToolPolicy | undefined {
    for (const name of names) {
      const exact = this.#exact.get(name);
      if (exact) return exact;
    }
    return undefined;
  }

  #globFor(names: string[]): ToolPolicy | undefined {
    return this.#globs.find((rule) => names.some((n) => rule.regex.test(n)))?.policy;
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${body}$`);
}
