// The Helm chart (k8s/helm/codemode) with the real helm binary: lint --strict,
// values.schema.json, and every rendered object validated against the
// Kubernetes API schemas and our policy; the plain manifests under k8s/ are
// the chart's own rendering. No cluster is needed (docs/kubernetes.md says
// what only a cluster can show).
import assert from "node:assert/strict";
import { lintChart, renderChart, templateChart } from "./_helm.ts";
import { type KubeObject, parseManifests, policyViolations, validateObjects } from "./_kube.ts";
import { PLAIN_MANIFESTS, renderPlain } from "./render.ts";
import { loadConfig } from "../../src/config/load.ts";
import { DEFAULT_LIMITS } from "../../src/limits.ts";

const KEY = "0123456789abcdef0123456789abcdef";

/** Value sets every check runs over: both modes, and the optional parts turned on. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  "sidecar (defaults)": {},
  "standalone": { mode: "standalone" },
  "standalone, no app, chart-made Secret, sandboxes metric": {
    mode: "standalone",
    app: { enabled: false },
    apiKey: { existingSecret: "", value: KEY },
    autoscaling: { runningSandboxes: { enabled: true } },
    networkPolicy: { extraExecutorClients: [{ podSelector: { matchLabels: { "codemode.dev/client": "true" } } }] },
  },
  "standalone, fixed replicas": { mode: "standalone", autoscaling: { enabled: false }, executor: { replicas: 3 } },
};

async function render(values: Record<string, unknown>): Promise<KubeObject[]> {
  return parseManifests(await renderChart(values), "helm template");
}

function byKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

Deno.test("helm lint --strict passes the chart with each variant's values", async () => {
  for (const [name, values] of Object.entries(VARIANTS)) {
    const run = await lintChart(values);
    assert.equal(run.code, 0, `${name}: ${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
});

Deno.test("every rendered object is valid against the Kubernetes schemas and keeps our policy", async () => {
  for (const [name, values] of Object.entries(VARIANTS)) {
    const objects = await render(values);
    validateObjects(objects, name);
    assert.deepEqual(policyViolations(objects), [], name);
  }
});

Deno.test("sidecar: the executor runs in the app's pod, which reaches it on 127.0.0.1; only the app's port is open", async () => {
  const objects = await render({});
  assert.deepEqual(objects.map((o) => o.kind).sort(), [
    "ConfigMap",
    "Deployment",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Service",
  ]);
  const [app] = byKind(objects, "Deployment");
  const pod = app.spec.template.spec;
  assert.deepEqual(pod.containers.map((c: KubeObject) => c.name), ["app", "executor"]);
  const env = Object.fromEntries(pod.containers[0].env.map((e: KubeObject) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.CODEMODE_EXECUTOR_URL, "http://127.0.0.1:8788");
  assert.deepEqual(env.CODEMODE_EXECUTOR_KEY, { secretKeyRef: { name: "codemode-api-key", key: "api-key" } });
  const [service] = byKind(objects, "Service");
  assert.deepEqual(service.spec.ports.map((p: KubeObject) => p.port), [8787]);
  const [policy] = byKind(objects, "NetworkPolicy");
  assert.deepEqual(policy.spec.ingress, [{ ports: [{ port: "app", protocol: "TCP" }] }]);
  // Running executions get shutdownTimeoutMs (25 s) to finish on SIGTERM, and the pod 10 s more.
  assert.equal(pod.terminationGracePeriodSeconds, 35);
});

Deno.test("standalone: an executor Deployment behind a Service, scaled by an HPA on CPU, no egress at all", async () => {
  const objects = await render(VARIANTS["standalone, no app, chart-made Secret, sandboxes metric"]);
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
    "ConfigMap/codemode-executor",
    "Deployment/codemode-executor",
    "HorizontalPodAutoscaler/codemode-executor",
    "NetworkPolicy/codemode-executor",
    "PodDisruptionBudget/codemode-executor",
    "Secret/codemode-api-key",
    "Service/codemode-executor",
  ]);
  const [deployment] = byKind(objects, "Deployment");
  assert.equal(deployment.spec.replicas, undefined, "the HPA owns the replica count");
  const [hpa] = byKind(objects, "HorizontalPodAutoscaler");
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "codemode-executor" });
  assert.deepEqual(hpa.spec.metrics.map((m: KubeObject) => m.resource?.name ?? m.pods.metric.name), [
    "cpu",
    "codemode_sandboxes_running",
  ]);
  const [policy] = byKind(objects, "NetworkPolicy");
  assert.deepEqual(policy.spec.policyTypes, ["Ingress", "Egress"]);
  assert.deepEqual(policy.spec.egress, []);
  assert.deepEqual(policy.spec.ingress[0].from.map((f: KubeObject) => f.podSelector.matchLabels), [
    {
      "app.kubernetes.io/name": "codemode",
      "app.kubernetes.io/instance": "codemode",
      "app.kubernetes.io/component": "app",
    },
    { "codemode.dev/client": "true" },
  ]);
  const [service] = byKind(objects, "Service");
  assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
});

Deno.test("standalone: the app points its RemoteExecutor at the executor's Service", async () => {
  const objects = await render({ mode: "standalone" });
  const app = byKind(objects, "Deployment").find((d) => d.metadata.name === "codemode-app")!;
  assert.deepEqual(app.spec.template.spec.containers.map((c: KubeObject) => c.name), ["app"]);
  const url = app.spec.template.spec.containers[0].env.find((e: KubeObject) => e.name === "CODEMODE_EXECUTOR_URL");
  assert.equal(url.value, "http://codemode-executor:8788");
  assert.ok(byKind(objects, "Service").some((s) => s.metadata.name === "codemode-executor"));
});

Deno.test("networkPolicy.enabled false renders no NetworkPolicy, and the policy check says what is missing", async () => {
  const objects = await render({ mode: "standalone", networkPolicy: { enabled: false } });
  assert.equal(byKind(objects, "NetworkPolicy").length, 0);
  assert.deepEqual(policyViolations(objects), [
    "Deployment/codemode-app: no NetworkPolicy selects its pods",
    "Deployment/codemode-executor: no NetworkPolicy selects its pods",
    "Deployment/codemode-executor: a standalone executor's egress is not denied",
  ]);
  assert.deepEqual(policyViolations(objects, { networkPolicies: false }), []);
});

Deno.test("the policy check catches each weakening of a rendered executor", async () => {
  const weakenings: [string, (c: KubeObject, pod: KubeObject) => void, RegExp][] = [
    ["root", (c) => c.securityContext.runAsNonRoot = false, /executor: runAsNonRoot is not true/],
    ["writable root", (c) => delete c.securityContext.readOnlyRootFilesystem, /root filesystem is writable/],
    ["escalation", (c) => c.securityContext.allowPrivilegeEscalation = true, /allowPrivilegeEscalation/],
    ["capabilities", (c) => c.securityContext.capabilities = { drop: ["NET_RAW"] }, /do not drop ALL/],
    ["seccomp", (c) => c.securityContext.seccompProfile = { type: "Unconfined" }, /seccomp/],
    ["no limits", (c) => delete c.resources.limits, /no cpu limits/],
    ["no probe", (c) => delete c.readinessProbe, /no readinessProbe/],
    ["liveness path", (c) => c.livenessProbe.httpGet.path = "/", /does not probe \/health/],
    [
      "disk tmp",
      (_c, pod) => delete pod.volumes.find((v: KubeObject) => v.name === "executor-tmp").emptyDir.medium,
      /TMPDIR/,
    ],
    ["key in plain env", (c) => c.env[1] = { name: "CODEMODE_EXECUTOR_KEY", value: KEY }, /API key/],
  ];
  for (const [name, weaken, expected] of weakenings) {
    const objects = await render({ mode: "standalone", app: { enabled: false } });
    const pod = byKind(objects, "Deployment")[0].spec.template.spec;
    weaken(pod.containers[0], pod);
    assert.match(policyViolations(objects).join("\n"), expected, name);
  }
});

Deno.test("values.schema.json refuses bad values, naming the field", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ mode: "daemonset" }, /- mode: mode must be one of the following: "sidecar", "standalone"/],
    [{ executor: { replicas: "2" } }, /- executor\.replicas: Invalid type\. Expected: integer, given: string/],
    [{ executor: { limits: { bogusMs: 5 } } }, /- executor\.limits: Property name of "bogusMs" does not match/],
    [{ executor: { logLevel: "verbose" } }, /- executor\.logLevel: executor\.logLevel must be one of/],
    [{ apiKey: { existingSecret: "" } }, /- apiKey\.value: String length must be greater than or equal to 16/],
    [{ apiKey: { existingSecret: "", value: "short" } }, /- apiKey\.value: Does not match pattern/],
    [{ apiKey: { existingSecret: "", value: "has:a:colon-0123456789" } }, /- apiKey\.value: Does not match pattern/],
    [{ podSecurity: { runAsUser: 0 } }, /- podSecurity\.runAsUser: Must be greater than or equal to 1/],
    [
      { executor: { resources: { requests: { cpu: "lots" } } } },
      /- executor\.resources\.requests\.cpu: Does not match/,
    ],
    [{ networkPolicy: { enabeld: false } }, /- networkPolicy: Additional property enabeld is not allowed/],
    [{ replicas: 3 }, /- \(root\): Additional property replicas is not allowed/],
  ];
  for (const [values, expected] of cases) {
    const run = await templateChart(values);
    assert.notEqual(run.code, 0, `${JSON.stringify(values)} was accepted`);
    assert.match(run.stderr, /values don't meet the specifications of the schema/, run.stderr);
    assert.match(run.stderr, expected, JSON.stringify(values));
  }
});

Deno.test("mode sidecar without the app is refused with a message that says why", async () => {
  const run = await templateChart({ app: { enabled: false } });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /mode: sidecar runs the executor inside the app's pods: app.enabled must be true/);
});

Deno.test("the schema's limit names are exactly the executor's limits", async () => {
  const schema = JSON.parse(
    await Deno.readTextFile(new URL("../../k8s/helm/codemode/values.schema.json", import.meta.url)),
  );
  const names = schema.properties.executor.properties.limits.propertyNames.enum;
  assert.deepEqual([...names].sort(), Object.keys(DEFAULT_LIMITS).sort());
});

Deno.test("the executor's codemode.yaml in the ConfigMap is one codemode serve accepts", async () => {
  const objects = await render({ executor: { limits: { timeoutMs: 5000, maxToolCalls: 10 }, maxConcurrent: 3 } });
  const [configMap] = byKind(objects, "ConfigMap");
  const dir = await Deno.makeTempDir({ prefix: "codemode-k8s-config-" });
  try {
    await Deno.writeTextFile(`${dir}/codemode.yaml`, configMap.data["codemode.yaml"]);
    const { config } = await loadConfig(`${dir}/codemode.yaml`);
    assert.deepEqual(config.service, {
      port: 8788,
      hostname: "0.0.0.0",
      apiKeys: [],
      maxConcurrent: 3,
      maxQueued: 32,
      shutdownTimeoutMs: 25000,
      pool: { size: 2 },
      limits: { timeoutMs: 5000, memoryMb: 128, maxToolCalls: 10 },
    });
    assert.deepEqual(config.metrics, { enabled: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the plain manifests under k8s/ are the chart's rendering, and valid with the Secret template", async () => {
  const dir = new URL("../../k8s/", import.meta.url);
  for (const file of Object.keys(PLAIN_MANIFESTS)) {
    const text = await Deno.readTextFile(new URL(file, dir));
    assert.equal(text, await renderPlain(file), `k8s/${file} is stale: run deno task k8s:render`);
  }
  const secret = parseManifests(await Deno.readTextFile(new URL("secret.example.yaml", dir)), "secret.example.yaml");
  validateObjects(secret, "k8s/secret.example.yaml");
  const sidecar = parseManifests(await Deno.readTextFile(new URL("sidecar.yaml", dir)), "sidecar.yaml");
  const refs = sidecar.flatMap((o) => JSON.stringify(o).match(/"secretKeyRef":\{[^}]*\}/g) ?? []);
  assert.ok(refs.length > 0 && refs.every((r) => r.includes(`"name":"${secret[0].metadata.name}"`)));
});
