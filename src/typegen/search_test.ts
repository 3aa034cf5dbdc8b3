import assert from "node:assert/strict";
import { type SearchableTool, searchTools, tokenize } from "./search.ts";

const obj = (properties: Record<string, unknown> = {}, required: string[] = []) =>
  ({
    type: "object",
    properties,
    required,
  }) as SearchableTool["inputSchema"];

const CATALOG: SearchableTool[] = [
  {
    name: "github.listIssues",
    path: ["github", "listIssues"],
    description: "Lists the issues of a repository, newest first.",
    inputSchema: obj({ repo: { type: "string" }, state: { enum: ["open", "closed"] } }, ["repo"]),
  },
  {
    name: "github.create_issue",
    path: ["github", "create_issue"],
    description: "Opens a new issue.",
    inputSchema: obj({ repo: { type: "string" }, title: { type: "string" } }, ["repo", "title"]),
  },
  {
    name: "github.pulls.merge",
    path: ["github", "pulls", "merge"],
    description: "Merges a pull request.",
    inputSchema: obj({ repo: { type: "string" }, number: { type: "integer" } }, ["repo", "number"]),
  },
  {
    name: "weather.get",
    path: ["weather", "get"],
    description: "Current weather for a city.",
    inputSchema: obj({ city: { type: "string" } }, ["city"]),
    outputSchema: obj({ tempC: { type: "number" } }, ["tempC"]),
  },
  {
    name: "db.orders.list",
    path: ["db", "orders", "list"],
    description: "Lists orders, optionally only those shipped to one city.",
    inputSchema: obj({ city: { type: "string" } }),
  },
  {
    name: "currency.convert",
    path: ["currency", "convert"],
    description: "Converts an amount from one currency to another at today's rate.",
    inputSchema: obj({ amount: { type: "number" }, from: { type: "string" }, to: { type: "string" } }),
  },
  {
    name: "calendar.events.list",
    path: ["calendar", "events", "list"],
    description: "Lists events. Mentions the weather only in passing, with weather words: weather weather.",
    inputSchema: obj({ day: { type: "string" } }),
  },
];

const names = (query: string, limit?: number) => searchTools(CATALOG, query, { limit }).map((m) => m.name);

Deno.test("tokenize splits camelCase, snake_case, dots and dashes, folds plurals, drops stop words", () => {
  assert.deepEqual(tokenize("listIssues"), ["list", "issue"]);
  assert.deepEqual(tokenize("create_issue"), ["create", "issue"]);
  assert.deepEqual(tokenize("github.pulls.merge"), ["github", "pull", "merge"]);
  assert.deepEqual(tokenize("list-open-PRs"), ["list", "open", "prs"]);
  assert.deepEqual(tokenize("parseHTMLDocument"), ["parse", "html", "document"]);
  assert.deepEqual(tokenize("the cities of the world"), ["city", "world"]);
  assert.deepEqual(tokenize("status address"), ["status", "address"]);
  assert.deepEqual(tokenize(""), []);
});

Deno.test("a name or namespace match outranks many description mentions", () => {
  // calendar.events.list says "weather" three times in its description; weather.get is named so.
  assert.deepEqual(names("weather").slice(0, 2), ["weather.get", "calendar.events.list"]);
});

Deno.test("camelCase and snake_case names are found by their words, singular or plural", () => {
  const hits = names("issue");
  assert.deepEqual(hits.slice(0, 2).sort(), ["github.create_issue", "github.listIssues"]);
  assert.equal(names("list issues")[0], "github.listIssues");
  assert.equal(names("create issue")[0], "github.create_issue");
  assert.equal(names("merge pull request")[0], "github.pulls.merge");
});

Deno.test("the namespace is searched, and weighted over property names", () => {
  const hits = names("github");
  assert.deepEqual(hits.sort(), ["github.create_issue", "github.listIssues", "github.pulls.merge"]);
  // `city` is only a property name (and a description word) of two tools.
  assert.deepEqual(names("city").sort(), ["db.orders.list", "weather.get"]);
  assert.equal(names("amount")[0], "currency.convert");
});

Deno.test("a prefix of a term matches at a lower weight", () => {
  assert.equal(names("conv")[0], "currency.convert");
  assert.deepEqual(names("xyzzy"), []);
});

Deno.test("results carry one-line signatures and descriptions, and respect the limit", () => {
  const [top] = searchTools(CATALOG, "weather", { limit: 1 });
  assert.equal(top.name, "weather.get");
  assert.equal(top.signature, "tools.weather.get(input: { city: string }): Promise<{ tempC: number }>");
  assert.equal(top.description, "Current weather for a city.");
  assert.ok(top.score > 0);
  assert.equal(searchTools(CATALOG, "list", { limit: 2 }).length, 2);
  assert.equal(searchTools(CATALOG, "repo").length, 3);
  assert.throws(() => searchTools(CATALOG, "x", { limit: 0 }), RangeError);
  assert.throws(() => searchTools(CATALOG, "x", { limit: 1.5 }), RangeError);
});

Deno.test("ordering is deterministic: score, then name; input order does not matter", () => {
  const forward = searchTools(CATALOG, "list orders city repo");
  const backward = searchTools([...CATALOG].reverse(), "list orders city repo");
  assert.deepEqual(forward, backward);
  for (let i = 1; i < forward.length; i++) {
    const [a, b] = [forward[i - 1], forward[i]];
    assert.ok(a.score > b.score || (a.score === b.score && a.name < b.name), `${a.name} before ${b.name}`);
  }
  // Tools with identical text tie and are ordered by name.
  const twins: SearchableTool[] = ["b.x", "a.x", "c.x"].map((name) => ({
    name,
    path: name.split("."),
    description: "Same.",
    inputSchema: obj(),
  }));
  assert.deepEqual(searchTools(twins, "same").map((m) => m.name), ["a.x", "b.x", "c.x"]);
});

Deno.test("empty, stop-word-only and punctuation queries match nothing; an empty catalogue is fine", () => {
  assert.deepEqual(names(""), []);
  assert.deepEqual(names("the of and"), []);
  assert.deepEqual(names("!!! ..."), []);
  assert.deepEqual(searchTools([], "weather"), []);
});

Deno.test("nested property names are searched; odd schemas do not break indexing", () => {
  const tools: SearchableTool[] = [
    {
      name: "mail.send",
      path: ["mail", "send"],
      inputSchema: obj({ message: { type: "object", properties: { recipientAddress: { type: "string" } } } }),
    },
    { name: "any.thing", path: ["any", "thing"], inputSchema: true },
    { name: "list.of", path: ["list", "of"], inputSchema: { type: "array", items: obj({ recipient: {} }) } },
  ];
  assert.deepEqual(searchTools(tools, "recipient").map((m) => m.name).sort(), ["list.of", "mail.send"]);
  assert.equal(searchTools(tools, "thing")[0].signature, "tools.any.thing(input?: unknown): Promise<unknown>");
});

Deno.test("a non-identifier name keeps its original spelling, and the signature uses the safe path", () => {
  const [m] = searchTools([{
    name: "github.list-issues",
    path: ["github", "list_issues"],
    inputSchema: obj(),
  }], "issues");
  assert.equal(m.name, "github.list-issues");
  assert.match(m.signature, /^tools\.github\.list_issues\(/);
});
