/**
 * Where the OAuth tokens of upstream MCP servers are kept: an interface the
 * host may implement, an in-memory store (the default), and a JSON file
 * readable by its owner only (`oauth.tokenFile`).
 *
 * @module
 */
import { dirname } from "node:path";
import { z } from "zod";

/** Tokens as an authorization server issued them (RFC 6749 §5.1), with the SDK's `issuer` stamp. */
export interface OAuthTokenSet {
  /** The access token sent as `Authorization: Bearer`. */
  access_token: string;
  /** Its type, `Bearer`. */
  token_type: string;
  /** What renews the access token, when the server gave one. */
  refresh_token?: string;
  /** Lifetime of the access token in seconds, as issued. */
  expires_in?: number;
  /** The scopes granted. */
  scope?: string;
  /** The authorization server that issued them. */
  issuer?: string;
  /** Anything else the server sent. */
  [key: string]: unknown;
}

/** A client registered dynamically (RFC 7591), when no `clientId` is configured. */
export interface OAuthRegisteredClient {
  /** The id the authorization server gave. */
  client_id: string;
  /** Its secret, if it gave one. */
  client_secret?: string;
  /** The authorization server it is registered with. */
  issuer?: string;
  /** Anything else the server sent. */
  [key: string]: unknown;
}

/** What is kept for one upstream server. */
export interface OAuthCredentials {
  /** The MCP server's URL the credentials were obtained for; others are not used for another URL. */
  serverUrl: string;
  /** The current tokens. */
  tokens?: OAuthTokenSet;
  /** A dynamically registered client. */
  client?: OAuthRegisteredClient;
}

/**
 * Keeps OAuth credentials by server name. They are secrets: a store must
 * keep them where only the host can read them.
 */
export interface OAuthTokenStore {
  /** The credentials of a server, if any. */
  load(server: string): Promise<OAuthCredentials | undefined>;
  /** Replaces the credentials of a server; `undefined` forgets them. */
  save(server: string, credentials: OAuthCredentials | undefined): Promise<void>;
}

/**
 * Credentials in memory, gone when the process ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTokenStore } from "./oauth_store.ts";
 * const store = new MemoryTokenStore();
 * await store.save("web", { serverUrl: "https://a/mcp", tokens: { access_token: "t", token_type: "Bearer" } });
 * assert.equal((await store.load("web"))?.tokens?.access_token, "t");
 * ```
 */
export class MemoryTokenStore implements OAuthTokenStore {
  readonly #entries = new Map<string, OAuthCredentials>();

  /** The credentials of a server, if any. */
  load(server: string): Promise<OAuthCredentials | undefined> {
    const found = this.#entries.get(server);
    return Promise.resolve(found === undefined ? undefined : structuredClone(found));
  }

  /** Replaces (or with `undefined`, forgets) the credentials of a server. */
  save(server: string, credentials: OAuthCredentials | undefined): Promise<void> {
    if (credentials === undefined) this.#entries.delete(server);
    else this.#entries.set(server, structuredClone(credentials));
    return Promise.resolve();
  }
}

const credentialsSchema = z.object({
  serverUrl: z.string(),
  tokens: z.looseObject({ access_token: z.string(), token_type: z.string() }).optional(),
  client: z.looseObject({ client_id: z.string() }).optional(),
});
const fileSchema = z.object({ version: z.literal(1), servers: z.record(z.string(), credentialsSchema) });
type TokenFile = z.infer<typeof fileSchema>;

// Writes to one file are serialized, also between stores (two servers may share a file).
const locks = new Map<string, Promise<unknown>>();

function locked<T>(path: string, run: () => Promise<T>): Promise<T> {
  const before = locks.get(path) ?? Promise.resolve();
  const next = before.catch(() => {}).then(run);
  const settled = next.catch(() => {});
  locks.set(path, settled);
  void settled.then(() => locks.get(path) === settled && locks.delete(path));
  return next;
}

/**
 * Credentials in a JSON file of mode 0600 (its directory is made 0700 when
 * it does not exist), written whole to a new file that then replaces the old
 * one, so a crash never leaves half a file. Several servers may share a file.
 * A file others can read is set back to 0600 when it is read, with a warning.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileTokenStore } from "./oauth_store.ts";
 * const dir = await Deno.makeTempDir();
 * const store = new FileTokenStore(`${dir}/tokens.json`);
 * await store.save("web", { serverUrl: "https://a/mcp", tokens: { access_token: "t", token_type: "Bearer" } });
 * assert.equal((await Deno.stat(`${dir}/tokens.json`)).mode! & 0o777, 0o600);
 * assert.equal((await new FileTokenStore(`${dir}/tokens.json`).load("web"))?.tokens?.access_token, "t");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileTokenStore implements OAuthTokenStore {
  /** The file's absolute path. */
  readonly path: string;
  readonly #warn: (message: string) => void;

  /**
   * Creates a store; nothing is read or written yet.
   *
   * @param path the JSON file.
   * @param warn told about a file others could read or that is not a token file.
   */
  constructor(path: string, warn: (message: string) => void = (m) => console.warn(`[codemode] ${m}`)) {
    this.path = path;
    this.#warn = warn;
  }

  /** The credentials of a server, if the file has them. */
  async load(server: string): Promise<OAuthCredentials | undefined> {
    const file = await locked(this.path, () => this.#read());
    return file.servers[server] as OAuthCredentials | undefined;
  }

  /** Replaces (or with `undefined`, forgets) the credentials of a server, rewriting the file. */
  save(server: string, credentials: OAuthCredentials | undefined): Promise<void> {
    return locked(this.path, async () => {
      const file = await this.#read();
      if (credentials === undefined) delete file.servers[server];
      else file.servers[server] = credentials as TokenFile["servers"][string];
      await this.#write(file);
    });
  }

  async #read(): Promise<TokenFile> {
    let text: string;
    try {
      const info = await Deno.stat(this.path);
      if (info.mode !== null && (info.mode & 0o077) !== 0) {
        this.#warn(`token file ${this.path} could be read by others; its mode is set to 0600`);
        await Deno.chmod(this.path, 0o600);
      }
      text = await Deno.readTextFile(this.path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { version: 1, servers: {} };
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const checked = fileSchema.safeParse(parsed);
    if (checked.success) return checked.data;
    // Said without quoting the file: it holds secrets.
    this.#warn(`token file ${this.path} is not a Codemode token file; it is replaced at the next save`);
    return { version: 1, servers: {} };
  }

  async #write(file: TokenFile): Promise<void> {
    const dir = dirname(this.path);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.writeTextFile(temporary, JSON.stringify(file, null, 2) + "\n", { mode: 0o600, createNew: true });
      // The mode given at creation is filtered by the umask, which cannot add bits: set it exactly.
      await Deno.chmod(temporary, 0o600);
      await Deno.rename(temporary, this.path);
    } catch (e) {
      await Deno.remove(temporary).catch(() => {});
      throw e;
    }
  }
}
