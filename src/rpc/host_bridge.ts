/**
 * The host side of the bridge: turns the child's stdout lines into validated
 * frames or raw output. Transport-agnostic: it sees lines, not pipes.
 *
 * @module
 */
import { ChildFrame, TOOL_ERROR_CODE, type ToolReply } from "./protocol.ts";

/**
 * The deepest nesting a frame may have. The prelude refuses results and tool
 * inputs deeper than {@linkcode MAX_VALUE_DEPTH}; deeper frames are forged, and
 * would overflow the stack of recursive code on the host (`JSON.stringify`).
 */
export const MAX_FRAME_DEPTH = 160;

/** The deepest nesting of a result or tool input. */
export const MAX_VALUE_DEPTH = 128;

/** What one pass over a JSON text found, before it is parsed. */
export interface JsonShape {
  /** The deepest nesting of arrays and objects. */
  depth: number;
  /** Roughly how many values it holds: containers, elements and properties. */
  values: number;
}

/**
 * Measures a JSON text's nesting and size in values in one linear pass,
 * without parsing it or recursing, so that a frame can be refused before
 * `JSON.parse` builds it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureJson } from "./host_bridge.ts";
 * assert.deepEqual(measureJson('[[1],{"a":"[,"}]'), { depth: 2, values: 5 });
 * ```
 */
export function measureJson(json: string): JsonShape {
  let depth = 0;
  let deepest = 0;
  let values = 1;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      values++;
      if (++depth > deepest) deepest = depth;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44) values++;
  }
  return { depth: deepest, values };
}

/** What a line from the child turned out to be. */
export type ParsedLine =
  | { kind: "frame"; frame: ChildFrame; raw?: string; shape: JsonShape }
  | { kind: "raw"; text: string }
  | { kind: "invalid"; reason: string; raw?: string };

/**
 * Classifies one stdout line. Only text after the nonce is protocol; text
 * before it (a script's raw `Deno.stdout` write without a newline) is raw
 * output, and so is every line without the nonce.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChildLine } from "./host_bridge.ts";
 * assert.equal(parseChildLine("hello", "N").kind, "raw");
 * const p = parseChildLine('N{"jsonrpc":"2.0","method":"log","params":{"level":"log","text":"x"}}', "N");
 * assert.equal(p.kind, "frame");
 * ```
 */
export function parseChildLine(line: string, nonce: string): ParsedLine {
  const at = line.indexOf(nonce);
  if (at < 0) return { kind: "raw", text: line };
  const raw = at > 0 ? line.slice(0, at) : undefined;
  const text = line.slice(at + nonce.length);
  const shape = measureJson(text);
  if (shape.depth > MAX_FRAME_DEPTH) {
    return { kind: "invalid", reason: `a frame nests deeper than ${MAX_FRAME_DEPTH} levels`, raw };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "invalid", reason: "a protocol line is not JSON", raw };
  }
  const call = plainToolCall(json);
  if (call) return { kind: "frame", frame: call, raw, shape };
  const parsed = ChildFrame.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: "invalid",
      reason: `malformed frame: ${issue?.message ?? "invalid"}`,
      raw,
    };
  }
  return { kind: "frame", frame: parsed.data, raw, shape };
}

/**
 * A tool call frame, checked by hand: the one frame a script sends a
 * thousand times a second, for which zod's validation cost about as much as
 * the rest of the host's work on the call. It accepts exactly what
 * `ToolCallFrame` (`protocol.ts`) accepts, and no more (`host_bridge_test.ts`
 * holds the two against each other); anything it does not accept, zod
 * looks at, and explains.
 *
 * @param json a parsed line.
 * @returns the frame, or `undefined` to leave it to zod.
 */
export function plainToolCall(json: unknown): ChildFrame | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const f = json as Record<string, unknown>;
  if (f.method !== "tools/call" || f.jsonrpc !== "2.0") return undefined;
  const { id, params } = f;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) return undefined;
  if (typeof params !== "object" || params === null || Array.isArray(params)) return undefined;
  const p = params as Record<string, unknown>;
  const { tool } = p;
  if (typeof tool !== "string" || tool.length > 512) return undefined;
  // Strict, as zod's: no other own key, `__proto__` included (JSON.parse makes it an own key).
  const keys = Object.keys(f);
  if (keys.length !== 4 || !Object.hasOwn(f, "id") || !Object.hasOwn(f, "params")) return undefined;
  const paramKeys = Object.keys(p);
  const hasInput = Object.hasOwn(p, "input");
  if (paramKeys.length !== (hasInput ? 2 : 1)) return undefined;
  return { jsonrpc: "2.0", id, method: "tools/call", params: hasInput ? { tool, input: p.input } : { tool } };
}

/**
 * Encodes the host's reply to tool call `id` as one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeReply } from "./host_bridge.ts";
 * assert.equal(encodeReply(1, { ok: true, value: 2 }), '{"jsonrpc":"2.0","id":1,"result":2}\n');
 * ```
 */
export function encodeReply(
  id: number,
  outcome: { ok: true; value: unknown } | {
    ok: false;
    tool: string;
    message: string;
  },
): string {
  const reply: ToolReply = outcome.ok ? { jsonrpc: "2.0", id, result: outcome.value ?? null } : {
    jsonrpc: "2.0",
    id,
    error: {
      code: TOOL_ERROR_CODE,
      message: outcome.message,
      data: { tool: outcome.tool },
    },
  };
  return JSON.stringify(reply) + "\n";
}
