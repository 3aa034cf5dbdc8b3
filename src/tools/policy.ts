/**
 * Per-tool policy: `allow` (default), `deny`, or `approve` (ask a host hook).
 * Rules name a tool or a glob (`github.delete*`); an exact name beats a glob,
 * and a longer glob beats a shorter one. A tool may carry its own default
 * (`needsApproval`), which only tightens: an exact rule overrides it, a glob
 * cannot loosen it.
 *
 * @module
 */
import type { Tool } from "./define.ts";

/** What may happen when the script calls a tool. */
export type ToolPolicy = "allow" | "deny" | "approve";

/** A call waiting for approval. */
export interface ApprovalRequest {
  /** The tool's name. */
  tool: string;
  /** The validated input. */
  input: unknown;
  /** The execution that made the call. */
  executionId: string;
}

/** Decides whether an `approve` tool may run; a refusal becomes an error in the script. */
export type Approver = (request: ApprovalRequest) => boolean | Promise<boolean>;

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
   * tool's default (`needsApproval` → `approve`). So a tool's default can
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
   * const tool = (name: string) => ({ name, path: name.split("."), needsApproval: true });
   * assert.equal(p.policyOfTool(tool("fs.write")), "approve"); // a glob does not loosen the default
   * assert.equal(p.policyOfTool(tool("fs.rm")), "allow"); // an exact rule does
   * assert.equal(p.policyOfTool(tool("fs.dd")), "deny");
   * ```
   */
  policyOfTool(tool: Pick<Tool, "name" | "path" | "needsApproval">): ToolPolicy {
    const names = [tool.name, tool.path.join(".")];
    const exact = this.#exactFor(names);
    if (exact) return exact;
    const rule = this.#globFor(names) ?? "allow";
    return tool.needsApproval === true && RANK[rule] < RANK.approve ? "approve" : rule;
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

/**
 * Asks the approver about one call.
 *
 * @param approver the host's hook, if any.
 * @param request the tool, its validated input and the execution.
 * @returns `undefined` when approved, or why not (the approver's error included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { approvalRefusal } from "./policy.ts";
 * const req = { tool: "a.b", input: {}, executionId: "x" };
 * assert.equal(await approvalRefusal(() => true, req), undefined);
 * assert.equal(await approvalRefusal(() => false, req), "the approver refused it");
 * assert.match((await approvalRefusal(undefined, req))!, /no approver/);
 * ```
 */
export async function approvalRefusal(
  approver: Approver | undefined,
  request: ApprovalRequest,
): Promise<string | undefined> {
  if (!approver) return "it needs approval and no approver is configured";
  try {
    return (await approver(request)) === true ? undefined : "the approver refused it";
  } catch (e) {
    return `the approver failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}
