/**
 * The wire protocol between a host (`RemoteExecutor`) and the executor
 * service (`codemode serve`), described once as zod schemas and parsed on
 * both sides. One WebSocket carries one execution; every message is one JSON
 * text frame with a `type`:
 *
 * - host → service: `start` (the protocol version, the code, the limits asked
 *   for, a correlation id and trace headers), then one `tool_result` per
 *   `tool_call`, and `cancel` when the host gives up on the execution;
 * - service → host: `accepted` (the limits it applies, and what it clamped),
 *   `started` (a sandbox slot was free: the script runs now), `tool_call`s,
 *   `heartbeat`s while it runs, and last the `result`; or an `error` and the
 *   connection closed, when there is no execution to report on.
 *
 * The `start` and `accepted` messages carry the protocol version; a peer that
 * speaks another one is told so by name. Sizes are capped by the receiver
 * before a message is parsed (see {@linkcode startMessageCap},
 * {@linkcode serviceMessageCap}).
 *
 * @module
 */
import { z } from "zod";
import { measureJson } from "./host_bridge.ts";
import { executionResultSchema } from "./result.ts";
import type { ExecutionResult } from "./result.ts";

/** The version of this protocol; both `start` and `accepted` carry it. */
export const REMOTE_PROTOCOL_VERSION = 1;

/** The path of the service's WebSocket endpoint. */
export const REMOTE_EXECUTE_PATH = "/execute";

/** Longest execution id, correlation id or trace header value accepted, in characters. */
const MAX_ID_CHARS = 256;
/** Most trace headers one start may carry. */
const MAX_TRACE_HEADERS = 8;
/**
 * The deepest nesting of a message: a tool's input or result, or a script's
 * result, nests 128 levels at most (the sandbox's own bound), and the message
 * adds a few.
 */
export const MAX_MESSAGE_DEPTH = 160;
/** Longest tool error message a host may send back, in characters. */
export const MAX_TOOL_ERROR_CHARS = 65_536;

const executionId = z.string().min(1).max(MAX_ID_CHARS);
const callId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const limitValue = z.number().positive().max(2_147_483_647);

/** Limits by name, as the host asks for them or the service applies them. */
const limitsRecord = z.record(z.string().min(1).max(64), limitValue).refine(
  (r) => Object.keys(r).length <= 64,
  { message: "at most 64 limits" },
);

/** W3C trace context headers: lower-case names, bounded values. */
const traceHeaders = z.record(z.string().regex(/^[a-z0-9-]{1,64}$/), z.string().max(MAX_ID_CHARS * 4)).refine(
  (r) => Object.keys(r).length <= MAX_TRACE_HEADERS,
  { message: `at most ${MAX_TRACE_HEADERS} trace headers` },
);

/** `start`: the first message on a connection. */
export const StartMessage = z.strictObject({
  type: z.literal("start"),
  protocol: z.number().int(),
  executionId,
  code: z.string(),
  limits: limitsRecord,
  correlationId: z.string().min(1).max(MAX_ID_CHARS).optional(),
  traceHeaders: traceHeaders.optional(),
});

/** `tool_result`: the host's answer to one `tool_call`. */
export const ToolResultMessage = z.union([
  z.strictObject({
    type: z.literal("tool_result"),
    executionId,
    id: callId,
    ok: z.literal(true),
    value: z.unknown().optional(),
  }),
  z.strictObject({
    type: z.literal("tool_result"),
    executionId,
    id: callId,
    ok: z.literal(false),
    message: z.string().max(MAX_TOOL_ERROR_CHARS),
  }),
]);

/** `cancel`: the host gives up on the execution; the service kills it and still sends the result. */
export const CancelMessage = z.strictObject({ type: z.literal("cancel"), executionId });

/** Any message a host may send. */
export const HostMessage = z.union([StartMessage, ToolResultMessage, CancelMessage]);

/** A parsed host message. */
export type HostMessage = z.infer<typeof HostMessage>;
/** A parsed `start`. */
export type StartMessage = z.infer<typeof StartMessage>;
/** A parsed `tool_result`. */
export type ToolResultMessage = z.infer<typeof ToolResultMessage>;

/** A limit the service lowered to its ceiling: what was asked and what applies. */
export interface ClampedLimit {
  /** The limit's name, e.g. `timeoutMs`. */
  limit: string;
  /** What the host asked for. */
  asked: number;
  /** The service's ceiling, which applies. */
  applied: number;
}

const clampedLimit: z.ZodType<ClampedLimit> = z.strictObject({
  limit: z.string().max(64),
  asked: limitValue,
  applied: limitValue,
});

/** `accepted`: the start was valid; the limits that apply, and how often heartbeats come. */
export const AcceptedMessage = z.strictObject({
  type: z.literal("accepted"),
  protocol: z.number().int(),
  executionId,
  limits: limitsRecord,
  clamped: z.array(clampedLimit).max(64),
  heartbeatMs: z.number().int().min(1).max(3_600_000),
  maxToolResultChars: z.number().int().positive(),
});

/** `started`: a sandbox slot was free; the script runs now, under `timeoutMs`. */
export const StartedMessage = z.strictObject({ type: z.literal("started"), executionId });

/** `tool_call`: the script called a tool; the host runs it and answers with the same id. */
export const ToolCallMessage = z.strictObject({
  type: z.literal("tool_call"),
  executionId,
  id: callId,
  tool: z.string().max(512),
  input: z.unknown().optional(),
});

/** `heartbeat`: the execution is queued or running. */
export const HeartbeatMessage = z.strictObject({ type: z.literal("heartbeat") });

/** `result`: the last message of an execution. */
export const ResultMessage = z.strictObject({
  type: z.literal("result"),
  result: z.unknown(),
});

/** Why the service refused a connection without an execution to report on. */
export const SERVICE_ERROR_CODES = ["version", "malformed", "too_large", "unexpected", "closing", "timeout"] as const;

/** `error`: the service refuses the connection (no execution ran), then closes it. */
export const ErrorMessage = z.strictObject({
  type: z.literal("error"),
  protocol: z.number().int(),
  code: z.enum(SERVICE_ERROR_CODES),
  message: z.string().max(4096),
});

/** Any message the service may send. */
export const ServiceMessage = z.discriminatedUnion("type", [
  AcceptedMessage,
  StartedMessage,
  ToolCallMessage,
  HeartbeatMessage,
  ResultMessage,
  ErrorMessage,
]);

/** A parsed service message. */
export type ServiceMessage = z.infer<typeof ServiceMessage>;
/** A parsed `accepted`. */
export type AcceptedMessage = z.infer<typeof AcceptedMessage>;
/** A parsed `error`. */
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/**
 * The largest `start` a service takes, in characters: a script of
 * `maxCodeBytes`, every character JSON-escaped (at most 6 characters each),
 * and room for the rest.
 *
 * @param maxCodeBytes the service's ceiling on `maxCodeBytes`.
 * @returns the cap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startMessageCap } from "./remote.ts";
 * assert.equal(startMessageCap(100_000), 665_536);
 * ```
 */
export function startMessageCap(maxCodeBytes: number): number {
  return 6 * maxCodeBytes + 65_536;
}

/**
 * The largest message a host takes from the service, in characters, derived
 * from the limits the execution runs under: a result of `maxResultBytes`, the
 * logs (bounded by `maxLogBytes`, and their count by `maxOutputBytes`), the
 * tool-call trace, a tool call's input (`maxToolInputBytes`), all escaped.
 *
 * @param limits the execution's limits.
 * @returns the cap.
 */
export function serviceMessageCap(limits: {
  maxResultBytes: number;
  maxLogBytes: number;
  maxOutputBytes: number;
  maxToolCalls: number;
  maxToolInputBytes: number;
}): number {
  const result = 6 * (limits.maxResultBytes + limits.maxLogBytes) + limits.maxOutputBytes + 2048 * limits.maxToolCalls;
  return Math.max(result, limits.maxToolInputBytes) + 1_048_576;
}

/**
 * Parses one message's text with a schema, after checking its size, and
 * tells a message of another protocol version apart from a malformed one.
 *
 * @param text the frame's text.
 * @param schema the schema of what may come now.
 * @param maxChars the largest text accepted.
 * @returns the message, or why it was refused.
 */
export function parseMessage<T>(
  text: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: z.ZodError } },
  maxChars: number,
): { ok: true; message: T } | { ok: false; code: "too_large" | "malformed" | "version"; reason: string } {
  if (text.length > maxChars) {
    return { ok: false, code: "too_large", reason: `a message of ${text.length} characters, over ${maxChars}` };
  }
  const depth = measureJson(text).depth;
  if (depth > MAX_MESSAGE_DEPTH) {
    return { ok: false, code: "malformed", reason: `a message nested ${depth} levels deep, over ${MAX_MESSAGE_DEPTH}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: "malformed", reason: "a message that is not JSON" };
  }
  const version = (json as { protocol?: unknown } | null)?.protocol;
  if (typeof version === "number" && version !== REMOTE_PROTOCOL_VERSION) {
    return {
      ok: false,
      code: "version",
      reason: `protocol version ${version}, but this side speaks version ${REMOTE_PROTOCOL_VERSION}`,
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    const type = typeof (json as { type?: unknown } | null)?.type === "string"
      ? ` "${String((json as { type: string }).type).slice(0, 40)}"`
      : "";
    return {
      ok: false,
      code: "malformed",
      reason: `a malformed message${type}: ${issue?.message ?? "invalid"}${where}`,
    };
  }
  return { ok: true, message: parsed.data };
}

/**
 * Checks the `result` a service sent: a valid {@linkcode ExecutionResult}.
 *
 * @param value the `result` field of a `result` message.
 * @returns the result, or undefined when it is not one.
 */
export function parseRemoteResult(value: unknown): ExecutionResult | undefined {
  const parsed = executionResultSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
