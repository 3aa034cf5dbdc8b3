/**
 * A JSON-lines logger: one object per line (`time`, `level`, `msg`, then the
 * event's fields), written to stderr by default, because under `codemode mcp`
 * on stdio, stdout carries the protocol.
 *
 * @module
 */

/** How severe a log line is. */
export type LogLevelName = "debug" | "info" | "warn" | "error";

/** The lowest level a logger writes; `silent` writes nothing. */
export type LogThreshold = LogLevelName | "silent";

/** Every {@linkcode LogThreshold}, from the most verbose. */
export const LOG_THRESHOLDS: readonly LogThreshold[] = Object.freeze(["debug", "info", "warn", "error", "silent"]);

const RANK: Record<LogThreshold, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** The fields a line always starts with: an event cannot overwrite them. */
const OWN_FIELDS = new Set(["time", "level", "msg"]);

/** Options of {@linkcode JsonLogger}. */
export interface JsonLoggerOptions {
  /** The lowest level written. @default {"info"} */
  level?: LogThreshold;
  /** Where each line (ending in `\n`) goes. @default {stderr} */
  write?: (line: string) => void;
}

const encoder = new TextEncoder();

function writeStderr(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line));
}

/**
 * Writes log events as JSON lines. A line's fields are JSON-encoded, so a
 * value holding a newline or a control character cannot start a forged line.
 * Writing never throws: a line that cannot be written (a closed stderr, a
 * value JSON cannot hold) is dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = new JsonLogger({ level: "info", write: (line) => void lines.push(line) });
 * log.debug("not written");
 * log.info("execution", { executionId: "e1", durationMs: 12 });
 * assert.equal(lines.length, 1);
 * const entry = JSON.parse(lines[0]);
 * assert.deepEqual([entry.level, entry.msg, entry.executionId], ["info", "execution", "e1"]);
 * ```
 */
export class JsonLogger {
  /** The lowest level written. */
  readonly level: LogThreshold;
  readonly #rank: number;
  readonly #write: (line: string) => void;

  /**
   * Creates a logger.
   *
   * @param options the level and where lines go.
   * @throws {RangeError} on an unknown level.
   */
  constructor(options: JsonLoggerOptions = {}) {
    this.level = options.level ?? "info";
    if (!(this.level in RANK)) {
      throw new RangeError(`log level must be one of ${LOG_THRESHOLDS.join(", ")}, got ${JSON.stringify(this.level)}`);
    }
    this.#rank = RANK[this.level];
    this.#write = options.write ?? writeStderr;
  }

  /**
   * Whether lines of a level are written: check it before building costly fields.
   *
   * @param level the level.
   * @returns true when a line of that level would be written.
   */
  enabled(level: LogLevelName): boolean {
    return RANK[level] >= this.#rank;
  }

  /**
   * Writes one line, when its level is enabled.
   *
   * @param level the line's level.
   * @param msg what happened, e.g. `execution`, `tool_call`, `audit`.
   * @param fields the event's fields; `time`, `level` and `msg` among them are ignored.
   */
  log(level: LogLevelName, msg: string, fields?: object): void {
    if (RANK[level] < this.#rank) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        if (!OWN_FIELDS.has(key) && value !== undefined) entry[key] = value;
      }
    }
    try {
      this.#write(JSON.stringify(entry) + "\n");
    } catch {
      // Logging never breaks what it logs.
    }
  }

  /** Writes a `debug` line; see {@linkcode JsonLogger.log}. */
  debug(msg: string, fields?: object): void {
    this.log("debug", msg, fields);
  }

  /** Writes an `info` line; see {@linkcode JsonLogger.log}. */
  info(msg: string, fields?: object): void {
    this.log("info", msg, fields);
  }

  /** Writes a `warn` line; see {@linkcode JsonLogger.log}. */
  warn(msg: string, fields?: object): void {
    this.log("warn", msg, fields);
  }

  /** Writes an `error` line; see {@linkcode JsonLogger.log}. */
  error(msg: string, fields?: object): void {
    this.log("error", msg, fields);
  }
}
