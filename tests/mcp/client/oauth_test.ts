// OAuth upstreams: a real authorization server and an MCP server behind Bearer tokens, on 127.0.0.1,
// reached with the SDK's auth flow (discovery, tokens, refresh) through McpToolSource.
import assert from "node:assert/strict";
import { Codemode } from "../../../src/codemode.ts";
import { McpToolSource } from "../../../src/mcp/client/mod.ts";
import type { McpOAuthConfig } from "../../../src/mcp/client/oauth_config.ts";
import { FileTokenStore, MemoryTokenStore } from "../../../src/mcp/client/oauth_store.ts";
import type { AuthorizationRequest } from "../../../src/mcp/client/options.ts";
import { freePort, quiet, until } from "./_helpers.ts";
import { recordingIo } from "../../_helpers.ts";
import { main } from "../../../cli.ts";
import { type OAuthFixture, startCodeGrantFixture, startOAuthFixture } from "./fixtures/oauth_server.ts";

const SECRET = "cc-secret-7f3a9b2e41d8";

function source(fixture: OAuthFixture, oauth: McpOAuthConfig, options = quiet()): McpToolSource {
  return new McpToolSource("web", { url: fixture.mcpUrl, headers: {}, oauth, startup: "lazy" }, options);
}

/** The browser: follows /authorize to its redirect and hands back the URL it was sent to. */
async function browser(request: AuthorizationRequest): Promise<URL> {
  const response = await fetch(request.authorizationUrl, { redirect: "manual" });
  await response.body?.cancel();
  const location = response.headers.get("location");
  if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status}`);
  return new URL(location);
}

Deno.test("oauth client_credentials: 401, discovery, a token, then the tools work with it", async () => {
  await using fixture = await startOAuthFixture({ clients: { app: { secret: SECRET } } });
  const web = source(fixture, { grant: "client_credentials", clientId: "app", clientSecret: SECRET });
  await using cm = new Codemode({ sources: [web] });
  const r = await cm.execute(`return await tools.web.whoami({})`);
  assert.equal(r.result, "app", JSON.stringify(r.error));
  assert.deepEqual(fixture.events, ["mcp 401", "token client_credentials"]);
  assert.ok(fixture.bearers.every((b) => /^Bearer at-/.test(b)));
});

Deno.test("oauth client_credentials: an expired token is replaced on the next call, which succeeds", async () => {
  await using fixture = await startOAuthFixture({ clients: { app: { secret: SECRET } } });
  await using cm = new Codemode({
    sources: [source(fixture, { grant: "client_credentials", clientId: "app", clientSecret: SECRET })],
  });
  assert.equal((await cm.execute(`return await tools.web.whoami({})`)).result, "app");
  fixture.expireAccessTokens();
  const r = await cm.execute(`return await tools.web.whoami({})`);
  assert.equal(r.result, "app", JSON.stringify(r.error));
  assert.deepEqual(fixture.events, ["mcp 401", "token client_credentials", "mcp 401", "token client_credentials"]);
});

Deno.test("oauth authorization_code: the host's callback opens the URL, PKCE is checked, refresh renews", async () => {
  await using fixture = await startCodeGrantFixture();
  const { redirectUrl } = fixture;
  const asked: AuthorizationRequest[] = [];
  const authorize = (request: AuthorizationRequest) => (asked.push(request), browser(request));
  const web = source(
    fixture,
    { grant: "authorization_code", clientId: "cli", redirectUrl, scope: "tools" },
    quiet([], { oauth: { authorize } }),
  );
  await using cm = new Codemode({ sources: [web] });
  assert.equal((await cm.execute(`return await tools.web.whoami({})`)).result, "cli");
  assert.equal(asked.length, 1);
  const url = asked[0].authorizationUrl;
  assert.equal(asked[0].server, "web");
  assert.equal(asked[0].redirectUrl, redirectUrl);
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.equal(url.searchParams.get("scope"), "tools");
  assert.ok((url.searchParams.get("state") ?? "").length >= 32);
  fixture.expireAccessTokens();
  assert.equal((await cm.execute(`return await tools.web.whoami({})`)).result, "cli");
  assert.equal(asked.length, 1, "a refresh token renews the access token without the user");
  assert.deepEqual(fixture.events, [
    "mcp 401",
    "authorize",
    "token authorization_code",
    "mcp 401",
    "token refresh_token",
  ]);
});

Deno.test("oauth authorization_code: a revoked refresh token sends the user back to authorize", async () => {
  await using fixture = await startCodeGrantFixture();
  const { redirectUrl } = fixture;
  let asked = 0;
  const authorize = (request: AuthorizationRequest) => (asked++, browser(request));
  const web = source(fixture, { grant: "authorization_code", clientId: "cli", redirectUrl }, {
    ...quiet(),
    oauth: { authorize },
  });
  await using cm = new Codemode({ sources: [web] });
  assert.equal((await cm.execute(`return await tools.web.whoami({})`)).result, "cli");
  fixture.expireAccessTokens();
  fixture.revokeRefreshTokens();
  const r = await cm.execute(`
    let first = "";
    try { await tools.web.whoami({}); } catch (e) { first = e.message; }
    return { first, second: await tools.web.whoami({}) };
  `);
  const { first, second } = r.result as { first: string; second: string };
  assert.equal(second, "cli", JSON.stringify(r.error));
  assert.equal(asked, 2);
  assert.deepEqual(fixture.events.slice(3), [
    "mcp 401",
    "token refresh_token",
    "refused refresh",
    "mcp 401",
    "authorize",
    "token authorization_code",
  ]);
  // The call that found the tokens dead may fail (naming the server) or succeed after the new authorization.
  // The call that found the tokens dead fails, naming the server; the next one has the user authorize.
  assert.match(first, /upstream MCP server "web" refused the call to "whoami": OAuth: .*authorize again/);
});

Deno.test("oauth authorization_code without a clientId registers a client dynamically, kept in the store", async () => {
  const redirectUrl = `http://127.0.0.1:${freePort()}/callback`;
  await using fixture = await startOAuthFixture();
  const store = new MemoryTokenStore();
  const web = source(fixture, { grant: "authorization_code", redirectUrl }, {
    ...quiet(),
    oauth: { authorize: browser, store },
  });
  await using cm = new Codemode({ sources: [web] });
  const r = await cm.execute(`return await tools.web.whoami({})`);
  assert.match(String(r.result), /^dyn-/, JSON.stringify(r.error));
  assert.deepEqual(fixture.events.slice(0, 4), ["mcp 401", "register", "authorize", "token authorization_code"]);
  const kept = await store.load("web");
  assert.equal(kept?.client?.client_id, r.result);
  assert.match(kept?.tokens?.refresh_token ?? "", /^rt-/);
});

Deno.test("oauth tokenFile: tokens are written 0600 and a later source uses them without a new token", async () => {
  await using fixture = await startOAuthFixture({ clients: { app: { secret: SECRET } } });
  const dir = await Deno.makeTempDir();
  try {
    const tokenFile = `${dir}/state/tokens.json`;
    const oauth: McpOAuthConfig = { grant: "client_credentials", clientId: "app", clientSecret: SECRET, tokenFile };
    {
      await using first = source(fixture, oauth);
      await first.load();
    }
    assert.equal((await Deno.stat(tokenFile)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${dir}/state`)).mode! & 0o777, 0o700);
    const stored = await new FileTokenStore(tokenFile).load("web");
    assert.equal(stored?.serverUrl, fixture.mcpUrl);
    assert.doesNotMatch(await Deno.readTextFile(tokenFile), new RegExp(SECRET), "the client secret is not stored");
    const before = fixture.events.length;
    await using second = source(fixture, oauth);
    await using cm = new Codemode({ sources: [second] });
    assert.equal((await cm.execute(`return await tools.web.whoami({})`)).result, "app");
    assert.deepEqual(fixture.events.slice(before), [], "no 401, no token request: the stored token was used");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli run: the authorization URL is printed on stderr and the code received on the loopback redirect", async () => {
  await using fixture = await startCodeGrantFixture();
  const { redirectUrl } = fixture;
  const dir = await Deno.makeTempDir();
  try {
    const tokenFile = `${dir}/tokens.json`;
    await Deno.writeTextFile(
      `${dir}/codemode.yaml`,
      `mcpServers:\n  web:\n    url: ${fixture.mcpUrl}\n    oauth:\n      grant: authorization_code\n` +
        `      clientId: cli\n      redirectUrl: ${redirectUrl}\n      tokenFile: ./tokens.json\n`,
    );
    await Deno.writeTextFile(`${dir}/script.ts`, `return await tools.web.whoami({});`);
    const recorded = recordingIo(dir);
    const running = main(["run", "script.ts", "--json"], recorded.io);
    // The user: reads the URL from stderr, opens it; the browser follows the redirect to the CLI's listener.
    await until(() => /https?:\/\/\S+\/authorize\?\S+/.test(recorded.err()), undefined, "the URL on stderr");
    const url = /(https?:\/\/\S+\/authorize\?\S+)/.exec(recorded.err())![1];
    const page = await fetch(url);
    assert.match(await page.text(), /Codemode is authorized/);
    assert.equal(await running, 0, recorded.err());
    assert.equal(JSON.parse(recorded.out()).result, "cli");
    assert.match(recorded.err(), /MCP server "web" needs you to authorize Codemode/);
    assert.equal((await Deno.stat(tokenFile)).mode! & 0o777, 0o600);
    // Next run: the stored tokens are used, nobody is asked.
    const again = recordingIo(dir);
    assert.equal(await main(["run", "script.ts", "--json"], again.io), 0, again.err());
    assert.equal(JSON.parse(again.out()).result, "cli");
    assert.doesNotMatch(again.err(), /authorize/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
