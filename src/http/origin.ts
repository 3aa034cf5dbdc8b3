/**
 * Host and Origin checks against DNS rebinding: a page whose domain now
 * resolves to 127.0.0.1 sends its own name as `Host` and its own `Origin`.
 *
 * @module
 */

const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether an address to bind is loopback-only.
 *
 * @param host a hostname or IP address.
 * @returns true for `localhost`, `127.x.x.x` and `::1`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopbackHost } from "./origin.ts";
 * assert.equal(isLoopbackHost("127.0.0.1"), true);
 * assert.equal(isLoopbackHost("0.0.0.0"), false);
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Whether a `Host` header names loopback with the bound port.
 *
 * @param host the `Host` header, or `null`.
 * @param port the port the server is bound to.
 * @returns true for `localhost:<port>`, `127.0.0.1:<port>` and `[::1]:<port>`.
 */
export function hostAllowed(host: string | null, port: number): boolean {
  if (host === null) return false;
  const h = host.toLowerCase();
  return [...LOOPBACK_HOSTNAMES].some((name) => h === `${name}:${port}`);
}

/**
 * Whether a browser `Origin` may call: one listed exactly, or a loopback one.
 *
 * @param origin the `Origin` header.
 * @param allowed origins allowed besides loopback ones, exactly as sent.
 * @returns true when the origin is allowed.
 */
export function originAllowed(origin: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(origin)) return true;
  try {
    const u = new URL(origin);
    return (u.protocol === "http:" || u.protocol === "https:") && LOOPBACK_HOSTNAMES.has(u.hostname) &&
      u.origin === origin;
  } catch {
    return false;
  }
}
