// The Helm chart's doors: the API key, the pods' host access, and what other
// pods can reach. Rendered with the real helm, checked on the objects.
// Stopped by: the chart's Secret, securityContext (non-root, read-only root, drop ALL, no host namespaces or token) and NetworkPolicy
import assert from "node:assert/strict";
import { renderChart } from "../k8s/_helm.ts";
import { type KubeObject, parseManifests, podSpecs } from "../k8s/_kube.ts";

const KEY = "s3cr3t-0123456789abcdef-k8s";

const ALL_MODES = [
  { mode: "sidecar", apiKey: { existingSecret: "", value: KEY } },
  { mode: "standalone", apiKey: { existingSecret: "", value: KEY } },
];

async function render(values: Record<string, unknown>): Promise<KubeObject[]> {
  return parseManifests(await renderChart(values), "helm template");
}

Deno.test("the API key given to the chart is only in its Secret: not in the ConfigMap, args, env values or annotations", async () => {
  for (const values of ALL_MODES) {
    const objects = await render(values);
    const holding = objects.filter((o) => JSON.stringify(o).includes(KEY)).map((o) => o.kind);
    assert.deepEqual(holding, ["Secret"], values.mode);
  }
});

Deno.test("no pod gets host namespaces, host paths, privileges or a service account token", async () => {
  for (const values of ALL_MODES) {
    for (const { where, spec } of podSpecs(await render(values))) {
      for (const field of ["hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace"]) {
        assert.notEqual(spec[field], true, `${where}: ${field}`);
      }
      assert.equal(spec.automountServiceAccountToken, false, where);
      assert.ok(spec.volumes.every((v: KubeObject) => v.emptyDir || v.configMap), `${where}: only emptyDir/configMap`);
      for (const c of spec.containers) {
        assert.equal(c.securityContext.privileged, false, `${where} ${c.name}`);
        assert.equal(c.securityContext.capabilities.add, undefined, `${where} ${c.name}`);
        assert.equal(c.ports.some((p: KubeObject) => p.hostPort), false, `${where} ${c.name}: hostPort`);
      }
    }
  }
});

Deno.test("other pods reach the executor only as the NetworkPolicy allows: the app's port in sidecar mode, the app's pods in standalone", async () => {
  const sidecar = await render(ALL_MODES[0]);
  assert.ok(
    sidecar.filter((o) => o.kind === "Service").every((s) => s.spec.ports.every((p: KubeObject) => p.port !== 8788)),
  );
  const standalone = await render({ ...ALL_MODES[1], networkPolicy: { extraExecutorClients: [] } });
  const policy = standalone.find((o) => o.kind === "NetworkPolicy" && o.metadata.name.endsWith("-executor"))!;
  assert.deepEqual(policy.spec.ingress, [{
    from: [{
      podSelector: {
        matchLabels: {
          "app.kubernetes.io/name": "codemode",
          "app.kubernetes.io/instance": "codemode",
          "app.kubernetes.io/component": "app",
        },
      },
    }],
    ports: [{ port: "executor", protocol: "TCP" }],
  }]);
  assert.deepEqual([policy.spec.policyTypes, policy.spec.egress], [["Ingress", "Egress"], []]);
});
