// The `jira` namespace: projects, sprints, tickets, comments and work logs, shaped like Jira Cloud's REST API.
import {
  arr,
  type BenchTool,
  daysAgo,
  enm,
  extend,
  Fake,
  hashOf,
  type Input,
  int,
  num,
  obj,
  opt,
  PEOPLE,
  str,
} from "./_schema.ts";

const key = str('Ticket key, e.g. "WEB-142".');
const STATUSES = ["To Do", "In Progress", "In Review", "Done"];
const ticket = obj({
  key,
  summary: str(),
  status: enm(STATUSES),
  issue_type: enm(["Story", "Bug", "Task", "Epic"]),
  priority: enm(["Highest", "High", "Medium", "Low"]),
  assignee: { type: ["string", "null"], description: "E-mail, or null when unassigned." },
  reporter: str(),
  story_points: { type: ["number", "null"] },
  labels: arr(str()),
  sprint_id: { type: ["integer", "null"] },
  updated: str(),
});
const sprint = obj({
  id: int(),
  name: str(),
  state: enm(["future", "active", "closed"]),
  start_date: str(),
  end_date: str(),
  goal: str(),
});

const PROJECTS = [
  { key: "WEB", name: "Web app", lead: "ana@acme.dev" },
  { key: "PLAT", name: "Platform", lead: "chloe@acme.dev" },
  { key: "OPS", name: "Operations", lead: "dev@acme.dev" },
];
const SPRINTS = PROJECTS.flatMap((p, i) =>
  [0, 1, 2].map((n) => ({
    id: 310 + i * 10 + n,
    project: p.key,
    name: `${p.key} Sprint ${40 + n}`,
    state: n === 0 ? "closed" : n === 1 ? "active" : "future",
    start_date: daysAgo(21 - n * 14).slice(0, 10),
    end_date: daysAgo(7 - n * 14).slice(0, 10),
    goal: n === 1 ? `${p.name}: ship the ${["new checkout", "queue migration", "cost dashboard"][i]}` : "",
  }))
);
const VERBS = ["Add", "Fix", "Refactor", "Migrate", "Document", "Speed up", "Remove"];
const THINGS = [
  "checkout form validation",
  "session refresh",
  "search ranking",
  "invoice PDF export",
  "audit log",
  "feature flags",
  "image CDN cache",
  "signup e-mails",
  "rate limiter",
  "date picker",
];

function makeTickets(): Record<string, unknown>[] {
  const f = new Fake(909);
  return PROJECTS.flatMap((p, pi) =>
    Array.from({ length: 40 }, (_, i) => {
      const inSprint = i < 26 ? SPRINTS[pi * 3 + (i < 12 ? 0 : 1)].id : null;
      const closedSprint = i < 12;
      return {
        key: `${p.key}-${101 + i * 2}`,
        summary: `${f.pick(VERBS)} ${f.pick(THINGS)}`,
        status: closedSprint ? "Done" : f.pick(STATUSES),
        issue_type: f.pick(["Story", "Story", "Bug", "Task"]),
        priority: f.pick(["High", "Medium", "Medium", "Low"]),
        assignee: f.next() < 0.85 ? f.pick(PEOPLE.slice(0, 5)).email : null,
        reporter: f.pick(PEOPLE).email,
        story_points: f.next() < 0.9 ? f.pick([1, 2, 3, 5, 8]) : null,
        labels: f.some(["frontend", "backend", "tech-debt", "customer"], f.int(0, 2)),
        sprint_id: inSprint,
        updated: daysAgo(f.int(0, 12), f.int(8, 18)),
      };
    })
  );
}

const TICKETS = makeTickets();

/** A small JQL subset: `field = value`, `field != value`, `field in (a, b)`, joined by AND. */
function matchesJql(t: Record<string, unknown>, jql: string): boolean {
  const fields: Record<string, (t: Record<string, unknown>) => unknown> = {
    project: (t) => String(t.key).split("-")[0],
    sprint: (t) => t.sprint_id,
    status: (t) => t.status,
    assignee: (t) => t.assignee,
    type: (t) => t.issue_type,
    priority: (t) => t.priority,
  };
  return jql.split(/\s+AND\s+/i).filter((c) => !/^ORDER BY/i.test(c)).every((clause) => {
    const m = /^\s*(\w+)\s*(=|!=|in|not in)\s*(.+?)\s*$/i.exec(clause.replace(/\s+ORDER BY.*$/i, ""));
    if (!m || !fields[m[1].toLowerCase()]) throw new Error(`The JQL query is not valid: ${clause}`);
    const values = m[3].replace(/^\(|\)$/g, "").split(",").map((v) => v.trim().replace(/^["']|["']$/g, ""));
    const actual = String(fields[m[1].toLowerCase()](t));
    const hit = values.some((v) => v.toLowerCase() === actual.toLowerCase());
    return /^(=|in)$/i.test(m[2]) ? hit : !hit;
  });
}

function findTicket(k: string): Record<string, unknown> {
  const found = TICKETS.find((t) => t.key === k);
  if (!found) throw new Error(`Issue does not exist or you do not have permission to see it: ${k}`);
  return found;
}

function createdTicket(input: Input): Record<string, unknown> {
  const k = `${input.project}-${201 + parseInt(hashOf(input.summary), 36) % 700}`;
  return { key: k, url: `https://acme.atlassian.net/browse/${k}` };
}

export const jira: BenchTool[] = [
  {
    name: "jira.search_issues",
    description:
      'Searches tickets with JQL (e.g. "project = WEB AND sprint = 321 AND status != Done"). Supports =, !=, in, not in on project, sprint, status, assignee, type, priority.',
    input: obj({
      jql: str(),
      max_results: opt(int("1-100. Default 50.", { minimum: 1, maximum: 100 })),
      start_at: opt(int("Offset of the first result. Default 0.", { minimum: 0 })),
    }),
    output: obj({ total: int(), start_at: int(), issues: arr(ticket) }),
    handler: (input) => {
      const all = TICKETS.filter((t) => matchesJql(t, input.jql));
      const start = input.start_at ?? 0;
      return { total: all.length, start_at: start, issues: all.slice(start, start + (input.max_results ?? 50)) };
    },
  },
  {
    name: "jira.get_issue",
    description: "Gets a ticket with its description and comment count.",
    input: obj({ key }),
    output: extend(ticket, { description: str(), comment_count: int() }),
    handler: (input) => {
      const t = findTicket(input.key);
      return {
        ...t,
        description: `${t.summary}. Acceptance criteria: covered by tests, documented.`,
        comment_count: parseInt(hashOf(input.key), 36) % 7,
      };
    },
  },
  {
    name: "jira.create_issue",
    description: "Creates a ticket. Returns its key and URL.",
    input: obj({
      project: str('Project key, e.g. "OPS".'),
      summary: str(),
      issue_type: enm(["Story", "Bug", "Task", "Epic"]),
      description: opt(str("Markdown.")),
      priority: opt(enm(["Highest", "High", "Medium", "Low"])),
      assignee: opt(str("E-mail.")),
      labels: opt(arr(str())),
    }),
    output: obj({ key: str(), url: str() }),
    handler: createdTicket,
  },
  {
    name: "jira.transition_issue",
    description: "Moves a ticket to another status.",
    input: obj({ key, status: enm(STATUSES), comment: opt(str()) }),
    output: obj({ key: str(), status: str() }),
    handler: (input) => ({ key: findTicket(input.key).key, status: input.status }),
  },
  {
    name: "jira.add_comment",
    description: "Comments on a ticket.",
    input: obj({ key, body: str("Markdown.") }),
    output: obj({ id: str(), created: str() }),
    handler: (input) => ({
      id: String(10_000 + parseInt(hashOf(findTicket(input.key).key + input.body), 36) % 90_000),
      created: daysAgo(0, 12),
    }),
  },
  {
    name: "jira.assign_issue",
    description: "Assigns a ticket to a person, or unassigns it with null.",
    input: obj({ key, assignee: { type: ["string", "null"], description: "E-mail, or null." } }),
    output: obj({ key: str(), assignee: { type: ["string", "null"] } }),
    handler: (input) => ({ key: findTicket(input.key).key, assignee: input.assignee }),
  },
  {
    name: "jira.list_projects",
    description: "Lists the projects.",
    input: obj({}),
    output: arr(obj({ key: str(), name: str(), lead: str() })),
    handler: () => PROJECTS,
  },
  {
    name: "jira.list_sprints",
    description: "Lists a project's sprints, optionally by state.",
    input: obj({ project: str("Project key."), state: opt(enm(["future", "active", "closed"])) }),
    output: arr(sprint),
    handler: (input) =>
      SPRINTS.filter((s) => s.project === input.project && (!input.state || s.state === input.state))
        .map(({ project: _p, ...s }) => s),
  },
  {
    name: "jira.log_work",
    description: "Logs time spent on a ticket.",
    input: obj({ key, time_spent: str('Jira duration, e.g. "1h 30m".'), comment: opt(str()) }),
    output: obj({ id: str(), time_spent_seconds: num() }),
    handler: (input) => {
      const m = /(?:(\d+)h)?\s*(?:(\d+)m)?/.exec(input.time_spent) ?? [];
      return {
        id: `wl_${hashOf(findTicket(input.key).key + input.time_spent)}`,
        time_spent_seconds: (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60,
      };
    },
  },
  {
    name: "jira.get_transitions",
    description: "Lists the statuses a ticket can move to from its current one.",
    input: obj({ key }),
    output: arr(obj({ id: str(), to_status: str() })),
    handler: (input) => {
      const from = STATUSES.indexOf(String(findTicket(input.key).status));
      return STATUSES.filter((_, i) => i !== from).map((s, i) => ({ id: String(11 + i * 10), to_status: s }));
    },
  },
];
