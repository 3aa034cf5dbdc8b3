// Captured logs with a byte budget: past it, entries are cut and counted, and
// a visible marker says how much was dropped, so the JSON stays valid and the
// model knows the logs are incomplete.
import type { LogEntry, LogLevel } from "../src/rpc/result.ts";

export class LogBuffer {
  readonly #entries: LogEntry[] = [];
  readonly #maxBytes: number;
  readonly #started: number;
  #bytes = 0;
  #droppedBytes = 0;
  #droppedEntries = 0;

  readonly #onAdd: ((entry: LogEntry) => void) | undefined;

  /** `onAdd` hears of each entry kept, as it is kept (the live events of an execution). */
  constructor(maxBytes: number, started: number, onAdd?: (entry: LogEntry) => void) {
    this.#maxBytes = maxBytes;
    this.#started = started;
    this.#onAdd = onAdd;
  }

  add(level: LogLevel, text: string): void {
    const room = this.#maxBytes - this.#bytes;
    if (room <= 0) {
      this.#droppedBytes += text.length;
      this.#droppedEntries++;
      return;
    }
    const kept = text.length > room ? text.slice(0, room) : text;
    this.#droppedBytes += text.length - kept.length;
    this.#bytes += kept.length;
    const entry: LogEntry = { level, text: kept, atMs: Math.round(performance.now() - this.#started) };
    this.#entries.push(entry);
    this.#onAdd?.(entry);
  }

  entries(): LogEntry[] {
    if (this.#droppedBytes === 0) return this.#entries;
    const marker: LogEntry = {
      level: "warn",
      text: `[codemode] logs truncated: ${this.#droppedBytes} more characters` +
        ` (${this.#droppedEntries} entries dropped) over the ${this.#maxBytes}-byte limit (maxLogBytes)`,
      atMs: Math.round(performance.now() - this.#started),
    };
    return [...this.#entries, marker];
  }
}
