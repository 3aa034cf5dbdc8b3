// The images' HEALTHCHECK: exit 0 when GET <url> answers 200 within 2 s.
// JavaScript, so that no transpiling (nor a writable cache) is needed, run as
// deno run --no-config --allow-net=<host:port> healthcheck.js <url>.
const url = Deno.args[0];
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (e) {
  console.error(`unhealthy: ${url}: ${e instanceof Error ? e.message : e}`);
  Deno.exit(1);
}
