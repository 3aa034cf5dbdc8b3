import assert from "node:assert/strict";
import { z } from "zod";
import type { JsonSchema } from "../tools/json_schema.ts";
import { renderDeclarations, renderToolSignature, type ToolTypeInfo } from "./declarations.ts";
import { searchTools } from "./search.ts";
import { Address, fromZod, lines, TreeNode, weatherGet } from "./test_util.ts";

Deno.test("tools are declared as nested namespaces with JSDoc", () => {
  assert.equal(
    renderDeclarations([weatherGet]),
    lines(
      "declare const tools: {",
      "  weather: {",
      "    /** Current weather for a city. */",
      "    get(input: {",
      "      city: string;",
      "    }): Promise<{",
      "      city: string;",
      "      tempC: number;",
      "    }>;",
      "  };",
      "};",
    ),
  );
});

Deno.test("discovery: $search and $types are declared first, with their inputs and results", () => {
  const source = renderDeclarations([weatherGet], { discovery: true });
  const body = source.split("\n");
  assert.equal(body[0], "declare const tools: {");
  assert.ok(body.includes("  $search(query: string, limit?: number): Promise<{"), source);
  const fields = body.slice(body.indexOf("  $search(query: string, limit?: number): Promise<{") + 1);
  assert.deepEqual(
    fields.slice(0, fields.indexOf("  }[]>;")).filter((l) => !l.trim().startsWith("/*")),
    ["    name: string;", "    score: number;", "    signature: string;", "    description: string;"],
  );
  assert.ok(body.includes("  $types(names: string | string[]): Promise<string>;"), source);
  assert.match(source, /@param limit the most matches, an integer from 1 to 50/);
  assert.ok(body.indexOf("  $types(names: string | string[]): Promise<string>;") < body.indexOf("  weather: {"));
  assert.doesNotMatch(renderDeclarations([weatherGet]), /\$search|\$types/);
});

Deno.test("discovery: the declared $search fields are those of a real match", () => {
  const source = renderDeclarations([], { discovery: true });
  const declared = [...source.matchAll(/^ {4}(\w+): /gm)].map((m) => m[1]);
  const [match] = searchTools([{ name: "weather.get", ...weatherGet }], "weather");
  assert.deepEqual(declared, Object.keys(match));
});

Deno.test("tools are sorted by path whatever the input order", () => {
  const tools: ToolTypeInfo[] = [
    ["github", "repos", "get"],
    ["aws", "s3"],
    ["github", "issues", "list"],
    ["github", "issues", "create"],
  ].map((path) => ({ path, inputSchema: {} }));
  const source = renderDeclarations(tools);
  const order = [...source.matchAll(/(\w+)(?:: \{|\(input)/g)].map((m) => m[1]);
  assert.deepEqual(order, [
    "tools",
    "aws",
    "s3",
    "github",
    "issues",
    "create",
    "list",
    "repos",
    "get",
  ]);
  assert.equal(renderDeclarations([...tools].reverse()), source);
});

Deno.test("a missing output schema resolves to Promise<unknown>", () => {
  const source = renderDeclarations([{
    path: ["ping"],
    inputSchema: { type: "string" },
  }]);
  assert.equal(
    source,
    lines(
      "declare const tools: {",
      "  ping(input: string): Promise<unknown>;",
      "};",
    ),
  );
});

Deno.test("input is optional when no property is required", () => {
  const empty = { path: ["a"], inputSchema: fromZod(z.object({})) };
  const loose = {
    path: ["b"],
    inputSchema: fromZod(z.object({ n: z.number().optional() })),
  };
  const strict = {
    path: ["c"],
    inputSchema: fromZod(z.object({ n: z.number() })),
  };
  assert.equal(
    renderToolSignature(empty),
    "tools.a(input?: {}): Promise<unknown>",
  );
  assert.equal(
    renderToolSignature(loose),
    "tools.b(input?: { n?: number }): Promise<unknown>",
  );
  assert.equal(
    renderToolSignature(strict),
    "tools.c(input: { n: number }): Promise<unknown>",
  );
  assert.match(
    renderDeclarations([empty]),
    /a\(input\?: \{\}\): Promise<unknown>;/,
  );
});

Deno.test("$defs become type aliases prefixed with the tool path", () => {
  const tool: ToolTypeInfo = {
    path: ["crm", "contacts", "add"],
    inputSchema: fromZod(z.object({ home: Address, work: Address.optional() })),
  };
  assert.equal(
    renderDeclarations([tool]),
    lines(
      "/** A postal address. */",
      "type CrmContactsAdd_Address = {",
      "  street: string;",
      "  city: string;",
      "};",
      "declare const tools: {",
      "  crm: {",
      "    contacts: {",
      "      add(input: {",
      "        home: CrmContactsAdd_Address;",
      "        work?: CrmContactsAdd_Address;",
      "      }): Promise<unknown>;",
      "    };",
      "  };",
      "};",
    ),
  );
});

Deno.test("identical definitions in input and output share one alias", () => {
  const tool: ToolTypeInfo = {
    path: ["geo", "normalize"],
    inputSchema: fromZod(z.object({ address: Address })),
    outputSchema: fromZod(z.object({ address: Address, valid: z.boolean() })),
  };
  const source = renderDeclarations([tool]);
  assert.equal(source.match(/^type /gm)?.length, 1);
  assert.equal(source.match(/address: GeoNormalize_Address;/g)?.length, 2);
});

Deno.test("same-named but different definitions get distinct aliases", () => {
  const one = (value: JsonSchema): JsonSchema => ({
    type: "object",
    properties: { x: { $ref: "#/$defs/Item" } },
    $defs: { Item: value },
  });
  const tool: ToolTypeInfo = {
    path: ["convert"],
    inputSchema: one({ type: "string" }),
    outputSchema: one({ type: "number" }),
  };
  const source = renderDeclarations([tool]);
  assert.match(source, /^type Convert_Item = string;$/m);
  assert.match(source, /^type Convert_Item_2 = number;$/m);
  assert.match(source, /\}\): Promise<\{\n {4}x\?: Convert_Item_2;\n {2}\}>;/);
});

Deno.test("recursive definitions refer to their own alias", () => {
  const tool: ToolTypeInfo = {
    path: ["fs", "tree"],
    inputSchema: fromZod(z.object({ root: TreeNode })),
  };
  const source = renderDeclarations([tool]);
  assert.match(
    source,
    /^type FsTree_Schema0 = \{\n {2}label: string;\n {2}children: FsTree_Schema0\[\];\n\};$/m,
  );
  assert.match(source, /root: FsTree_Schema0;/);
});

Deno.test("a root schema referring to itself gets a named alias", () => {
  const tool: ToolTypeInfo = {
    path: ["fs", "walk"],
    inputSchema: fromZod(TreeNode),
    outputSchema: fromZod(TreeNode),
  };
  assert.equal(
    renderDeclarations([tool]),
    lines(
      "type FsWalk_Input = {",
      "  label: string;",
      "  children: FsWalk_Input[];",
      "};",
      "declare const tools: {",
      "  fs: {",
      "    walk(input: FsWalk_Input): Promise<FsWalk_Input>;",
      "  };",
      "};",
    ),
  );
});

Deno.test("draft-07 definitions are handled like $defs", () => {
  const tool: ToolTypeInfo = {
    path: ["legacy"],
    inputSchema: {
      type: "object",
      properties: {
        ids: { type: "array", items: { $ref: "#/definitions/id" } },
      },
      required: ["ids"],
      definitions: { id: { type: "integer" } },
    },
  };
  const source = renderDeclarations([tool]);
  assert.match(source, /^type Legacy_Id = number;$/m);
  assert.match(source, /ids: Legacy_Id\[\];/);
});

Deno.test("tool descriptions become safe, compact JSDoc", () => {
  const tool: ToolTypeInfo = {
    path: ["run"],
    description: "  Runs a job.\n\n\n\nComments end with */ in C.  \n",
    inputSchema: {},
  };
  assert.equal(
    renderDeclarations([tool]),
    lines(
      "declare const tools: {",
      "  /**",
      "   * Runs a job.",
      "   *",
      "   * Comments end with *\\/ in C.",
      "   */",
      "  run(input?: unknown): Promise<unknown>;",
      "};",
    ),
  );
});

Deno.test("rootName renames the declared object", () => {
  const source = renderDeclarations([weatherGet], { rootName: "api" });
  assert.match(source, /^declare const api: \{$/m);
  assert.equal(
    renderToolSignature(weatherGet, { rootName: "api" }).startsWith(
      "api.weather.get(",
    ),
    true,
  );
});

Deno.test("a path that is both a tool and a namespace gets a call signature", () => {
  const source = renderDeclarations([
    { path: ["db", "query", "explain"], inputSchema: { type: "string" } },
    {
      path: ["db", "query"],
      description: "Run SQL.",
      inputSchema: { type: "string" },
    },
  ]);
  assert.equal(
    source,
    lines(
      "declare const tools: {",
      "  db: {",
      "    query: {",
      "      /** Run SQL. */",
      "      (input: string): Promise<unknown>;",
      "      explain(input: string): Promise<unknown>;",
      "    };",
      "  };",
      "};",
    ),
  );
});

Deno.test("a tool signature is one compact line", () => {
  assert.equal(
    renderToolSignature(weatherGet),
    "tools.weather.get(input: { city: string }): Promise<{ city: string; tempC: number }>",
  );
});

Deno.test("a tool signature writes definitions out and names only recursion", () => {
  const tool: ToolTypeInfo = {
    path: ["crm", "save"],
    inputSchema: fromZod(z.object({ home: Address, tree: TreeNode })),
  };
  assert.equal(
    renderToolSignature(tool),
    "tools.crm.save(input: { home: { street: string; city: string }; " +
      "tree: { label: string; children: CrmSave_Schema0[] } }): Promise<unknown>",
  );
});

Deno.test("a tool signature brackets path segments that are not identifiers", () => {
  const tool: ToolTypeInfo = {
    path: ["my-server", "run"],
    inputSchema: { type: "number" },
  };
  assert.equal(
    renderToolSignature(tool),
    'tools["my-server"].run(input: number): Promise<unknown>',
  );
});
