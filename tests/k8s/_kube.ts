// Kubernetes objects for the manifest tests: parsed from multi-document YAML,
// validated against the Kubernetes API schemas (kubernetes-models: the
// OpenAPI schemas of the API server, compiled to validators), and checked
// against our own policy (the securityContext, probes, limits and network
// isolation that docs/kubernetes.md promises).
import { parseAllDocuments } from "yaml";
import { ConfigMap, Pod, Secret, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";

/** A Kubernetes object as parsed from YAML. */
// deno-lint-ignore no-explicit-any
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: any };

// Every kind our manifests may contain; any other kind fails the validation.
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Pod": Pod,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

/** The objects of a multi-document YAML text (empty documents skipped); a YAML error names the document. */
export function parseManifests(text: string, source: string): KubeObject[] {
  return parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${source}, document ${i + 1}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    return value === null ? [] : [value as KubeObject];
  });
}

/** Validates each object against its kind's API schema; throws naming the object and the failing path. */
export function validateObjects(objects: KubeObject[], source: string): void {
  for (const object of objects) {
    const name = `${source}: ${object.kind}/${object.metadata?.name}`;
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!Model) throw new Error(`${name}: ${object.apiVersion} ${object.kind} is not a kind these manifests use`);
    try {
      new Model(object as never).validate();
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(object.metadata.name) || object.metadata.name.length > 63) {
      throw new Error(`${name}: metadata.name is not a DNS label`);
    }
  }
}

/** The pod specs of Deployments and Pods, with where each came from. */
export function podSpecs(objects: KubeObject[]): { where: string; spec: KubeObject["spec"] }[] {
  return objects.flatMap((o) => {
    if (o.kind === "Deployment") return [{ where: `Deployment/${o.metadata.name}`, spec: o.spec.template.spec }];
    if (o.kind === "Pod") return [{ where: `Pod/${o.metadata.name}`, spec: o.spec }];
    return [];
  });
}

/**
 * What in these objects breaks our policy, as sentences (none: it holds).
 * Every container: non-root, read-only root FS, no privilege escalation,
 * drop ALL, seccomp RuntimeDefault, CPU and memory requests and limits,
 * liveness and readiness probes; an executor container probes /health and
 * /ready, writes only to a memory emptyDir at TMPDIR, and gets its API key
 * from a Secret. `networkPolicies` says whether NetworkPolicies must be present.
 */
export function policyViolations(objects: KubeObject[], { networkPolicies = true } = {}): string[] {
  const problems: string[] = [];
  for (const { where, spec } of podSpecs(objects)) {
    if (spec.securityContext?.runAsNonRoot !== true) problems.push(`${where}: pod runAsNonRoot is not true`);
    if (spec.automountServiceAccountToken !== false) problems.push(`${where}: service account token is mounted`);
    for (const c of spec.containers ?? []) problems.push(...containerViolations(`${where} ${c.name}`, c, spec));
  }
  if (networkPolicies) problems.push(...networkViolations(objects));
  return problems;
}

// deno-lint-ignore no-explicit-any
function containerViolations(where: string, c: any, pod: any): string[] {
  const problems: string[] = [];
  const sc = c.securityContext ?? {};
  const uid = sc.runAsUser ?? pod.securityContext?.runAsUser;
  if (sc.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
  if (!(Number.isInteger(uid) && uid > 0)) problems.push(`${where}: no numeric non-root runAsUser`);
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
  if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
  if (sc.privileged === true) problems.push(`${where}: privileged`);
  if (JSON.stringify(sc.capabilities?.drop) !== '["ALL"]') problems.push(`${where}: capabilities do not drop ALL`);
  if (sc.capabilities?.add?.length) problems.push(`${where}: adds capabilities`);
  if (sc.seccompProfile?.type !== "RuntimeDefault") problems.push(`${where}: seccomp is not RuntimeDefault`);
  for (const kind of ["requests", "limits"]) {
    for (const r of ["cpu", "memory"]) if (!c.resources?.[kind]?.[r]) problems.push(`${where}: no ${r} ${kind}`);
  }
  if (!c.livenessProbe) problems.push(`${where}: no livenessProbe`);
  if (!c.readinessProbe) problems.push(`${where}: no readinessProbe`);
  if (c.name === "executor") problems.push(...executorViolations(where, c, pod));
  return problems;
}

// deno-lint-ignore no-explicit-any
function executorViolations(where: string, c: any, pod: any): string[] {
  const problems: string[] = [];
  if (c.livenessProbe?.httpGet?.path !== "/health") problems.push(`${where}: liveness does not probe /health`);
  if (c.readinessProbe?.httpGet?.path !== "/ready") problems.push(`${where}: readiness does not probe /ready`);
  // deno-lint-ignore no-explicit-any
  const env = new Map<string, any>((c.env ?? []).map((e: any) => [e.name, e]));
  const tmp = env.get("TMPDIR")?.value;
  // deno-lint-ignore no-explicit-any
  const mount = (c.volumeMounts ?? []).find((m: any) => m.mountPath === tmp);
  // deno-lint-ignore no-explicit-any
  const volume = (pod.volumes ?? []).find((v: any) => v.name === mount?.name);
  if (volume?.emptyDir?.medium !== "Memory" || !volume.emptyDir.sizeLimit) {
    problems.push(`${where}: TMPDIR is not a memory emptyDir with a sizeLimit`);
  }
  if (!env.get("CODEMODE_EXECUTOR_KEY")?.valueFrom?.secretKeyRef) {
    problems.push(`${where}: the API key does not come from a Secret`);
  }
  return problems;
}

function networkViolations(objects: KubeObject[]): string[] {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const problems: string[] = [];
  for (const o of objects.filter((o) => o.kind === "Deployment")) {
    const where = `Deployment/${o.metadata.name}`;
    const labels = o.spec.template.metadata?.labels ?? {};
    const covering = policies.filter((p) =>
      Object.entries(p.spec.podSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
    );
    if (covering.length === 0) problems.push(`${where}: no NetworkPolicy selects its pods`);
    // deno-lint-ignore no-explicit-any
    const names: string[] = o.spec.template.spec.containers.map((c: any) => c.name);
    // deno-lint-ignore no-explicit-any
    const rules: any[] = covering.flatMap((p) => p.spec.ingress ?? []);
    if (names.length === 1 && names[0] === "executor") {
      const closed = covering.some((p) => p.spec.policyTypes?.includes("Egress") && (p.spec.egress ?? []).length === 0);
      if (!closed) problems.push(`${where}: a standalone executor's egress is not denied`);
      if (rules.some((r) => !r.from?.length)) problems.push(`${where}: the executor takes ingress from any pod`);
    } else if (names.includes("executor")) {
      // deno-lint-ignore no-explicit-any
      const executor = o.spec.template.spec.containers.find((c: any) => c.name === "executor");
      const port = executor.ports?.[0]?.containerPort;
      // deno-lint-ignore no-explicit-any
      const open = rules.some((r) => !r.ports?.length || r.ports.some((p: any) => [port, "executor"].includes(p.port)));
      if (open) problems.push(`${where}: the sidecar executor's port is open to other pods`);
    }
  }
  return problems;
}
