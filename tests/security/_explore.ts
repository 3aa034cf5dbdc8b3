import { DEFAULT_LIMITS, LocalExecutor } from "../../executor/mod.ts";
const ex = new LocalExecutor();
const invoke = async (tool: string, input: unknown) => ({ tool, input });
const secretDir = await Deno.makeTempDir({ prefix: "canary-" });
const secret = "S" + crypto.randomUUID();
await Deno.writeTextFile(`${secretDir}/secret.txt`, secret);
await Deno.writeTextFile(
  `${secretDir}/secret.json`,
  JSON.stringify({ secret }),
);
const hits: string[] = [];
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (r) => {
    hits.push(r.url);
    return new Response("ok");
  },
);
const port = server.addr.port;
const run = async (code: string, limits = {}) => {
  const t = performance.now();
  const r = await ex.execute({
    executionId: "x",
    code,
    tools: ["a.b"],
    limits: { ...DEFAULT_LIMITS, timeoutMs: 3000, ...limits },
    invoke,
  });
  const s = JSON.stringify(r);
  console.log(
    Math.round(performance.now() - t),
    s.includes(secret) ? "LEAK!!" : "",
    s.slice(0, 700),
  );
};
const codes = Deno.args.length ? Deno.args : [];
for (const c of codes) {
  await run(c.replaceAll("$DIR", secretDir).replaceAll("$PORT", String(port)));
}
console.log("hits", hits);
await server.shutdown();
await ex.close();
await Deno.remove(secretDir, { recursive: true });
