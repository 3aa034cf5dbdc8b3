// Scaling out: two executor replicas serve one host. Two real `codemode serve`
// processes run the executor config the chart renders (its ConfigMap, with
// the API key given as the Deployment gives it), behind a round-robin TCP
// proxy that stands in for the Kubernetes Service. A host with one
// RemoteExecutor pointed at the proxy runs its executions, tool calls
// included, and each replica's own /metrics shows it served its share.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../mod.ts";
import { KEY, remoteCodemode, startServe, stopServe } from "../remote/_helpers.ts";
import { renderChart } from "./_helm.ts";
import { parseManifests } from "./_kube.ts";
import { roundRobinProxy } from "./_round_robin.ts";

const EXECUTIONS = 6;

/** The executor's codemode.yaml and CODEMODE_API_KEYS value, as the standalone chart renders them. */
async function renderedExecutor(): Promise<{ config: string; apiKeys: string }> {
  const objects = parseManifests(await renderChart({ mode: "standalone", app: { enabled: false } }), "chart");
  const config = objects.find((o) => o.kind === "ConfigMap")!.data["codemode.yaml"];
  const container = objects.find((o) => o.kind === "Deployment")!.spec.template.spec.containers[0];
  const apiKeys = container.env.find((e: { name: string }) => e.name === "CODEMODE_API_KEYS").value as string;
  // Kubernetes expands $(CODEMODE_EXECUTOR_KEY) from the Secret-backed variable before it.
  return { config, apiKeys: apiKeys.replace("$(CODEMODE_EXECUTOR_KEY)", KEY) };
}

async function executionsServed(service: URL): Promise<number> {
  const res = await fetch(new URL("/metrics", service), { headers: { Authorization: `Bearer ${KEY}` } });
  assert.equal(res.status, 200);
  const line = /^codemode_executions_total\{outcome="ok",stop_reason="completed"\} (\d+)$/m.exec(await res.text());
  return Number(line?.[1] ?? 0);
}

Deno.test("two executor replicas behind one Service address serve one host's executions in turn", async () => {
  const { config, apiKeys } = await renderedExecutor();
  const dir = await Deno.makeTempDir({ prefix: "codemode-k8s-scale-" });
  const replicas: Awaited<ReturnType<typeof startServe>>[] = [];
  try {
    await Deno.writeTextFile(`${dir}/codemode.yaml`, config);
    for (const name of ["a", "b"]) {
      await Deno.mkdir(`${dir}/${name}-tmp`); // each pod's own TMPDIR emptyDir
      // As in the pod: the ConfigMap's hostname 0.0.0.0 (keys required, no loopback-only Host check).
      const replica = await startServe(`${dir}/codemode.yaml`, {
        CODEMODE_API_KEYS: apiKeys,
        TMPDIR: `${dir}/${name}-tmp`,
      });
      replica.url.hostname = "127.0.0.1"; // traffic stays on loopback
      replicas.push(replica);
    }
    await using proxy = roundRobinProxy(replicas.map((r) => r.url));
    const add = defineTool({
      name: "math.add",
      input: z.object({ a: z.number(), b: z.number() }),
      handler: ({ a, b }) => a + b,
    });
    await using cm = remoteCodemode(proxy, { tools: [add] }, { retries: 0 });
    for (let i = 0; i < EXECUTIONS; i++) {
      const result = await cm.execute(`return await tools.math.add({ a: ${i}, b: 1 })`);
      assert.deepEqual([result.stopReason, result.result, result.toolCalls.length], ["completed", i + 1, 1]);
    }
    // One connection per execution, each on the next replica.
    assert.deepEqual(proxy.assignments, [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(await Promise.all(replicas.map((r) => executionsServed(r.url))), [3, 3]);
    for (const replica of replicas) {
      replica.child.kill("SIGTERM");
      assert.equal((await replica.child.status).code, 0, await replica.stderr);
    }
    for (const name of ["a", "b"]) {
      assert.deepEqual(await Array.fromAsync(Deno.readDir(`${dir}/${name}-tmp`)), [], `${name}: no sandbox dir left`);
    }
  } finally {
    for (const replica of replicas) await stopServe(replica.child, replica.stderr);
    await Deno.remove(dir, { recursive: true });
  }
});
