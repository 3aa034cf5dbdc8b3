/**
 * Continuation tokens: what a paused execution needs to be resumed, sealed
 * with AES-256-GCM (WebCrypto) under a key derived from the host's key, so
 * that the holder (an MCP client, a model, a database) can neither read the
 * tool results inside nor change anything. A token is plain text:
 * `cm1.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`; the version and key id
 * are authenticated too. Its payload says when it expires.
 *
 * @module
 */
import { z } from "zod";
import type { PendingApproval } from "../rpc/result.ts";
import type { ReadEntry } from "../rpc/protocol.ts";

/**
 * A continuation that cannot be resumed: not one, altered or forged, sealed under another key, expired, too
 * large, or given decisions that do not fit its pending approvals. The message says which.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode, ContinuationError } from "../../mod.ts";
 * await using cm = new Codemode();
 * await assert.rejects(cm.resume("cm1.x.y", {}), ContinuationError);
 * ```
 */
export class ContinuationError extends Error {
  /** Always `ContinuationError`. */
  override name = "ContinuationError";
}

/** The token's version: its prefix. */
export const CONTINUATION_VERSION = "cm1";

/** The shortest `approvals.key` accepted, in characters. */
export const MIN_KEY_CHARS = 32;

/** One tool call of the recorded run. */
export interface RecordedCall {
  /** The tool's name as the script called it. */
  tool: string;
  /** The raw input as JSON text, as the script sent it. */
  input?: string;
  /** How many values the script had read (clock, random) when it made the call. */
  at: number;
  /** How it ended; none for a call that waits for approval. */
  outcome?: { ok: true; json: string } | { ok: false; message: string };
  /** The place of its reply among the replies the child got (0 first), with its outcome. */
  reply?: number;
  /** The approval it waits for, by id. */
  pending?: string;
}

/** What a continuation holds. */
export interface ContinuationPayload {
  /** The script. */
  code: string;
  /** The correlation id of the first run, kept by every resume. */
  correlationId: string;
  /** Every tool call, in the order the host received them. */
  calls: RecordedCall[];
  /** Every value the script read, in order. */
  reads: ReadEntry[];
  /** The calls waiting for approval. */
  pending: PendingApproval[];
}

const outcome = z.union([
  z.object({ ok: z.literal(true), json: z.string() }).strict(),
  z.object({ ok: z.literal(false), message: z.string() }).strict(),
]);
const read = z.union([
  z.tuple([z.enum(["d", "p", "r"]), z.number()]),
  z.tuple([z.enum(["u", "g"]), z.string()]),
]);
const pending = z.object({
  id: z.string(),
  tool: z.string(),
  input: z.unknown(),
  reason: z.union([
    z.object({ kind: z.literal("policy"), rule: z.string() }).strict(),
    z.object({ kind: z.literal("needsApproval") }).strict(),
    z.object({ kind: z.literal("defaultPolicy") }).strict(),
  ]),
  toolCallId: z.string(),
}).strict();
const sealed = z.object({
  exp: z.number(),
  code: z.string(),
  correlationId: z.string(),
  calls: z.array(
    z.object({
      tool: z.string(),
      input: z.string().optional(),
      at: z.number().int().nonnegative(),
      outcome: outcome.optional(),
      reply: z.number().int().nonnegative().optional(),
      pending: z.string().optional(),
    }).strict(),
  ),
  reads: z.array(read),
  pending: z.array(pending),
}).strict();

const encoder = new TextEncoder();

/**
 * Seals and opens continuations under one key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContinuationError, ContinuationSealer } from "./continuation.ts";
 * const sealer = new ContinuationSealer("k".repeat(32));
 * const payload = { code: "return 1", correlationId: "c", calls: [], reads: [], pending: [] };
 * const { token } = await sealer.seal(payload, 60_000);
 * assert.deepEqual((await sealer.open(token, 1_000_000)).payload, payload);
 * await assert.rejects(new ContinuationSealer(undefined).open(token, 1_000_000), ContinuationError);
 * ```
 */
export class ContinuationSealer {
  readonly #configured: boolean;
  readonly #keys: Promise<{ id: string; key: CryptoKey }>;

  /**
   * @param key the host's secret, at least {@linkcode MIN_KEY_CHARS} characters; without one, a random key for
   * this process only.
   * @throws {RangeError} when the key is too short.
   */
  constructor(key: string | undefined) {
    if (key !== undefined && key.length < MIN_KEY_CHARS) {
      throw new RangeError(
        `approvals.key must be at least ${MIN_KEY_CHARS} characters (e.g. \`openssl rand -base64 32\`), got ${key.length}`,
      );
    }
    this.#configured = key !== undefined;
    const material = key === undefined ? crypto.getRandomValues(new Uint8Array(32)) : encoder.encode(key);
    this.#keys = deriveKeys(material);
    this.#keys.catch(() => {});
  }

  /**
   * Seals a payload.
   *
   * @param payload what the continuation holds.
   * @param ttlMs how long it can be resumed.
   * @returns the token and when it expires.
   */
  async seal(payload: ContinuationPayload, ttlMs: number): Promise<{ token: string; expiresAt: Date }> {
    const { id, key } = await this.#keys;
    const exp = Date.now() + ttlMs;
    const plain = encoder.encode(JSON.stringify({ exp, ...payload }));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const header = `${CONTINUATION_VERSION}.${id}`;
    const data = { name: "AES-GCM", iv, additionalData: encoder.encode(header) };
    const cipher = new Uint8Array(await crypto.subtle.encrypt(data, key, plain));
    const body = new Uint8Array(iv.length + cipher.length);
    body.set(iv);
    body.set(cipher, iv.length);
    return { token: `${header}.${base64Url(body)}`, expiresAt: new Date(exp) };
  }

  /**
   * Opens a token.
   *
   * @param token the continuation.
   * @param maxChars the longest token accepted.
   * @returns what it holds, and when it expires.
   * @throws {ContinuationError} naming what is wrong with it.
   */
  async open(token: unknown, maxChars: number): Promise<{ payload: ContinuationPayload; expiresAt: Date }> {
    if (typeof token !== "string") throw new ContinuationError("A continuation must be a string");
    if (token.length > maxChars) {
      throw new ContinuationError(
        `The continuation is ${token.length} characters, over the ${maxChars} limit (approvals.maxContinuationBytes)`,
      );
    }
    const [version, id, body, ...rest] = token.trim().split(".");
    if (version !== CONTINUATION_VERSION || id === undefined || body === undefined || rest.length > 0) {
      const other = /^cm\d+$/.test(version ?? "") && version !== CONTINUATION_VERSION;
      throw new ContinuationError(
        other
          ? `The continuation is of version ${version}; this Codemode reads ${CONTINUATION_VERSION} only`
          : `Not a Codemode continuation (one is ${CONTINUATION_VERSION}.<key id>.<data>)`,
      );
    }
    const keys = await this.#keys;
    if (id !== keys.id) throw new ContinuationError(this.#otherKey());
    const bytes = fromBase64Url(body);
    if (!bytes || bytes.length < 12 + 16) throw new ContinuationError(TAMPERED);
    let plain: ArrayBuffer;
    try {
      const data = { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: encoder.encode(`${version}.${id}`) };
      plain = await crypto.subtle.decrypt(data, keys.key, bytes.subarray(12));
    } catch {
      throw new ContinuationError(TAMPERED);
    }
    const parsed = sealed.safeParse(JSON.parse(new TextDecoder().decode(plain)));
    if (!parsed.success) throw new ContinuationError("The continuation holds a payload this Codemode cannot read");
    const { exp, ...payload } = parsed.data;
    if (Date.now() > exp) {
      throw new ContinuationError(
        `The continuation expired at ${
          new Date(exp).toISOString()
        } (approvals.continuationTtlMs); run the script again`,
      );
    }
    return { payload: payload as ContinuationPayload, expiresAt: new Date(exp) };
  }

  #otherKey(): string {
    const base = "The continuation was sealed with another key";
    return this.#configured ? `${base} than this Codemode's approvals.key` : `${base}: this Codemode has no ` +
      "approvals.key, so it seals with a random key of its own process; configure approvals.key (the same " +
      "secret wherever it runs) to resume across restarts and hosts";
  }
}

const TAMPERED = "The continuation was altered or forged: it failed authentication";

async function deriveKeys(material: Uint8Array): Promise<{ id: string; key: CryptoKey }> {
  const base = await crypto.subtle.importKey("raw", material as BufferSource, "HKDF", false, [
    "deriveKey",
    "deriveBits",
  ]);
  const params = (info: string) => ({
    name: "HKDF",
    hash: "SHA-256",
    salt: encoder.encode("codemode continuation"),
    info: encoder.encode(info),
  });
  const key = await crypto.subtle.deriveKey(
    params("aes-256-gcm v1"),
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  const id = new Uint8Array(await crypto.subtle.deriveBits(params("key id v1"), base, 64));
  return { id: base64Url(id), key };
}

function base64Url(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const raw = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
