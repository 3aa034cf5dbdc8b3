import assert from "node:assert/strict";
import { z } from "zod";
import { renderDeclarations, type ToolTypeInfo } from "./declarations.ts";
import { Address, fromZod, lines, TreeNode, weatherGet } from "./test_util.ts";

/** Runs `deno check` on `source` in a temporary file, which is then removed. */
async function typeCheck(
  source: string,
): Promise<{ ok: boolean; stderr: string }> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, source);
    const command = new Deno.Command(Deno.execPath(), {
      args: ["check", "--no-config", file],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    });
    const { success, stderr } = await command.output();
    return { ok: success, stderr: new TextDecoder().decode(stderr) };
  } finally {
    await Deno.remove(file);
  }
}

const Issue = z.object({
  id: z.number().int(),
  title: z.string().describe("Short */ summary."),
  state: z.enum(["open", "closed"]),
  labels: z.array(z.string()),
  assignee: z.object({ login: z.string() }).nullable(),
  meta: z.record(z.string(), z.number()),
  reactions: z.record(z.enum(["up", "down"]), z.number()),
  position: z.tuple([z.number(), z.number()]),
  kind: z.union([z.literal("bug"), z.literal("feature")]),
  "x-extra": z.string().optional(),
});

const checkedTools: ToolTypeInfo[] = [
  weatherGet,
  {
    path: ["github", "issues", "list"],
    description: "List issues.",
    inputSchema: fromZod(
      z.object({ repo: z.string(), limit: z.number().default(10) }),
    ),
    outputSchema: fromZod(z.array(Issue)),
  },
  {
    path: ["github", "issues"],
    inputSchema: fromZod(z.object({ page: z.number().optional() })),
  },
  {
    path: ["fs", "walk"],
    inputSchema: fromZod(TreeNode),
    outputSchema: fromZod(
      z.object({ root: TreeNode, home: Address.nullable() }),
    ),
  },
  {
    path: ["misc", "tag"],
    inputSchema: fromZod(
      z.object({ a: z.string().optional() }).catchall(z.number()),
    ),
    outputSchema: {
      type: "object",
      properties: {},
      additionalProperties: false,
    },
  },
];

Deno.test("generated declarations type-check against correct usage", async () => {
  const usage = lines(
    "export {};",
    'const w = await tools.weather.get({ city: "Oslo" });',
    "const temp: number = w.tempC;",
    'const issues = await tools.github.issues.list({ repo: "a/b", limit: 5 });',
    'const open: boolean = issues[0].state === "open";',
    "const login: string | undefined = issues[0].assignee?.login;",
    "const up: number = issues[0].reactions.up;",
    "await tools.github.issues();",
    'const walked = await tools.fs.walk({ label: "/", children: [{ label: "a", children: [] }] });',
    "const deep: string = walked.root.children[0].label;",
    'await tools.misc.tag({ a: "x", b: 1 });',
    "console.log(temp, open, login, up, deep);",
  );
  const result = await typeCheck(
    `${renderDeclarations(checkedTools)}\n${usage}\n`,
  );
  assert.equal(result.ok, true, result.stderr);
});

Deno.test("generated declarations reject a wrong call", async () => {
  const usage = lines(
    "export {};",
    'await tools.weather.get({ town: "Oslo" });',
  );
  const result = await typeCheck(
    `${renderDeclarations(checkedTools)}\n${usage}\n`,
  );
  assert.equal(result.ok, false);
  assert.match(result.stderr, /town/);
});

Deno.test("the declared discovery calls type-check as a script uses them, and refuse text methods on matches", async () => {
  const usage = lines(
    "export {};",
    'const matches = await tools.$search("weather", 5);',
    "const signatures: string[] = matches.map((m) => m.signature);",
    "const best: { name: string; score: number; description: string } = matches[0];",
    'const one: string = await tools.$types("weather");',
    'const many: string = await tools.$types(["weather.get", "github"]);',
    'await tools.$search("issues");',
    'console.log(signatures, best, one.split("\\n"), many);',
  );
  const ok = await typeCheck(`${renderDeclarations(checkedTools, { discovery: true })}\n${usage}\n`);
  assert.equal(ok.ok, true, ok.stderr);
  const wrong = lines(
    "export {};",
    'const text = (await tools.$search("weather")).split("\\n");',
    "await tools.$types(42);",
  );
  const refused = await typeCheck(`${renderDeclarations(checkedTools, { discovery: true })}\n${wrong}\n`);
  assert.equal(refused.ok, false);
  assert.match(refused.stderr, /Property 'split' does not exist on type '\{[^']*signature: string;[^']*\}\[\]'/);
  assert.match(refused.stderr, /'number' is not assignable to parameter of type 'string \| string\[\]'/);
});
