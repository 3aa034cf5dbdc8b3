/**
 * The server's own log: one JSON object per line, on stderr by default,
 * because in stdio mode stdout carries only the protocol.
 *
 * @module
 */

/** One log event: `event` names it; other fields depend on it. */
export interface LogEvent {
  /** Severity. */
  level: "debug" | "info" | "warn" | "error";
  /** What happened, e.g. `execute`, `session_open`, `http_rejected`. */
  event: string;
  /** Event-specific fields. */
  [field: string]: unknown;
}

/** Receives the server's log events. */
export type McpLogger = (entry: LogEvent) => void;

const encoder = new TextEncoder();

/**
 * A logger that writes JSON lines (with a `time` field) through `write`.
 *
 * @param write where each line goes. @default {stderr}
 * @returns the logger.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonLineLogger } from "./log.ts";
 * let out = "";
 * jsonLineLogger((line) => void (out += line))({ level: "info", event: "hello", n: 1 });
 * assert.deepEqual(Object.keys(JSON.parse(out)), ["time", "level", "event", "n"]);
 * ```
 */
export function jsonLineLogger(write: (line: string) => void = writeStderr): McpLogger {
  return (entry) => {
    try {
      write(JSON.stringify({ time: new Date().toISOString(), ...entry }) + "\n");
    } catch {
      // Logging never breaks serving (a closed stderr, a value JSON cannot hold).
    }
  };
}

function writeStderr(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line));
}
