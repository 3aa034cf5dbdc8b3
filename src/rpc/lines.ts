/**
 * Splits a byte stream into lines without ever buffering more than a cap.
 *
 * @module
 */

/** Thrown by {@linkcode LineSplitter.push} when a line grows past the cap. */
export class LineTooLongError extends Error {
  override name = "LineTooLongError";
}

/**
 * Splits pushed chunks on `\n`. A line longer than `maxLineBytes` throws
 * instead of growing the buffer, so a child that never writes a newline
 * cannot make the host buffer without bound.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineSplitter } from "./lines.ts";
 * const s = new LineSplitter(100);
 * assert.deepEqual(s.push(new TextEncoder().encode("a\nb")), ["a"]);
 * assert.deepEqual(s.push(new TextEncoder().encode("c\n")), ["bc"]);
 * ```
 */
export class LineSplitter {
  #decoder = new TextDecoder();
  #partial = "";
  #maxLineBytes: number;

  /** @param maxLineBytes the longest line accepted, in bytes. */
  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /**
   * Adds a chunk and returns the lines it completed.
   * @throws {LineTooLongError} when the unfinished line exceeds the cap.
   */
  push(chunk: Uint8Array): string[] {
    const text = this.#partial + this.#decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    if (this.#partial.length > this.#maxLineBytes) {
      this.#partial = "";
      throw new LineTooLongError(
        `a line of output exceeded ${this.#maxLineBytes} bytes`,
      );
    }
    return lines;
  }

  /** Returns what is left (an unfinished last line), or `""`. */
  flush(): string {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = "";
    return rest;
  }
}
