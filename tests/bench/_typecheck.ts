/**
 * The type check before a run: a 20-line script against a 100-tool
 * catalogue (10 namespaces of 10 tools, half with output schemas), cold (the
 * checker's first check: TypeScript loads) and warm (p50/p95), against the
 * 100 ms pctx (the one peer that type-checks) claims.
 *
 * @module
 */
import { z } from "zod";
import { type AnyTool, Codemode, defineTool } from "../../mod.ts";
import { TypeChecker } from "../../src/typecheck/checker.ts";
import { checkDeclarations } from "../../src/typecheck/script_check.ts";
import type { BenchConfig } from "./_measures.ts";
import { type Measure, measure } from "./_report.ts";
import { summarize } from "./_stats.ts";

const NAMESPACES = ["github", "slack", "calendar", "crm", "billing", "docs", "email", "jira", "storage", "weather"];
const VERBS = ["list", "get", "create", "update", "delete", "search", "archive", "assign", "comment", "export"];
const PEER_CLAIM_MS = 100;

/** 100 tools, each with a realistic input (nested object, enum, array, optional fields). */
export function catalogueTools(): AnyTool[] {
  return NAMESPACES.flatMap((ns, i) =>
    VERBS.map((verb, j) =>
      defineTool({
        name: `${ns}.${verb}`,
        description: `${verb[0].toUpperCase()}${verb.slice(1)} ${ns} items, with paging and filters.`,
        input: z.object({
          id: z.string().describe("The item's id."),
          limit: z.number().int().min(1).max(100).optional(),
          state: z.enum(["open", "closed", "all"]).optional(),
          labels: z.array(z.string()).optional(),
          owner: z.object({ login: z.string(), team: z.string().optional() }).optional(),
          since: z.string().describe("ISO date").optional(),
        }),
        ...((i + j) % 2 === 0
          ? {
            output: z.object({
              items: z.array(z.object({ id: z.string(), title: z.string(), comments: z.number() })),
              next: z.string().nullable(),
            }),
          }
          : {}),
        handler: () => ({ items: [], next: null }),
      })
    )
  );
}

/** A 20-line script over several namespaces; `n` varies a literal so no two checks see the same text. */
export function twentyLineScript(n: number): string {
  return [
    `const issues = await tools.github.list({ id: "repo-${n}", state: "open", limit: 50 });`,
    `const top = issues.items.sort((a, b) => b.comments - a.comments).slice(0, 3);`,
    `const lines: string[] = [];`,
    `for (const issue of top) {`,
    `  lines.push(\`\${issue.title} (\${issue.comments} comments)\`);`,
    `}`,
    `const people = await tools.crm.list({ id: "team", labels: ["vip"] });`,
    `const events = await tools.calendar.search({ id: "week", since: "2026-12-01" });`,
    `const docs = await tools.docs.search({ id: "handbook", owner: { login: "ada" } });`,
    `const summary = lines.join("\\n");`,
    `await tools.slack.create({ id: "team-channel", labels: [summary] });`,
    `const invoices = await tools.billing.list({ id: "acct-${n}", state: "all" });`,
    `let total = 0;`,
    `for (const inv of invoices.items) total += inv.comments;`,
    `const tickets = await tools.jira.search({ id: "proj", state: "open" });`,
    `const files = await tools.storage.list({ id: "bucket", limit: 10 });`,
    `const mail = await tools.email.get({ id: "inbox" });`,
    `const sky = await tools.weather.get({ id: "Oslo" });`,
    `console.log(total, people, events, docs, tickets, files, mail, sky);`,
    `return { summary, total };`,
  ].join("\n");
}

/**
 * Cold and warm type-check times.
 *
 * @param cfg iteration counts.
 * @returns rows for warm p50 and p95 (against pctx's claimed 100 ms), and the cold first check.
 */
export async function measureTypecheck(cfg: BenchConfig): Promise<Measure[]> {
  await using cm = new Codemode({ tools: catalogueTools() });
  const declarations = checkDeclarations(cm.catalog());
  const checker = new TypeChecker();
  const times: number[] = [];
  let cold = 0;
  try {
    for (let i = 0; i <= cfg.typecheckRuns; i++) {
      const t0 = performance.now();
      const outcome = await checker.check(twentyLineScript(i), declarations, 60_000);
      const ms = performance.now() - t0;
      if (!outcome.ok) throw new Error(`the bench script failed its check: ${JSON.stringify(outcome.diagnostics)}`);
      if (i === 0) cold = ms;
      else times.push(ms);
    }
  } finally {
    checker.close();
  }
  const s = summarize(times);
  const label = (what: string) => `type check, 20-line script vs 100-tool catalogue, warm ${what}, n=${s.n}`;
  const baselineLabel = "pctx's claimed check time";
  return [
    measure({
      id: "typecheck_p50",
      label: label("p50"),
      unit: "ms",
      ours: s.p50,
      baseline: PEER_CLAIM_MS,
      baselineLabel,
      target: { on: "ours", max: 50 },
    }),
    measure({
      id: "typecheck_p95",
      label: label("p95"),
      unit: "ms",
      ours: s.p95,
      baseline: PEER_CLAIM_MS,
      baselineLabel,
    }),
    measure({
      id: "typecheck_cold",
      label: "type check, the checker's first (loads TypeScript), same script and catalogue",
      unit: "ms",
      ours: cold,
      baseline: s.p50,
      baselineLabel: "warm p50",
    }),
  ];
}
