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

/** A tool of the official filesystem MCP server (`@modelcontextprotocol/server-filesystem`), mounted as `fs`. */
const fsTool = (name: string, description: string, properties: string[]): SearchableTool => ({
  name: `fs.${name}`,
  path: ["fs", name],
  description,
  inputSchema: obj(Object.fromEntries(properties.map((p) => [p, { type: "string" }]))),
});

const FILESYSTEM: SearchableTool[] = [
  fsTool(
    "read_text_file",
    "Read the complete contents of a file as text. Use 'head' or 'tail' to read only the first or last N lines. Only works within allowed directories.",
    ["path", "head", "tail"],
  ),
  fsTool(
    "read_media_file",
    "Read an image or audio file. Returns the base64 encoded data and MIME type. Only works within allowed directories.",
    ["path"],
  ),
  fsTool(
    "read_multiple_files",
    "Read the contents of multiple files at once. Failed reads do not stop the operation. Only works within allowed directories.",
    ["paths"],
  ),
  fsTool(
    "write_file",
    "Create a new file or completely overwrite an existing file with new content. Only works within allowed directories.",
    ["path", "content"],
  ),
  fsTool(
    "edit_file",
    "Make line-based edits to a text file. Returns a git-style diff of the changes. Only works within allowed directories.",
    ["path", "edits", "dryRun"],
  ),
  fsTool(
    "create_directory",
    "Create a new directory or ensure a directory exists, with its parents. Only works within allowed directories.",
    ["path"],
  ),
  fsTool(
    "list_directory",
    "Get a detailed listing of all files and directories in a specified path. Results distinguish files and directories with [FILE] and [DIR] prefixes. Essential for understanding directory structure and finding specific files within a directory. Only works within allowed directories.",
    ["path"],
  ),
  fsTool(
    "list_directory_with_sizes",
    "Get a detailed listing of all files and directories in a specified path, including sizes. Only works within allowed directories.",
    ["path", "sortBy"],
  ),
  fsTool(
    "directory_tree",
    "Get a recursive tree view of files and directories as a JSON structure. Only works within allowed directories.",
    ["path", "excludePatterns"],
  ),
  fsTool(
    "move_file",
    "Move or rename files and directories. Fails if the destination exists. Both paths must be within allowed directories.",
    ["source", "destination"],
  ),
  fsTool(
    "search_files",
    "Recursively search for files and directories matching a pattern. Only searches within allowed directories.",
    ["path", "pattern", "excludePatterns"],
  ),
  fsTool(
    "get_file_info",
    "Retrieve detailed metadata about a file or directory: size, times, permissions and type. Only works within allowed directories.",
    ["path"],
  ),
  fsTool(
    "list_allowed_directories",
    "Returns the list of directories that this server is allowed to access. Subdirectories within these allowed directories are also accessible. Use this to understand which directories are available before trying to access files.",
    [],
  ),
];

const fsNames = (query: string) => searchTools(FILESYSTEM, query).map((m) => m.name);

Deno.test("searching a tool's name finds it first, even when a sibling's name holds the same words", () => {
  // `directory` and `allowed` are in every description, so they weigh almost nothing;
  // list_allowed_directories' short description also says "list".
  const hits = fsNames("list directory");
  assert.equal(hits[0], "fs.list_directory");
  assert.deepEqual(hits.slice(1, 3).sort(), ["fs.list_allowed_directories", "fs.list_directory_with_sizes"]);
  assert.equal(fsNames("list_directory")[0], "fs.list_directory");
  assert.equal(fsNames("fs list directory")[0], "fs.list_directory");
  assert.equal(fsNames("list allowed directories")[0], "fs.list_allowed_directories");
  assert.equal(fsNames("list directory with sizes")[0], "fs.list_directory_with_sizes");
});

Deno.test("every filesystem server tool is found first by the words of its name", () => {
  for (const tool of FILESYSTEM) {
    const words = tool.path[1].replaceAll("_", " ");
    assert.equal(fsNames(words)[0], tool.name, `searching "${words}"`);
  }
});
