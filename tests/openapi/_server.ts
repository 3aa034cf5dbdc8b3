// A real HTTP server on 127.0.0.1 for the OpenAPI tests: it records every request and answers as the Petstore
// would (echoing what it received), plus a few hostile answers the security tests ask for by path.
export interface Seen {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body: string;
}

export interface TestServer {
  url: string;
  seen: Seen[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** Answers a request; return undefined for the default echo. */
export type Route = (request: Request, seen: Seen) => Response | Promise<Response> | undefined;

/**
 * Starts the server.
 * @param route answers some paths specially; everything else is echoed as JSON.
 * @returns its base URL, the requests it saw, and its disposal.
 */
export function startServer(route: Route = () => undefined): TestServer {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    const entry: Seen = {
      method: request.method,
      path: url.pathname,
      query: [...url.searchParams],
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    };
    seen.push(entry);
    const special = await route(request, entry);
    if (special) return special;
    if (url.pathname.endsWith("/pet/404")) {
      // An error body that quotes the credentials it got, as some APIs do.
      const got = request.headers.get("authorization") ?? request.headers.get("api_key") ?? url.search;
      return Response.json({ message: `no pet 404 for ${got}` }, { status: 404, statusText: "Not Found" });
    }
    return Response.json({ id: 7, name: "rex", status: "available", echo: entry });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Where the test specs are. */
export const TESTDATA = new URL("./testdata/", import.meta.url).pathname;

/** A warning sink that keeps the warnings. */
export function warnings(): { onWarning: (m: string) => void; list: string[] } {
  const list: string[] = [];
  return { onWarning: (m) => void list.push(m), list };
}
