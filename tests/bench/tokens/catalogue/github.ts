// The `github` namespace: issues, comments, pull requests, code search and releases, shaped like GitHub's REST API.
import {
  arr,
  type BenchTool,
  bool,
  daysAgo,
  enm,
  extend,
  Fake,
  hashOf,
  type Input,
  int,
  obj,
  opt,
  PEOPLE,
  str,
} from "./_schema.ts";

const repo = str('Repository as "owner/name", e.g. "acme/web".');
const label = obj({ name: str(), color: str("Hex colour without #.") });
const issue = obj({
  number: int(),
  title: str(),
  state: enm(["open", "closed"]),
  author: str("Login of the user who opened it."),
  assignees: arr(str(), "Logins."),
  labels: arr(label),
  comments: int("Number of comments."),
  created_at: str("ISO 8601 timestamp."),
  updated_at: str("ISO 8601 timestamp."),
  closed_at: { type: ["string", "null"], description: "ISO 8601 timestamp, null while open." },
  body: str("Markdown."),
  html_url: str(),
});
const comment = obj({ id: int(), author: str(), created_at: str(), body: str("Markdown.") });
const pull = obj({
  number: int(),
  title: str(),
  state: enm(["open", "closed", "merged"]),
  author: str(),
  draft: bool(),
  base: str("Target branch."),
  head: str("Source branch."),
  requested_reviewers: arr(str()),
  additions: int(),
  deletions: int(),
  changed_files: int(),
  created_at: str(),
  html_url: str(),
});

const AREAS = [
  "Checkout",
  "Login",
  "Search",
  "Dashboard",
  "Settings page",
  "Image upload",
  "Dark mode",
  "Notifications",
];
const MORE_AREAS = ["CSV export", "Mobile nav", "Onboarding flow", "Billing page"];
const PROBLEMS = [
  "crashes on Safari 17",
  "is slow with more than 1,000 rows",
  "loses state after a refresh",
  "shows the wrong currency for EU accounts",
  "ignores the user's time zone",
  "is not usable with a screen reader",
  "submits twice on slow networks",
  "renders blank on first load",
  "returns 500 for names over 64 characters",
  "flickers when switching tabs",
];
const LABELS = [
  { name: "bug", color: "d73a4a" },
  { name: "performance", color: "fbca04" },
  { name: "accessibility", color: "0e8a16" },
  { name: "p1", color: "b60205" },
  { name: "needs-triage", color: "ededed" },
  { name: "frontend", color: "1d76db" },
];
const REMARKS = [
  "I can reproduce this on the latest main.",
  "Same here, our biggest customer reported it this morning.",
  "Looks related to the router upgrade in #212.",
  "Could we add a regression test for this before fixing?",
  "I have a draft fix, will open a PR after lunch.",
  "Confirmed on staging with a fresh account.",
  "This blocks the March release for the EU tenants.",
  "Attaching a HAR file from the failing session.",
  "Tried clearing the cache, no change.",
  "The error in the console is `TypeError: Cannot read properties of undefined (reading 'id')`.",
];

interface Issue {
  number: number;
  title: string;
  state: "open" | "closed";
  author: string;
  assignees: string[];
  labels: { name: string; color: string }[];
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  body: string;
  html_url: string;
}

function makeIssues(name: string, count: number, seed: number): Issue[] {
  const f = new Fake(seed);
  return Array.from({ length: count }, (_, i) => {
    const area = f.pick([...AREAS, ...MORE_AREAS]);
    const problem = f.pick(PROBLEMS);
    const age = f.int(2, 120);
    const closed = f.next() < 0.25;
    const number = 180 + i * 3 + f.int(0, 2);
    return {
      number,
      title: `${area} ${problem}`,
      state: closed ? "closed" : "open",
      author: f.pick(PEOPLE).login,
      assignees: f.next() < 0.6 ? [f.pick(PEOPLE).login] : [],
      labels: f.some(LABELS, f.int(1, 3)),
      comments: f.int(0, 24),
      created_at: daysAgo(age, f.int(7, 18), f.int(0, 59)),
      updated_at: daysAgo(f.int(0, Math.min(age, 10)), f.int(7, 18), f.int(0, 59)),
      closed_at: closed ? daysAgo(f.int(0, 2)) : null,
      body: `${area} ${problem}.\n\nSteps: open the ${area.toLowerCase()} and ${
        f.pick(["reload twice", "switch to another tab and back", "sign in as a new user", "paste a long value"])
      }.\nExpected: it works as before.\nActual: it ${problem}.`,
      html_url: `https://github.com/${name}/issues/${number}`,
    };
  });
}

const ISSUES: Record<string, Issue[]> = {
  "acme/web": makeIssues("acme/web", 36, 11),
  "acme/api": makeIssues("acme/api", 18, 12),
};

function issuesOf(name: string): Issue[] {
  const found = ISSUES[name];
  if (!found) throw new Error(`Not Found: repository ${name}`);
  return found;
}

function findIssue(name: string, number: number): Issue {
  const found = issuesOf(name).find((i) => i.number === number);
  if (!found) throw new Error(`Not Found: issue #${number} in ${name}`);
  return found;
}

function listIssues(input: Input): Issue[] {
  const sort = (input.sort ?? "created") as "created" | "updated" | "comments";
  const key = (i: Issue) =>
    sort === "comments" ? i.comments : Date.parse(sort === "created" ? i.created_at : i.updated_at);
  const dir = (input.direction ?? "desc") === "desc" ? -1 : 1;
  const wanted = (input.labels as string[] | undefined) ?? [];
  const page = input.page ?? 1;
  const perPage = input.per_page ?? 30;
  return issuesOf(input.repo)
    .filter((i) => (input.state ?? "open") === "all" || i.state === (input.state ?? "open"))
    .filter((i) => wanted.every((l) => i.labels.some((x) => x.name === l)))
    .filter((i) => input.assignee === undefined || i.assignees.includes(input.assignee))
    .sort((a, b) => dir * (key(a) - key(b)) || a.number - b.number)
    .slice((page - 1) * perPage, page * perPage);
}

function commentsOf(name: string, number: number): { id: number; author: string; created_at: string; body: string }[] {
  const found = findIssue(name, number);
  const f = new Fake(number * 7919);
  return Array.from({ length: found.comments }, (_, i) => ({
    id: 900_000 + number * 100 + i,
    author: f.pick(PEOPLE).login,
    created_at: daysAgo(Math.max(0, found.comments - i - 1) % 10, f.int(7, 18), f.int(0, 59)),
    body: f.pick(REMARKS),
  }));
}

function pulls(name: string): Record<string, unknown>[] {
  const f = new Fake(parseInt(hashOf(name), 36));
  return Array.from({ length: 12 }, (_, i) => ({
    number: 400 + i * 2,
    title: `Fix: ${f.pick(AREAS).toLowerCase()} ${f.pick(PROBLEMS)}`,
    state: i < 7 ? "open" : f.pick(["closed", "merged"]),
    author: f.pick(PEOPLE).login,
    draft: f.next() < 0.2,
    base: "main",
    head: `fix/${400 + i * 2}`,
    requested_reviewers: f.some(PEOPLE.map((p) => p.login), f.int(0, 2)),
    additions: f.int(3, 480),
    deletions: f.int(0, 220),
    changed_files: f.int(1, 14),
    created_at: daysAgo(f.int(0, 20)),
    html_url: `https://github.com/${name}/pull/${400 + i * 2}`,
  }));
}

export const github: BenchTool[] = [
  {
    name: "github.list_issues",
    description:
      "Lists issues of a repository, newest first by default. Pull requests are not included. Paginated: at most `per_page` issues per call.",
    input: obj({
      repo,
      state: opt(enm(["open", "closed", "all"], 'Which issues to list. Default "open".')),
      labels: opt(arr(str(), "Only issues that have all of these labels.")),
      assignee: opt(str("Only issues assigned to this login.")),
      sort: opt(enm(["created", "updated", "comments"], 'Sort key. Default "created".')),
      direction: opt(enm(["asc", "desc"], 'Default "desc".')),
      per_page: opt(int("Results per page, 1-100. Default 30.", { minimum: 1, maximum: 100 })),
      page: opt(int("Page number, from 1.", { minimum: 1 })),
    }),
    output: arr(issue),
    handler: listIssues,
  },
  {
    name: "github.get_issue",
    description: "Gets one issue by number, with its full body.",
    input: obj({ repo, number: int("Issue number.") }),
    output: issue,
    handler: (input) => findIssue(input.repo, input.number),
  },
  {
    name: "github.list_issue_comments",
    description: "Lists the comments on an issue, oldest first. Paginated.",
    input: obj({
      repo,
      issue_number: int(),
      per_page: opt(int("1-100. Default 30.", { minimum: 1, maximum: 100 })),
      page: opt(int("From 1.", { minimum: 1 })),
    }),
    output: arr(comment),
    handler: (input) => {
      const perPage = input.per_page ?? 30;
      const page = input.page ?? 1;
      return commentsOf(input.repo, input.issue_number).slice((page - 1) * perPage, page * perPage);
    },
  },
  {
    name: "github.create_issue",
    description: "Opens a new issue. Returns the created issue.",
    input: obj({
      repo,
      title: str(),
      body: opt(str("Markdown.")),
      labels: opt(arr(str(), "Label names; unknown labels are created.")),
      assignees: opt(arr(str(), "Logins.")),
    }),
    output: issue,
    handler: (input) => ({
      ...findIssue(input.repo, issuesOf(input.repo)[0].number),
      number: 300 + parseInt(hashOf(input.title), 36) % 100,
      title: input.title,
      state: "open",
      author: "codemode-bot",
      assignees: input.assignees ?? [],
      labels: (input.labels ?? []).map((name: string) => ({ name, color: "ededed" })),
      comments: 0,
      closed_at: null,
      body: input.body ?? "",
    }),
  },
  {
    name: "github.update_issue",
    description: "Edits an issue: title, body, state, labels or assignees. Fields left out are unchanged.",
    input: obj({
      repo,
      number: int(),
      title: opt(str()),
      body: opt(str()),
      state: opt(enm(["open", "closed"])),
      labels: opt(arr(str(), "Replaces all labels.")),
      assignees: opt(arr(str(), "Replaces all assignees.")),
    }),
    output: issue,
    handler: (input) => {
      const { repo: _repo, number: _number, labels, ...rest } = input;
      const before = findIssue(input.repo, input.number);
      return {
        ...before,
        ...rest,
        ...(labels ? { labels: labels.map((name: string) => ({ name, color: "ededed" })) } : {}),
      };
    },
  },
  {
    name: "github.add_issue_comment",
    description: "Adds a comment to an issue or pull request.",
    input: obj({ repo, issue_number: int(), body: str("Markdown.") }),
    output: comment,
    handler: (input) => ({
      id: 990_000 + parseInt(hashOf(input.body), 36) % 10_000,
      author: "codemode-bot",
      created_at: daysAgo(0, 12),
      body: input.body,
    }),
  },
  {
    name: "github.list_pull_requests",
    description: "Lists pull requests of a repository, newest first.",
    input: obj({
      repo,
      state: opt(enm(["open", "closed", "all"], 'Default "open".')),
      base: opt(str("Only PRs into this branch.")),
      per_page: opt(int("1-100. Default 30.", { minimum: 1, maximum: 100 })),
    }),
    output: arr(pull),
    handler: (input) => {
      const state = input.state ?? "open";
      return pulls(input.repo)
        .filter((p) => state === "all" || (state === "open") === (p.state === "open"))
        .filter((p) => input.base === undefined || p.base === input.base)
        .slice(0, input.per_page ?? 30);
    },
  },
  {
    name: "github.get_pull_request",
    description: "Gets one pull request with its diff statistics and review state.",
    input: obj({ repo, number: int() }),
    output: extend(pull, { mergeable: bool(), review_decision: str() }),
    handler: (input) => {
      const found = pulls(input.repo).find((p) => p.number === input.number);
      if (!found) throw new Error(`Not Found: pull request #${input.number} in ${input.repo}`);
      return { ...found, mergeable: input.number % 4 !== 0, review_decision: "REVIEW_REQUIRED" };
    },
  },
  {
    name: "github.search_code",
    description: "Searches code across repositories with GitHub's code search syntax.",
    input: obj({
      query: str('Search terms and qualifiers, e.g. "useSession language:ts".'),
      repo: opt(str("Limit to one repository.")),
      per_page: opt(int("1-100. Default 30.", { minimum: 1, maximum: 100 })),
    }),
    output: obj({
      total_count: int(),
      items: arr(obj({ repo: str(), path: str(), url: str(), fragment: str("A matching line.") })),
    }),
    handler: (input) => {
      const word = String(input.query).split(/\s+/)[0];
      const paths = ["src/app/session.ts", "src/lib/auth.ts", "src/pages/checkout.tsx", "tests/session_test.ts"];
      const items = paths.slice(0, Math.min(input.per_page ?? 30, 1 + word.length % 4)).map((path) => ({
        repo: input.repo ?? "acme/web",
        path,
        url: `https://github.com/${input.repo ?? "acme/web"}/blob/main/${path}`,
        fragment: `export function ${word}(options = {}) {`,
      }));
      return { total_count: items.length, items };
    },
  },
  {
    name: "github.list_releases",
    description: "Lists published releases, newest first.",
    input: obj({ repo, per_page: opt(int("1-100. Default 30.", { minimum: 1, maximum: 100 })) }),
    output: arr(obj({ tag_name: str(), name: str(), published_at: str(), prerelease: bool(), body: str() })),
    handler: (input) =>
      Array.from({ length: Math.min(input.per_page ?? 30, 6) }, (_, i) => ({
        tag_name: `v3.${8 - i}.0`,
        name: `v3.${8 - i}.0`,
        published_at: daysAgo(7 + i * 14),
        prerelease: false,
        body: `Fixes and improvements to ${AREAS[i].toLowerCase()}.`,
      })),
  },
];
