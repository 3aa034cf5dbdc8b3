// Abuse tests for OAuth upstreams (the `oauth` key of an HTTP mcpServers entry, the host's
// `authorize` callback, the CLI's loopback redirect listener, token files): secrets never reach
// the script or a result, credentials never go to an authorization server the config did not
// name, forged redirects are refused, waits are bounded, and config errors never quote a secret.
// Stopped by: tokens and secrets stay in the host and are redacted; `issuer` pins the authorization server; the
// loopback redirect checks `state`; waits are bounded; config errors never quote a secret.
import assert from "node:assert/strict";
import { Codemode } from "../../src/codemode.ts";
import { codemodeOptionsFromConfig } from "../../src/config/from_config.ts";
import { ConfigError, parseConfig } from "../../src/config/mod.ts";
import { McpToolSource } from "../../src/mcp/client/mod.ts";
import type { McpOAuthConfig } from "../../src/mcp/client/oauth_config.ts";
import { FileTokenStore } from "../../src/mcp/client/oauth_store.ts";
import type { AuthorizationRequest, McpToolSourceOptions } from "../../src/mcp/client/options.ts";
import { loopbackAuthorizer } from "../../src/cli/oauth.ts";
import { encodedForms } from "../../src/mcp/client/_encodings.ts";
import { freePort, quiet, until } from "../mcp/client/_helpers.ts";
import { type OAuthFixture, startCodeGrantFixture, startOAuthFixture } from "../mcp/client/fixtures/oauth_server.ts";

const SECRET = "cc-secret-5e1f0a9d7b3c";

function source(fixture: OAuthFixture, oauth: McpOAuthConfig, options: McpToolSourceOptions = quiet()) {
  return new McpToolSource("web", { url: fixture.mcpUrl, headers: {}, oauth, startup: "lazy" }, options);
}

/** Fails when any common encoding of a secret is in the text. */
function assertAbsent(text: string, secret: string): void {
  for (const form of encodedForms(secret)) assert.ok(!text.includes(form), `found ${form}`);
}

Deno.test("mcp oauth abuse: a wrong client secret is an error naming the server; the echoed secret is redacted", async () => {
  await using fixture = await startOAuthFixture({ clients: { app: { secret: SECRET } } });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/codemode.yaml`,
      `mcpServers:\n  web:\n    url: ${fixture.mcpUrl}\n    oauth:\n      grant: client_credentials\n` +
        `      clientId: app\n      clientSecret: \${WEB_SECRET}\n`,
    );
    const wrong = "wrong-secret-0d4c8e2a";
    const warnings: string[] = [];
    const options = await codemodeOptionsFromConfig(`${dir}/codemode.yaml`, {
      env: { WEB_SECRET: wrong },
      mcpClient: quiet(warnings),
    });
    await using cm = new Codemode({ sources: options.sources });
    const r = await cm.execute(`return await tools.web.whoami({})`);
    assert.match(
      r.error?.message ?? "",
      /^tools\.web\.whoami is unavailable: Tool source "web" failed to load: could not connect to upstream MCP server "web": OAuth: the authorization server refused the client \(invalid_client: client "app" with secret "\[redacted\]" is unknown\); check oauth\.clientId and oauth\.clientSecret/,
    );
    // The authorization server saw it (twice: the SDK forgets the credentials and tries once more).
    assert.deepEqual(fixture.events, ["mcp 401", "refused client app", "refused client app"]);
    const everything = JSON.stringify(r) + (await cm.types()) + warnings.join("\n");
    assertAbsent(everything, wrong);
    assertAbsent(everything, `app:${wrong}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mcp oauth abuse: an upstream echoing its access token in results and errors never gets it to the script", async () => {
  await using fixture = await startOAuthFixture({ clients: { app: { secret: SECRET } } });
  await using cm = new Codemode({
    sources: [source(fixture, { grant: "client_credentials", clientId: "app", clientSecret: SECRET })],
  });
  const r = await cm.execute(`
    const echoed = await tools.web.echo_auth({});
    let failed = "";
    try { await tools.web.fail_auth({}); } catch (e) { failed = e.message.replace(/ \\(script.*/, ""); }
    console.log(echoed, failed);
    return { echoed, failed };
  `);
  assert.deepEqual(r.result, {
    echoed: "you sent Bearer [redacted]",
    failed: "tools.web.fail_auth failed: token [redacted] lacks a scope",
  });
  const token = fixture.bearers[0].slice("Bearer ".length);
  assertAbsent(JSON.stringify(r), token);
});

Deno.test("mcp oauth abuse: with issuer pinned, a server naming another authorization server never gets the secret", async () => {
  await using attacker = await startOAuthFixture();
  await using honest = await startOAuthFixture({ clients: { app: { secret: SECRET } } });
  await using lying = await startOAuthFixture({ clients: { app: { secret: SECRET } }, advertise: attacker.issuer });
  const oauth: McpOAuthConfig = { grant: "client_credentials", clientId: "app", clientSecret: SECRET };
  const pinned = source(lying, { ...oauth, issuer: honest.issuer });
  await assert.rejects(
    pinned.load(),
    /could not connect to upstream MCP server "web": OAuth: the client is bound to authorization server http:\/\/127\.0\.0\.1:\d+ and is not presented to http:\/\/127\.0\.0\.1:\d+, the one the server named/,
  );
  await pinned.close();
  assert.deepEqual(attacker.events, [], "no token request reached the server the upstream named");
  // Unpinned, the SDK follows the upstream: this is why `issuer` is recommended.
  const unpinned = source(lying, oauth);
  await assert.rejects(unpinned.load(), /invalid_client/);
  await unpinned.close();
  assert.deepEqual(attacker.events, ["refused client app", "refused client app"]);
});

Deno.test("mcp oauth abuse: a redirect with another state, or an error redirect, is refused before any token request", async () => {
  await using fixture = await startCodeGrantFixture();
  const { redirectUrl } = fixture;
  const oauth: McpOAuthConfig = { grant: "authorization_code", clientId: "cli", redirectUrl };
  const forged = source(fixture, oauth, {
    ...quiet(),
    oauth: { authorize: () => Promise.resolve(new URL(`${redirectUrl}?code=stolen-code-123&state=forged`)) },
  });
  await assert.rejects(
    forged.load(),
    /could not connect to upstream MCP server "web": the redirect's state is not the authorization request's/,
  );
  await forged.close();
  const refused = source(fixture, oauth, {
    ...quiet(),
    oauth: {
      authorize: ({ authorizationUrl }) => {
        const back = new URL(redirectUrl);
        back.searchParams.set("state", authorizationUrl.searchParams.get("state")!);
        back.searchParams.set("error", "access_denied");
        back.searchParams.set("error_description", "the user said no");
        return Promise.resolve(back);
      },
    },
  });
  await assert.rejects(refused.load(), /"web": the authorization was refused \(access_denied: the user said no\)/);
  await refused.close();
  assert.ok(!fixture.events.some((e) => e.startsWith("token")), fixture.events.join());
});

Deno.test("mcp oauth abuse: an authorize callback that never answers is given up at the limit, and told so", async () => {
  await using fixture = await startCodeGrantFixture();
  const { redirectUrl } = fixture;
  const signals: AbortSignal[] = [];
  const hanging = (request: AuthorizationRequest) => (signals.push(request.signal), new Promise<never>(() => {}));
  const oauth: McpOAuthConfig = { grant: "authorization_code", clientId: "cli", redirectUrl };
  const slow = source(fixture, oauth, { ...quiet(), oauth: { authorize: hanging, authorizationTimeoutMs: 200 } });
  await assert.rejects(
    slow.load(),
    /could not connect to upstream MCP server "web": the user did not authorize Codemode within 200 ms/,
  );
  assert.equal(signals[0].aborted, true);
  await slow.close();
  // close() while waiting ends the wait at once, whatever the timeout.
  const closing = source(fixture, oauth, { ...quiet(), oauth: { authorize: hanging } });
  const loading = closing.load();
  await until(() => signals.length === 2, undefined, "the second authorization request");
  await closing.close();
  await assert.rejects(loading, /the MCP client for server "web" is closed/);
  assert.equal(signals[1].aborted, true);
  // Without a callback, the error says what is missing.
  const none = source(fixture, oauth);
  await assert.rejects(
    none.load(),
    /^Error: could not connect to upstream MCP server "web": it needs a user to authorize Codemode \(OAuth authorization_code\), and the host has no way to ask \(McpToolSourceOptions\.oauth\.authorize\)$/,
  );
  await none.close();
});

Deno.test("mcp oauth abuse: the CLI's redirect listener answers only its own state, and only on loopback", async () => {
  const port = freePort();
  const authorize = loopbackAuthorizer(() => {});
  const controller = new AbortController();
  const waiting = authorize({
    server: "web",
    authorizationUrl: new URL("http://127.0.0.1:1/authorize?state=the-real-state"),
    redirectUrl: `http://127.0.0.1:${port}/callback`,
    signal: controller.signal,
  });
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    await response.body?.cancel();
    return response.status;
  };
  await until(async () => (await get("/elsewhere").catch(() => 0)) === 404, undefined, "the listener");
  assert.equal(await get("/callback?code=forged&state=guess"), 400);
  assert.equal(await get("/callback?code=forged"), 400);
  assert.equal(await get("/callback?code=real&state=the-real-state"), 200);
  assert.equal((await waiting).searchParams.get("code"), "real");
  await assert.rejects(get("/callback"), "the listener is gone once it has the code");
  for (const redirectUrl of ["https://127.0.0.1:8443/cb", "http://example.com:80/cb", "http://127.0.0.1/cb"]) {
    await assert.rejects(
      authorize({ server: "web", authorizationUrl: new URL("http://a/"), redirectUrl, signal: controller.signal }),
      /loopback redirect URL with a port/,
    );
  }
});

Deno.test("mcp oauth abuse: a token file others can read is set to 0600; a corrupt one is not quoted or trusted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tokens.json`;
    const warnings: string[] = [];
    await Deno.writeTextFile(path, `{"version":1,"servers":{}}`, { mode: 0o644 });
    await Deno.chmod(path, 0o644);
    const store = new FileTokenStore(path, (m) => warnings.push(m));
    assert.equal(await store.load("web"), undefined);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.match(warnings[0], /could be read by others; its mode is set to 0600/);
    await Deno.writeTextFile(path, `not json, but a leaked-secret-value`);
    assert.equal(await store.load("web"), undefined);
    assert.match(warnings[1], /is not a Codemode token file/);
    assert.doesNotMatch(warnings.join("\n"), /leaked-secret-value/);
    await store.save("web", { serverUrl: "https://a/mcp", tokens: { access_token: "x", token_type: "Bearer" } });
    assert.equal((await store.load("web"))?.tokens?.access_token, "x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mcp oauth abuse: tokens stored for another URL are not sent to this one", async () => {
  await using fixture = await startOAuthFixture({ clients: { app: { secret: SECRET } } });
  const dir = await Deno.makeTempDir();
  try {
    const tokenFile = `${dir}/tokens.json`;
    await new FileTokenStore(tokenFile).save("web", {
      serverUrl: "https://elsewhere.example/mcp",
      tokens: { access_token: "token-for-elsewhere", token_type: "Bearer" },
    });
    await using cm = new Codemode({
      sources: [source(fixture, { grant: "client_credentials", clientId: "app", clientSecret: SECRET, tokenFile })],
    });
    assert.equal((await cm.execute(`return await tools.web.whoami({})`)).result, "app");
    assert.ok(fixture.bearers.every((b) => !b.includes("token-for-elsewhere")));
    assert.deepEqual(fixture.events, ["mcp 401", "token client_credentials"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mcp oauth abuse: bad oauth config is refused with positions, and never quotes the secret", () => {
  const secret = "s".repeat(5000);
  const text = `mcpServers:
  a:
    url: https://a.example/mcp
    oauth: { grant: client_credentials, clientId: app, clientSecret: "\${S}", redirectUrl: "http://127.0.0.1:1/cb" }
  b:
    command: run
    oauth: { grant: authorization_code }
  c:
    url: https://c.example/mcp
    headers: { Authorization: "Bearer x" }
    oauth: { grant: password, clientid: x }
  d:
    url: https://d.example/mcp
    oauth: { grant: client_credentials, clientId: app }
`;
  let error: unknown;
  try {
    parseConfig(text, "codemode.yaml", { env: { S: secret } });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError);
  assert.deepEqual(error.message.split("\n"), [
    "codemode.yaml:4:70: mcpServers.a.oauth.clientSecret: must be at most 4096 characters",
    "codemode.yaml:4:91: mcpServers.a.oauth.redirectUrl: only used by grant: authorization_code",
    'codemode.yaml:7:5: mcpServers.b.oauth: not used by a server with "command"',
    'codemode.yaml:11:21: mcpServers.c.oauth.grant: expected one of "client_credentials", "authorization_code", got "password"',
    'codemode.yaml:11:31: mcpServers.c.oauth.clientid: unknown key; did you mean "clientId"?',
    "codemode.yaml:14:5: mcpServers.d.oauth.clientSecret: required by client_credentials",
  ]);
  assert.ok(!error.message.includes("sss"));
});
