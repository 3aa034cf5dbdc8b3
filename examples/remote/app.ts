/**
 * A host app whose scripts run on an executor service: the tools (and their
 * secrets) stay here, the sandboxes run in the executor container, and every
 * tool call comes back over the execution's WebSocket. `docker-compose.yml`
 * runs it beside the executor image.
 *
 * - `GET /health`: 200 while it serves.
 * - `POST /demo`: runs `examples/demo/script.ts` (a fixed script: this app
 *   takes no code from its callers) and answers with the `ExecutionResult`.
 *
 * Environment: `CODEMODE_EXECUTOR_URL` (e.g. `http://executor:8788`),
 * `CODEMODE_EXECUTOR_KEY` (one of the service's API keys), `APP_PORT` (default
 * 8080), `APP_HOSTNAME` (default 127.0.0.1; the image sets 0.0.0.0).
 *
 * Run: `deno run -A examples/remote/app.ts`
 *
 * @module
 */
import { Codemode } from "../../mod.ts";
import tools from "../demo/tools.ts";

const SCRIPT = await Deno.readTextFile(new URL("../demo/script.ts", import.meta.url));

function required(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set (see examples/remote/README.md)`);
  return value;
}

const cm = new Codemode({
  tools,
  remoteExecutor: { url: required("CODEMODE_EXECUTOR_URL"), apiKey: required("CODEMODE_EXECUTOR_KEY") },
});

const server = Deno.serve({
  hostname: Deno.env.get("APP_HOSTNAME") || "127.0.0.1",
  port: Number(Deno.env.get("APP_PORT") || 8080),
  onListen: ({ hostname, port }) => console.log(`app: listening on http://${hostname}:${port}`),
}, async (req) => {
  const path = new URL(req.url).pathname;
  if (req.method === "GET" && path === "/health") return Response.json({ status: "ok" });
  if (req.method === "POST" && path === "/demo") {
    await req.body?.cancel();
    const result = await cm.execute(SCRIPT);
    return Response.json(result, { status: result.ok ? 200 : 502 });
  }
  return Response.json({ error: "Not Found" }, { status: 404 });
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await server.shutdown();
    await cm.close();
    Deno.exit(0);
  });
}
