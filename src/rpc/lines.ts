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
  // The unfinished line, as pieces: joined once its newline arrives, so a
  // long line costs linear, not quadratic, copying.
  #pieces: string[] = [];
  #partialLength = 0;
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
    const text = this.#decoder.decode(chunk, { stream: true });
    const nl = text.indexOf("\n");
    // The usual chunk: one whole line, nothing pending.
    if (nl >= 0 && nl === text.length - 1 && this.#pieces.length === 0) return [text.slice(0, nl)];
    if (nl < 0) {
      this.#keep(text);
      return [];
    }
    const lines = text.split("\n");
    const rest = lines.pop() ?? "";
    if (this.#pieces.length > 0) {
      this.#pieces.push(lines[0]);
      lines[0] = this.#pieces.join("");
      this.#pieces = [];
      this.#partialLength = 0;
    }
    this.#keep(rest);
    return lines;
  }

  /** Returns what is left (an unfinished last line), or `""`. */
  flush(): string {
    const rest = this.#pieces.join("") + this.#decoder.decode();
    this.#pieces = [];
    this.#partialLength = 0;
    return rest;
  }

  #keep(text: string): void {
    if (text === "") return;
    this.#partialLength += text.length;
    if (this.#partialLength > this.#maxLineBytes) {
      this.#pieces = [];
      this.#partialLength = 0;
      throw new LineTooLongError(`a line of output exceeded ${this.#maxLineBytes} bytes`);
    }
    this.#pieces.push(text);
  }
}
