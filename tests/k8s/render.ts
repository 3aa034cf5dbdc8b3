// Writes k8s/sidecar.yaml and k8s/standalone.yaml: the chart rendered with its
// defaults in each mode (release "codemode"), for `kubectl apply -f` without
// helm. `deno task k8s:render` runs it; tests/k8s/chart_test.ts fails when the
// files and the chart drift apart.
import { renderChart } from "./_helm.ts";

/** The plain manifests under k8s/, by file name, with the values each is rendered from. */
export const PLAIN_MANIFESTS: Record<string, Record<string, unknown>> = {
  "sidecar.yaml": { mode: "sidecar" },
  "standalone.yaml": { mode: "standalone" },
};

/** The header every rendered file starts with. */
export const RENDERED_HEADER =
  "# Rendered from k8s/helm/codemode by `deno task k8s:render`: edit the chart, not this file.\n" +
  "# The API key Secret is not in it: create it first (k8s/secret.example.yaml).\n";

/** A plain manifest's text as the chart renders it now. */
export async function renderPlain(file: string): Promise<string> {
  return RENDERED_HEADER + await renderChart(PLAIN_MANIFESTS[file]);
}

if (import.meta.main) {
  for (const file of Object.keys(PLAIN_MANIFESTS)) {
    const path = new URL(`../../k8s/${file}`, import.meta.url);
    await Deno.writeTextFile(path, await renderPlain(file));
    console.log(`wrote k8s/${file}`);
  }
}
