// The files `codemode init` writes. The project imports Codemode as the JSR
// package `@codemode/core`; from a local checkout, `links` in its deno.json
// makes that name resolve to the checkout, with the checkout's own imports.

/** One file of the starter project. */
export interface TemplateFile {
  path: string;
  content: string;
}

/** Where the starter project takes Codemode from. */
export interface StarterOptions {
  /** The version range of `jsr:@codemode/core` the project imports, e.g. `^0.1.0`. */
  range: string;
  /** Absolute path of a local checkout to link in place of the JSR package, if any. */
  link?: string;
  /** The Codemode version, which tags the executor image the compose file runs (`codemode/executor:<version>`). */
  version: string;
}

/** The starter project's files. */
export function starterFiles(options: StarterOptions): TemplateFile[] {
  const codemode = `jsr:@codemode/core@${options.range}`;
  return [
    { path: "deno.json", content: denoJson(codemode, options.link) },
    { path: "codemode.yaml", content: CONFIG },
    { path: "tools.ts", content: toolsModule(codemode) },
    { path: "example_script.ts", content: SCRIPT },
    { path: "agent.ts", content: AGENT },
    { path: ".env.example", content: ENV },
    { path: "docker-compose.yml", content: composeFile(options.version) },
  ];
}

const ZOD = "npm:zod@^4.1.0";

// The `codemode` task runs the CLI of the package this project imports, so the
// CLI and the tool modules share one copy of it.
function denoJson(codemode: string, link: string | undefined): string {
  const json = {
    imports: { "@codemode/core": codemode, zod: ZOD },
    ...(link === undefined ? {} : { links: [link] }),
    exclude: ["example_script.ts"],
    tasks: { agent: "deno run -A agent.ts", codemode: `deno run -A ${codemode}/cli` },
  };
  return JSON.stringify(json, null, 2) + "\n";
}

const CONFIG = `# Codemode configuration. Paths are relative to this file.
# Tool modules are trusted host code: they run in the host with its permissions, never in the sandbox.
tools:
  - ./tools.ts

executor:
  type: local
  maxConcurrent: 4 # scripts running at once; more wait in a queue
  limits:
    timeoutMs: 30000
    memoryMb: 128
    maxToolCalls: 200

policies:
  "notes.delete": approve
`;

const toolsModule = (codemode: string): string =>
  `// Tools the model's scripts can call. Every exported defineTool value is registered.
// Full specifiers, so that a codemode CLI started outside this project can load it too.
import { defineTool } from "${codemode}";
import { z } from "${ZOD}";

const notes = new Map<number, { id: number; text: string; tags: string[] }>([
  [1, { id: 1, text: "Buy oat milk", tags: ["shopping"] }],
  [2, { id: 2, text: "Call the plumber about the leak", tags: ["home", "urgent"] }],
]);

export const addNote = defineTool({
  name: "notes.add",
  description: "Adds a note and returns it with its id.",
  input: z.object({ text: z.string().min(1), tags: z.array(z.string()).default([]) }),
  output: z.object({ id: z.number(), text: z.string(), tags: z.array(z.string()) }),
  handler: ({ text, tags }) => {
    const note = { id: notes.size + 1, text, tags };
    notes.set(note.id, note);
    return note;
  },
});

export const listNotes = defineTool({
  name: "notes.list",
  description: "Lists notes, optionally only those with a tag.",
  input: z.object({ tag: z.string().optional() }),
  output: z.array(z.object({ id: z.number(), text: z.string(), tags: z.array(z.string()) })),
  handler: ({ tag }) => [...notes.values()].filter((n) => tag === undefined || n.tags.includes(tag)),
});

export const deleteNote = defineTool({
  name: "notes.delete",
  description: "Deletes a note by id (needs approval: see policies in codemode.yaml).",
  input: z.object({ id: z.number().int() }),
  output: z.object({ deleted: z.boolean() }),
  handler: ({ id }) => ({ deleted: notes.delete(id) }),
});

// All of them as one list, for code that imports this module. codemode.yaml's tools: and
// \`codemode run --tools tools.ts\` take every exported tool; one exported twice counts once.
export default [addNote, listNotes, deleteNote];
`;

const SCRIPT = `// A script as a model would write it: a body with top-level await and return.
await tools.notes.add({ text: "Book the dentist", tags: ["health", "urgent"] });
const urgent = await tools.notes.list({ tag: "urgent" });
console.log("urgent notes:", urgent.length);
return urgent.map((n) => n.text);
`;

const AGENT = `// Builds Codemode from codemode.yaml and shows what the model is told and what a script returns.
// Wire aiSdkTool(cm) (from @codemode/core/ai-sdk) or the LangChain tool into your agent to let a real model write the scripts.
import { fromConfig } from "@codemode/core/config";

await using cm = await fromConfig(new URL("./codemode.yaml", import.meta.url).pathname);
console.log(await cm.prompt());
const script = await Deno.readTextFile(new URL("./example_script.ts", import.meta.url));
const result = await cm.execute(script);
console.log(JSON.stringify(result, null, 2));
`;

// Lists exactly the variables the generated project reads: the compose file's API key.
const ENV = `# Environment variables this project reads. Copy this file to .env.
# docker-compose.yml: the executor service's API key (at least 16 characters; e.g. openssl rand -hex 24).
CODEMODE_EXECUTOR_KEY=
# codemode.yaml uses no \${VAR} yet. When you add one (values may be \${VAR} or \${VAR:-default}),
# list it here as NAME= and run with deno run -A --env-file agent.ts (Deno does not read .env by itself).
`;

// The executor image of docs/deployment.md, confined as there: on a network
// with no way out (nor to the host), reached by hosts that join that network.
const composeFile = (version: string): string =>
  `# The Codemode executor service in a hardened container: scripts run there, tools stay in your host.
# Build the image from a Codemode checkout first (docs/deployment.md), then:
#   cp .env.example .env   # and set CODEMODE_EXECUTOR_KEY
#   docker-compose up -d
# A host that runs as a service on the "codemode" network (add yours below) reaches it with, in codemode.yaml:
#   executor: { type: remote, url: "http://executor:8788", apiKey: "\${CODEMODE_EXECUTOR_KEY}" }
services:
  executor:
    image: codemode/executor:${version}
    environment:
      CODEMODE_API_KEYS: "host:\${CODEMODE_EXECUTOR_KEY:?set CODEMODE_EXECUTOR_KEY in .env (see .env.example)}"
    networks: [codemode]
    read_only: true
    user: "10001:10001"
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    ipc: none
    tmpfs: ["/tmp:rw,nosuid,nodev,noexec,size=256m,mode=1777", "/dev/mqueue:ro"]
    mem_limit: 2g
    memswap_limit: 2g
    cpus: 2
    pids_limit: 1024
    restart: unless-stopped

networks:
  codemode:
    internal: true
    driver_opts:
      com.docker.network.bridge.inhibit_ipv4: "true"
`;
