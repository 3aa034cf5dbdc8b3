// A TCP proxy that hands each new connection to the next backend in turn, the
// way a Kubernetes Service (kube-proxy) puts each connection on one ready pod.
// It pipes bytes both ways and knows nothing of HTTP or WebSocket: one
// execution's WebSocket stays on the backend its connection landed on.

/** A listening round-robin proxy; `assignments` lists the backend index of each connection, in order. */
export interface RoundRobinProxy extends AsyncDisposable {
  readonly url: URL;
  readonly assignments: readonly number[];
}

/** Listens on a free loopback port and spreads connections over `backends` (host:port URLs) in strict turn. */
export function roundRobinProxy(backends: URL[]): RoundRobinProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const assignments: number[] = [];
  const open = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const client of listener) {
      const index = assignments.length % backends.length;
      assignments.push(index);
      const piping = pipe(client, backends[index]).finally(() => open.delete(piping));
      open.add(piping);
    }
  })();
  return {
    url: new URL(`http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`),
    assignments,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting.catch(() => {});
      await Promise.all(open);
    },
  };
}

async function pipe(client: Deno.TcpConn, backend: URL): Promise<void> {
  let upstream: Deno.TcpConn;
  try {
    upstream = await Deno.connect({ hostname: backend.hostname, port: Number(backend.port) });
  } catch {
    client.close();
    return;
  }
  // Whichever side ends first ends both: the other direction's copy then fails and stops.
  const done = () => {
    for (const conn of [client, upstream]) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  };
  await Promise.all([
    client.readable.pipeTo(upstream.writable).catch(() => {}).finally(done),
    upstream.readable.pipeTo(client.writable).catch(() => {}).finally(done),
  ]);
}
