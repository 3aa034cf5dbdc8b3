// The `docs` namespace: pages, databases and comments of a wiki, shaped like Notion's API.
import { arr, type BenchTool, bool, daysAgo, enm, extend, hashOf, int, obj, opt, PEOPLE, str } from "./_schema.ts";

const pageId = str("Page ID (a UUID).");
const pageRef = obj({
  id: str(),
  title: str(),
  type: enm(["page", "database"]),
  url: str(),
  parent_title: str(),
  last_edited_time: str(),
  last_edited_by: str("E-mail."),
});

const PAGES = [
  ["Engineering", "Engineering handbook"],
  ["Engineering", "WEB sprint notes"],
  ["Engineering", "Platform sprint notes"],
  ["Engineering", "On-call runbook"],
  ["Engineering", "Incident postmortems"],
  ["Product", "Q3 planning"],
  ["Product", "Roadmap 2026"],
  ["Sales", "Pricing FAQ"],
  ["Sales", "Renewal playbook"],
  ["Company", "Holiday calendar"],
  ["Company", "Onboarding checklist"],
  ["Engineering", "Architecture decision records"],
].map(([parent, title], i) => ({
  id: `${hashOf(title).padStart(8, "0")}-4f1c-9a2b-${String(100000000000 + i * 7919).slice(0, 12)}`,
  title,
  type: i === 4 || i === 11 ? "database" : "page",
  url: `https://docs.acme.dev/${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
  parent_title: parent,
  last_edited_time: daysAgo(i * 3 % 17),
  last_edited_by: PEOPLE[i % PEOPLE.length].email,
}));

function findPage(id: string): (typeof PAGES)[number] {
  const found = PAGES.find((p) => p.id === id);
  if (!found) throw new Error(`object_not_found: Could not find page with ID: ${id}`);
  return found;
}

function contentOf(page: (typeof PAGES)[number]): string {
  return `# ${page.title}\n\nOwner: ${page.last_edited_by}\n\n## Notes\n\n- Last reviewed ${
    page.last_edited_time.slice(0, 10)
  }.\n- Keep this page short; link to details.\n`;
}

export const docs: BenchTool[] = [
  {
    name: "docs.search",
    description: "Searches pages and databases by title, best match first.",
    input: obj({
      query: str(),
      type: opt(enm(["page", "database"], "Only this kind of object.")),
      limit: opt(int("1-100. Default 10.", { minimum: 1, maximum: 100 })),
    }),
    output: arr(pageRef),
    handler: (input) => {
      const words = String(input.query).toLowerCase().split(/\s+/).filter(Boolean);
      const score = (title: string) => words.filter((w) => title.toLowerCase().includes(w)).length;
      return PAGES.filter((p) => !input.type || p.type === input.type)
        .filter((p) => score(p.title) > 0)
        .sort((a, b) => score(b.title) - score(a.title) || (a.title < b.title ? -1 : 1))
        .slice(0, input.limit ?? 10);
    },
  },
  {
    name: "docs.get_page",
    description: "Gets a page's properties and its content as Markdown.",
    input: obj({ page_id: pageId }),
    output: extend(pageRef, { content_markdown: str() }),
    handler: (input) => {
      const page = findPage(input.page_id);
      return { ...page, content_markdown: contentOf(page) };
    },
  },
  {
    name: "docs.create_page",
    description: "Creates a page under a parent page, with Markdown content.",
    input: obj({ parent_id: pageId, title: str(), content_markdown: opt(str()) }),
    output: pageRef,
    handler: (input) => {
      const parent = findPage(input.parent_id);
      return {
        id: `${hashOf(input.title).padStart(8, "0")}-4f1c-9a2b-000000000001`,
        title: input.title,
        type: "page",
        url: `https://docs.acme.dev/${hashOf(input.title)}`,
        parent_title: parent.title,
        last_edited_time: daysAgo(0, 12),
        last_edited_by: "bot@acme.dev",
      };
    },
  },
  {
    name: "docs.update_page",
    description: "Renames or archives a page.",
    input: obj({ page_id: pageId, title: opt(str()), archived: opt(bool()) }),
    output: pageRef,
    handler: (input) => ({ ...findPage(input.page_id), ...(input.title ? { title: input.title } : {}) }),
  },
  {
    name: "docs.append_blocks",
    description: "Appends Markdown (headings, lists, tables, code) to the end of a page.",
    input: obj({ page_id: pageId, markdown: str("The content to append.") }),
    output: obj({ page_id: str(), blocks_added: int(), url: str() }),
    handler: (input) => {
      const page = findPage(input.page_id);
      const blocks = String(input.markdown).split("\n").filter((l) => l.trim()).length;
      return { page_id: page.id, blocks_added: blocks, url: page.url };
    },
  },
  {
    name: "docs.list_databases",
    description: "Lists the databases (tables of pages) the bot can read.",
    input: obj({}),
    output: arr(pageRef),
    handler: () => PAGES.filter((p) => p.type === "database"),
  },
  {
    name: "docs.query_database",
    description: "Returns the rows of a database, optionally filtered by a property value.",
    input: obj({
      database_id: str(),
      filter: opt(obj({ property: str(), equals: str() })),
      page_size: opt(int("1-100. Default 100.", { minimum: 1, maximum: 100 })),
    }),
    output: arr(
      obj({ id: str(), title: str(), properties: { type: "object", additionalProperties: { type: "string" } } }),
    ),
    handler: (input) => {
      const db = findPage(input.database_id);
      const rows = Array.from({ length: 6 }, (_, i) => ({
        id: `${hashOf(db.title + i)}-row`,
        title: `${db.title.replace(/s$/, "")} ${i + 1}`,
        properties: {
          Status: i % 3 === 0 ? "Draft" : "Done",
          Owner: PEOPLE[i].email,
          Date: daysAgo(i * 9).slice(0, 10),
        },
      }));
      const f = input.filter;
      return rows.filter((r) => !f || (r.properties as Record<string, string>)[f.property] === f.equals)
        .slice(0, input.page_size ?? 100);
    },
  },
  {
    name: "docs.list_comments",
    description: "Lists the open comments on a page.",
    input: obj({ page_id: pageId }),
    output: arr(obj({ id: str(), author: str(), created_time: str(), text: str() })),
    handler: (input) => {
      const page = findPage(input.page_id);
      return [0, 1].map((i) => ({
        id: `cm_${hashOf(page.id + i)}`,
        author: PEOPLE[(i + page.title.length) % PEOPLE.length].email,
        created_time: daysAgo(i + 1),
        text: i === 0 ? "Is this still up to date?" : "Added the new section, please review.",
      }));
    },
  },
  {
    name: "docs.add_comment",
    description: "Adds a comment to a page.",
    input: obj({ page_id: pageId, text: str() }),
    output: obj({ id: str(), created_time: str() }),
    handler: (input) => ({ id: `cm_${hashOf(findPage(input.page_id).id + input.text)}`, created_time: daysAgo(0, 12) }),
  },
  {
    name: "docs.share_page",
    description: "Gives a person access to a page.",
    input: obj({ page_id: pageId, email: str(), role: enm(["reader", "commenter", "editor"]) }),
    output: obj({ ok: bool(), url: str() }),
    handler: (input) => ({ ok: true, url: findPage(input.page_id).url }),
  },
];
