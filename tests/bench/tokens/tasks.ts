/**
 * The token benchmark's tasks: realistic multi-step requests over the
 * catalogue, each with the model's scripted turns for every mode:
 *
 * - `classic`: the tool calls a function-calling model makes, one per round
 *   trip, in order; what it writes between calls (a summary, a filter) is
 *   worked out in the function, as the model would in its head.
 * - `script`: the one `execute_code` script a Codemode model writes; the same
 *   calls, run in the sandbox.
 * - `search` and `types`: the discovery turns before the script (the
 *   `search_tools` query, the names given to `get_tool_types`).
 *
 * Both paths return the same answer from the same data, which the test checks.
 *
 * @module
 */

/** Makes one classic tool call: one model round trip, whose result is added to the context. */
// deno-lint-ignore no-explicit-any
export type Call = (tool: string, input: Record<string, unknown>) => Promise<any>;

/** One task and the model's scripted turns. */
export interface Task {
  /** Short id, e.g. `triage`. */
  id: string;
  /** What the user asks. */
  prompt: string;
  /** The classic model's calls, in order; returns the answer. */
  classic: (call: Call) => Promise<unknown>;
  /** The Codemode script; returns the same answer. */
  script: string;
  /** The discovery model's `search_tools` query. */
  search: string;
  /** The discovery model's `get_tool_types` names: the tools the script calls. */
  types: string[];
  /** The answer every mode must end with, from the catalogue's fixed data. */
  expected: unknown;
}

// deno-lint-ignore no-explicit-any
type Any = any;

const triage: Task = {
  id: "triage",
  prompt:
    "Find the three open issues in acme/web with the most comments and post a summary to #eng-triage: for each, its number, title, comment count and the latest comment. Then give me the message's link.",
  classic: async (call) => {
    const repo = "acme/web";
    const top = await call("github.list_issues", { repo, state: "open", sort: "comments", per_page: 3 });
    const latest: Any[] = [];
    for (const i of top) {
      latest.push((await call("github.list_issue_comments", { repo, issue_number: i.number, per_page: 100 })).at(-1));
    }
    const lines = top.map((i: Any, n: number) =>
      `• #${i.number} ${i.title} (${i.comments} comments). Latest, ${latest[n]?.author}: ${latest[n]?.body}`
    );
    const text = ["*Most discussed open issues in acme/web*", ...lines].join("\n");
    const posted = await call("slack.post_message", { channel: "#eng-triage", text });
    return { link: posted.permalink, issues: top.map((i: Any) => i.number) };
  },
  script: `const repo = "acme/web";
const top = await tools.github.list_issues({ repo, state: "open", sort: "comments", per_page: 3 });
const latest = await Promise.all(
  top.map(async (i) => (await tools.github.list_issue_comments({ repo, issue_number: i.number, per_page: 100 })).at(-1)),
);
const lines = top.map((i, n) => \`• #\${i.number} \${i.title} (\${i.comments} comments). Latest, \${latest[n]?.author}: \${latest[n]?.body}\`);
const text = ["*Most discussed open issues in acme/web*", ...lines].join("\\n");
const posted = await tools.slack.post_message({ channel: "#eng-triage", text });
return { link: posted.permalink, issues: top.map((i) => i.number) };`,
  search: "list issues comments post message channel",
  types: ["github.list_issues", "github.list_issue_comments", "slack.post_message"],
  expected: { link: "https://acme.slack.com/archives/C04TRIAGE/p1773144000367063", issues: [275, 225, 258] },
};

const overdue: Task = {
  id: "overdue",
  prompt:
    "Find open invoices due before 2026-02-08 with more than $1,000 due. For each company, e-mail its account owner in the CRM one reminder listing those invoices (number, amount, link). Then tell me the total overdue and who was e-mailed.",
  classic: async (call) => {
    const open = await call("billing.list_invoices", { status: "open", due_before: "2026-02-08", limit: 100 });
    const late = open.filter((i: Any) => i.amount_due > 100_000);
    const byCompany = Map.groupBy(late, (i: Any) => i.customer_name as string);
    const emailed = [];
    for (const [name, invoices] of byCompany) {
      const [company] = await call("crm.search_companies", { query: name, limit: 1 });
      const lines = invoices.map((i: Any) =>
        `${i.number}: $${(i.amount_due / 100).toFixed(2)} ${i.hosted_invoice_url}`
      );
      const body = `Hi,\n\n${name} has overdue invoices:\n${lines.join("\n")}\n\nCould you follow up with them?`;
      await call("email.send_message", { to: [company.owner_email], subject: `Overdue invoices: ${name}`, body });
      emailed.push({ company: name, owner: company.owner_email });
    }
    return { total_usd: late.reduce((s: number, i: Any) => s + i.amount_due, 0) / 100, emailed };
  },
  script: `const open = await tools.billing.list_invoices({ status: "open", due_before: "2026-02-08", limit: 100 });
const late = open.filter((i) => i.amount_due > 100_000);
const byCompany = Map.groupBy(late, (i) => i.customer_name);
const emailed = await Promise.all([...byCompany].map(async ([name, invoices]) => {
  const [company] = await tools.crm.search_companies({ query: name, limit: 1 });
  const lines = invoices.map((i) => \`\${i.number}: $\${(i.amount_due / 100).toFixed(2)} \${i.hosted_invoice_url}\`);
  const body = \`Hi,\\n\\n\${name} has overdue invoices:\\n\${lines.join("\\n")}\\n\\nCould you follow up with them?\`;
  await tools.email.send_message({ to: [company.owner_email], subject: \`Overdue invoices: \${name}\`, body });
  return { company: name, owner: company.owner_email };
}));
return { total_usd: late.reduce((s, i) => s + i.amount_due, 0) / 100, emailed };`,
  search: "open invoices crm company owner send email",
  types: ["billing.list_invoices", "crm.search_companies", "email.send_message"],
  expected: {
    total_usd: 20461,
    emailed: [
      { company: "Massive Dynamic", owner: "greta@acme.dev" },
      { company: "Wayne Foods", owner: "farid@acme.dev" },
      { company: "Pied Piper", owner: "hugo@acme.dev" },
      { company: "Wonka Retail", owner: "farid@acme.dev" },
      { company: "Dunder Mifflin Paper", owner: "hugo@acme.dev" },
    ],
  },
};

const planning: Task = {
  id: "planning",
  prompt:
    "Book a 30-minute 'Q3 planning' meeting on 2026-03-11 with Ana, Ben and Chloé (ana@, ben@, chloe@acme.dev) at the first time all three are free. If rain is likely in Berlin in that hour (50% or more), make it a video call; otherwise book room Havel. Post the time and the link to #planning.",
  classic: async (call) => {
    const attendees = ["ana@acme.dev", "ben@acme.dev", "chloe@acme.dev"];
    const [slot] = await call("calendar.find_free_slots", { attendees, date: "2026-03-11", duration_minutes: 30 });
    const hour = Number(slot.start.slice(11, 13));
    const [forecast] = await call("weather.forecast_hourly", {
      city: "Berlin",
      date: "2026-03-11",
      from_hour: hour,
      to_hour: hour,
    });
    const rainy = forecast.precipitation_probability >= 50;
    const event = await call("calendar.create_event", {
      summary: "Q3 planning",
      start: slot.start,
      end: slot.end,
      attendees,
      ...(rainy ? { add_video_call: true } : { location: "Havel" }),
    });
    const where = rainy ? `video call ${event.conference_url}` : "room Havel";
    await call("slack.post_message", { channel: "#planning", text: `Q3 planning: ${slot.start}, ${where}` });
    return { start: slot.start, rainy, link: event.html_link };
  },
  script: `const attendees = ["ana@acme.dev", "ben@acme.dev", "chloe@acme.dev"];
const [slot] = await tools.calendar.find_free_slots({ attendees, date: "2026-03-11", duration_minutes: 30 });
const hour = Number(slot.start.slice(11, 13));
const [forecast] = await tools.weather.forecast_hourly({ city: "Berlin", date: "2026-03-11", from_hour: hour, to_hour: hour });
const rainy = forecast.precipitation_probability >= 50;
const event = await tools.calendar.create_event({
  summary: "Q3 planning",
  start: slot.start,
  end: slot.end,
  attendees,
  ...(rainy ? { add_video_call: true } : { location: "Havel" }),
});
const where = rainy ? \`video call \${event.conference_url}\` : "room Havel";
await tools.slack.post_message({ channel: "#planning", text: \`Q3 planning: \${slot.start}, \${where}\` });
return { start: slot.start, rainy, link: event.html_link };`,
  search: "free slots create event hourly rain forecast post message",
  types: ["calendar.find_free_slots", "weather.forecast_hourly", "calendar.create_event", "slack.post_message"],
  expected: {
    start: "2026-03-11T09:30:00+01:00",
    rainy: false,
    link: "https://calendar.acme.dev/event?eid=evt_htk1jn",
  },
};

function sprintMarkdown(sprint: string, tickets: Any[]): string {
  const byAssignee = Map.groupBy(tickets, (t: Any) => (t.assignee ?? "unassigned") as string);
  const sections = [...byAssignee].sort(([a], [b]) => a < b ? -1 : 1).map(([who, list]) =>
    `### ${who}\n${
      list.map((t: Any) => `- ${t.key} ${t.summary} (${t.status}, ${t.story_points ?? "?"} pts)`).join("\n")
    }`
  );
  return `## ${sprint}: not done\n\n${sections.join("\n\n")}`;
}

const sprint: Task = {
  id: "sprint",
  prompt:
    "For the active sprint of Jira project WEB, list the tickets that are not done, grouped by assignee with their status and story points, and append that to the docs page 'WEB sprint notes'. Tell me the open story points in total.",
  classic: async (call) => {
    const [active] = await call("jira.list_sprints", { project: "WEB", state: "active" });
    const found = await call("jira.search_issues", {
      jql: `project = WEB AND sprint = ${active.id} AND status != Done`,
      max_results: 100,
    });
    const [page] = await call("docs.search", { query: "WEB sprint notes", type: "page", limit: 1 });
    await call("docs.append_blocks", { page_id: page.id, markdown: sprintMarkdown(active.name, found.issues) });
    const points = found.issues.reduce((s: number, t: Any) => s + (t.story_points ?? 0), 0);
    return { sprint: active.name, open_tickets: found.issues.length, open_points: points, page: page.url };
  },
  script: `const [active] = await tools.jira.list_sprints({ project: "WEB", state: "active" });
const [found, [page]] = await Promise.all([
  tools.jira.search_issues({ jql: \`project = WEB AND sprint = \${active.id} AND status != Done\`, max_results: 100 }),
  tools.docs.search({ query: "WEB sprint notes", type: "page", limit: 1 }),
]);
const byAssignee = Map.groupBy(found.issues, (t) => t.assignee ?? "unassigned");
const sections = [...byAssignee].sort(([a], [b]) => a < b ? -1 : 1).map(([who, list]) =>
  \`### \${who}\\n\${list.map((t) => \`- \${t.key} \${t.summary} (\${t.status}, \${t.story_points ?? "?"} pts)\`).join("\\n")}\`
);
await tools.docs.append_blocks({ page_id: page.id, markdown: \`## \${active.name}: not done\\n\\n\${sections.join("\\n\\n")}\` });
const points = found.issues.reduce((s, t) => s + (t.story_points ?? 0), 0);
return { sprint: active.name, open_tickets: found.issues.length, open_points: points, page: page.url };`,
  search: "active sprint search jira issues jql docs page append",
  types: ["jira.list_sprints", "jira.search_issues", "docs.search", "docs.append_blocks"],
  expected: {
    sprint: "WEB Sprint 41",
    open_tickets: 13,
    open_points: 31,
    page: "https://docs.acme.dev/web-sprint-notes",
  },
};

const stale: Task = {
  id: "stale",
  prompt:
    "In bucket acme-exports, find the objects under exports/ last modified before 2025-12-10. Open an OPS ticket 'Review stale exports' with their count, total size in GiB and the five largest, and a 7-day download link for the largest. Give me the ticket key.",
  classic: async (call) => {
    const listing = await call("storage.list_objects", { bucket: "acme-exports", prefix: "exports/" });
    const old = listing.objects.filter((o: Any) => o.last_modified < "2025-12-10");
    const largest = old.toSorted((a: Any, b: Any) => b.size - a.size).slice(0, 5);
    const link = await call("storage.create_signed_url", {
      bucket: "acme-exports",
      key: largest[0].key,
      expires_in_seconds: 604800,
    });
    const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
    const total = old.reduce((s: number, o: Any) => s + o.size, 0);
    const description = `${old.length} objects, ${gib(total)} GiB in all. Largest:\n${
      largest.map((o: Any) => `- ${o.key} (${gib(o.size)} GiB)`).join("\n")
    }\nDownload the largest: ${link.url}`;
    const ticket = await call("jira.create_issue", {
      project: "OPS",
      summary: "Review stale exports",
      issue_type: "Task",
      description,
    });
    return { ticket: ticket.key, count: old.length, total_gib: gib(total) };
  },
  script: `const listing = await tools.storage.list_objects({ bucket: "acme-exports", prefix: "exports/" });
const old = listing.objects.filter((o) => o.last_modified < "2025-12-10");
const largest = old.toSorted((a, b) => b.size - a.size).slice(0, 5);
const link = await tools.storage.create_signed_url({ bucket: "acme-exports", key: largest[0].key, expires_in_seconds: 604800 });
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
const total = old.reduce((s, o) => s + o.size, 0);
const description = \`\${old.length} objects, \${gib(total)} GiB in all. Largest:\\n\${
  largest.map((o) => \`- \${o.key} (\${gib(o.size)} GiB)\`).join("\\n")
}\\nDownload the largest: \${link.url}\`;
const ticket = await tools.jira.create_issue({ project: "OPS", summary: "Review stale exports", issue_type: "Task", description });
return { ticket: ticket.key, count: old.length, total_gib: gib(total) };`,
  search: "list bucket objects signed download url create jira ticket",
  types: ["storage.list_objects", "storage.create_signed_url", "jira.create_issue"],
  expected: { ticket: "OPS-540", count: 85, total_gib: "3.82" },
};

/** Every task, in the order the table shows them. */
export const TASKS: readonly Task[] = [triage, overdue, planning, sprint, stale];
