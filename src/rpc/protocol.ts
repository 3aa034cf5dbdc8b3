/**
 * The wire protocol between the host and the sandbox child, described once as
 * zod schemas. It is JSON-RPC 2.0, one message per line:
 *
 * - host → child (the child's stdin): first the per-execution nonce alone on
 *   a line (the child keeps its bytes off the JS heap), then a `run` request
 *   carrying the code, then responses to the child's tool calls;
 * - child → host (the child's stdout): `tools/call` requests, `tools/site`,
 *   `log`, `wait` and `done` notifications. Each line starts with the
 *   per-execution nonce the host sent in `run`, so bytes the script writes to
 *   stdout itself are never protocol.
 *
 * The prelude (`executor/sandbox/prelude.js`) writes these shapes by hand, as it
 * may import nothing; every frame it sends is parsed here on the host.
 *
 * @module
 */
import { z } from "zod";

const jsonrpc = z.literal("2.0");

/** `run`: the line after the nonce; the child waits for it before running anything. */
export interface RunParams {
  /** The script body (TypeScript). */
  code: string;
  /** The child truncates a larger result itself (the host enforces a hard cap too). */
  maxResultBytes: number;
  /** The child truncates a larger single log line itself. */
  maxLogLineBytes: number;
  /** The child refuses results and tool inputs nested deeper than this. */
  maxDepth: number;
  /**
   * Set only when the execution may pause for approval: the child records every value the script reads from
   * the clock or the random generator (up to `maxChars` characters of them, then it sends `"overflow"`) and
   * sends them with its next frame; on a resume it serves `replay` first, in order.
   */
  record?: { maxChars: number; replay: ReadEntry[] };
}

/**
 * One value the script read: `d` the date (`Date.now()`, `new Date()`, `Date()`), `p` `performance.now()`,
 * `r` `Math.random()` (numbers); `u` `crypto.randomUUID()`, `g` the bytes `crypto.getRandomValues()` filled,
 * in hex (strings).
 */
export type ReadEntry = ["d" | "p" | "r", number] | ["u" | "g", string];

/** The most values one frame may carry. */
export const MAX_READS_PER_FRAME = 100_000;

/** The most bytes one `crypto.getRandomValues` call fills (the Web Crypto quota). */
const MAX_RANDOM_BYTES = 65_536;

const readEntry = z.union([
  z.tuple([z.enum(["d", "p", "r"]), z.number()]),
  z.tuple([z.literal("u"), z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)]),
  z.tuple([z.literal("g"), z.string().max(MAX_RANDOM_BYTES * 2).regex(/^(?:[0-9a-f]{2})+$/)]),
]);

/**
 * The values the script read since the child's previous frame, or `"overflow"` once it recorded more
 * than it was allowed and stopped (the execution then cannot pause).
 */
export const Reads: z.ZodType<ReadEntry[] | "overflow"> = z.union([
  z.array(readEntry).max(MAX_READS_PER_FRAME),
  z.literal("overflow"),
]);

/** A tool call from the child. */
export const ToolCallFrame = z.object({
  jsonrpc,
  id: z.number().int().nonnegative(),
  method: z.literal("tools/call"),
  params: z.object({
    tool: z.string().max(512),
    input: z.unknown().optional(),
    reads: Reads.optional(),
  }).strict(),
}).strict();

/** The largest line or column the child may report: a script of the default `maxCodeBytes` has 100,000 at most. */
const MAX_POSITION = 10_000_000;

const position = z.number().int().min(1).max(MAX_POSITION);

/**
 * Where in the script a failed tool call was made: sent once its error
 * reached the script, so the host can add it to the trace. For display only.
 */
export const ToolSiteFrame = z.object({
  jsonrpc,
  method: z.literal("tools/site"),
  params: z.object({ id: z.number().int().nonnegative(), line: position, column: position }).strict(),
}).strict();

/** A log notification from the child. */
export const LogFrame = z.object({
  jsonrpc,
  method: z.literal("log"),
  params: z.object({
    level: z.enum(["log", "info", "warn", "error", "debug"]),
    text: z.string(),
  }).strict(),
}).strict();

/**
 * The child is about to block reading replies; it asks to be woken (an empty
 * line) after `ms`, when its next timer is due, unless a reply comes first.
 * While recording (see {@linkcode RunParams.record}) it sends one before every
 * block, with the values read since its previous frame; one without `ms` says
 * it cannot go on until a tool call is answered.
 */
export const WaitFrame = z.object({
  jsonrpc,
  method: z.literal("wait"),
  params: z.object({ ms: z.number().int().min(0).max(2_147_483_647).optional(), reads: Reads.optional() }).strict(),
}).strict();

/** An error as the child reports it. */
export const WireError = z.object({
  name: z.string().max(200),
  message: z.string(),
  stack: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
}).strict();

/** The final notification: the script returned or threw. */
export const DoneFrame = z.object({
  jsonrpc,
  method: z.literal("done"),
  params: z.union([
    z.object({
      ok: z.literal(true),
      result: z.unknown().optional(),
      truncatedBytes: z.number().int().optional(),
    }).strict(),
    z.object({ ok: z.literal(false), error: WireError }).strict(),
  ]),
}).strict();

/** Any frame the child may send. */
export const ChildFrame = z.discriminatedUnion("method", [
  ToolCallFrame,
  ToolSiteFrame,
  LogFrame,
  WaitFrame,
  DoneFrame,
]);

/** A parsed frame from the child. */
export type ChildFrame = z.infer<typeof ChildFrame>;

/** A parsed error from the child. */
export type WireError = z.infer<typeof WireError>;

/** The host's answer to one tool call. */
export type ToolReply =
  | { jsonrpc: "2.0"; id: number; result: unknown }
  | {
    jsonrpc: "2.0";
    id: number;
    error: { code: number; message: string; data?: { tool: string } };
  };

/** JSON-RPC error code for a failed tool call. */
export const TOOL_ERROR_CODE = -32000;
