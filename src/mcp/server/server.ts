/**
 * Codemode as an MCP server: the tools `execute_code`, `search_tools`,
 * `get_tool_types` and (for an instance that can pause for approval)
 * `resume_execution`, and the tool declarations as resources, on an
 * official SDK v2 `McpServer`, which speaks both protocol eras (2025-era
 * `initialize` sessions and 2026-07-28 `server/discover`).
 *
 * @module
 */
import {
  type CallToolResult,
  type InputRequiredResult,
  McpServer,
  type RegisteredTool,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import denoJson from "../../../deno.json" with { type: "json" };
import { type ExecutionResult, executionResultShape } from "../../rpc/result.ts";
import { registerResume, type Resumable, type Serve, toolResult } from "./_resume.ts";
import type { Limits } from "../../limits.ts";
import { DEFAULT_MAX_CHARS } from "../../format.ts";
import type { CatalogEntry } from "../../typegen/catalog.ts";
import { Discovery, MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY_CHARS, MAX_TYPES_NAMES } from "../../typegen/discovery.ts";
import { executeDescription, instructions, matchesText, namespacesSummary } from "./_text.ts";
import { MAX_NAME_CHARS, registerTypeResources } from "./resources.ts";
import type { McpLogger } from "./log.ts";
import type { Approver } from "../../tools/approval.ts";
import { askingRequest, elicitationApprover, type ElicitingRequest } from "./_approval.ts";
import { DEFAULT_MAX_WAITING, isModernEra, type StartExecution, WaitingExecutions } from "./_input_required.ts";
import { isCorrelationId } from "../../observe.ts";
import type { ExecutionEventHandler } from "../../events.ts";
import { liveReport, type McpLogLevel, trackLogLevel } from "./_live.ts";

/** The part of `Codemode` the server uses; a `Codemode` is one. */
export interface CodemodeServerLike {
  /** Loads the tools of every tool source. */
  loadTools(): Promise<void>;
  /** Every tool the model may see (denied tools are left out). */
  catalog(): CatalogEntry[];
  /** Runs a script; never throws for anything the script does. */
  execute(
    code: string,
    options?: {
      signal?: AbortSignal;
      limits?: Partial<Limits>;
      approver?: Approver;
      correlationId?: string;
      principal?: string;
      typecheck?: boolean;
      onEvent?: ExecutionEventHandler;
    },
  ): Promise<ExecutionResult>;
  /** The effective limits. */
  readonly limits: Readonly<Limits>;
  /**
   * Whether executions can pause for approval; with `resume`, a client that cannot answer elicitation gets
   * paused results and the `resume_execution` tool.
   */
  readonly canPause?: boolean;
  /** Whether a call could need approval now (`Codemode.asksApproval`); without it, assumed so. */
  asksApproval?(): boolean;
  /** Continues a paused execution (`Codemode.resume`). */
  resume?(
    continuation: string,
    decisions: Record<string, { approved: true } | { approved: false; reason?: string }>,
    options?: { signal?: AbortSignal; limits?: Partial<Limits>; approver?: Approver; principal?: string },
  ): Promise<ExecutionResult>;
  /**
   * Whether the instance has an approver of its own, which then decides; without
   * one, calls that need approval are put to the client's user (MCP elicitation).
   */
  readonly hasApprover?: boolean;
  /**
   * Calls the listener when the catalogue may have changed; returns what removes it. Without it,
   * the namespaces a connected client was told of are not refreshed.
   */
  onCatalogChange?(listener: () => void): () => void;
}

/**
 * An MCP transport of the SDK v2 (`StdioServerTransport`,
 * `WebStandardStreamableHTTPServerTransport`, `InMemoryTransport`, …), by
 * the members a server uses.
 */
export interface McpTransport {
  /** Starts receiving messages. */
  start(): Promise<void>;
  /** Sends a JSON-RPC message. */
  send(message: unknown, options?: unknown): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
  /** Called when the connection closed. */
  onclose?: () => void;
  /** Called on a transport error. */
  onerror?: (error: Error) => void;
  /** Called with each received JSON-RPC message. */
  onmessage?(message: unknown, extra?: unknown): void;
  /** The session id, for transports that have sessions. */
  sessionId?: string;
}

/**
 * The server {@linkcode createMcpServer} returns: at run time the SDK v2's
 * `McpServer` (from `@modelcontextprotocol/server`), so `server as McpServer`
 * is safe when you want to register more tools; typed here by the members
 * most callers need.
 */
export interface CodemodeMcpServer {
  /** Attaches to a transport and starts it; one server per connection (per HTTP session). */
  connect(transport: McpTransport): Promise<void>;
  /** Closes the connection; requests in flight are aborted, which kills their executions. */
  close(): Promise<void>;
  /** Whether it is attached to a transport. */
  isConnected(): boolean;
}

/** Options of {@linkcode createMcpServer}. */
export interface McpServerOptions {
  /** The server's name in `initialize` and `server/discover`. @default {"codemode"} */
  name?: string;
  /** Limits for every script, over the instance's. */
  limits?: Partial<Limits>;
  /** Longest the result JSON, and separately the logs, may be in the text the model reads. @default {20000} */
  maxChars?: number;
  /** Receives log events (executions, failures); nothing is written to stdout. */
  log?: McpLogger;
  /** Told of every execution as it starts, e.g. to wait for it on shutdown. */
  onExecution?: (running: Promise<ExecutionResult>) => void;
  /** Copied into every log event, e.g. the HTTP session id. */
  logContext?: Record<string, unknown>;
  /**
   * Longest wait for the answer to one approval question, in ms: a 2025-era
   * client's `elicitation/create`, or a 2026-07-28 client's retry of
   * `execute_code` after `input_required`. Then the call is refused; a
   * 2026-07-28 execution is also killed, since no one would read its result.
   * The script's own timeout ends every wait in any case.
   * @default {the script timeout, `limits.timeoutMs`}
   */
  approvalTimeoutMs?: number;
  /**
   * Most 2026-07-28 executions waiting for their client's answer at once (per
   * stdio connection; per HTTP endpoint). Past it, a call that needs approval
   * is refused without asking. @default {16}
   */
  maxWaitingExecutions?: number;
  /**
   * Whether a script whose client cannot answer elicitation pauses (the result lists the calls that wait, with
   * a continuation, and `resume_execution` continues it) where the instance can pause. `false` refuses such
   * calls and serves no `resume_execution`: for agents with no person behind their MCP client, which could
   * otherwise approve their own calls. @default {true}
   */
  pause?: boolean;
}

/** The names of the tools the server exposes (`resume_execution` only for an instance that can pause). */
export const MCP_TOOL_NAMES: readonly ["execute_code", "search_tools", "get_tool_types", "resume_execution"] = [
  "execute_code",
  "search_tools",
  "get_tool_types",
  "resume_execution",
];

const MATCH = z.object({ name: z.string(), score: z.number(), signature: z.string(), description: z.string() });

/**
 * Builds an SDK `McpServer` whose tools run scripts against `codemode` and
 * let the model discover its tools, without putting the whole catalogue in
 * the prompt. Tool sources are loaded first, so the description of
 * `execute_code` can name the namespaces; when they change later (an upstream
 * server's tools changed), the description is refreshed and the client is
 * sent `notifications/tools/list_changed` and `notifications/resources/list_changed`.
 * Connect it to one transport (one server per connection).
 *
 * - `execute_code({ code })`: runs the script; text is `formatResultForModel`,
 *   `structuredContent` the result; `isError` when the script did not complete.
 *   When the client cancels the request, the execution is killed. A call that
 *   needs approval is put to the client's user (elicitation; see `./_approval.ts`)
 *   unless `codemode` has an approver of its own: a 2025-era client is sent
 *   `elicitation/create`, a 2026-07-28 client gets `input_required` and sends the
 *   call again with the answer while the execution waits (`./_input_required.ts`).
 *   A client that cannot answer elicitation gets a paused result (the calls that
 *   wait and a continuation; not `isError`), where the instance can pause.
 * - `resume_execution({ continuation, decisions })`: continues a paused script
 *   with the user's decisions (`./_resume.ts`); only for an instance that can pause,
 *   and listed only while a tool may need approval (it costs the model tokens).
 * - `search_tools({ query, limit? })`: ranked matches with one-line signatures.
 * - `get_tool_types({ names })`: declarations of tools or namespaces.
 * - resources `codemode://namespaces` and `codemode://types/{namespace}`: the same declarations.
 *
 * @param codemode the instance whose tools scripts call (a `Codemode`).
 * @param options limits, result size, logging.
 * @returns the server, not yet connected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Codemode } from "../../../mod.ts";
 * import { createMcpServer } from "./mod.ts";
 * await using cm = new Codemode();
 * const server = await createMcpServer(cm);
 * assert.equal(server.isConnected(), false);
 * ```
 */
export async function createMcpServer(
  codemode: CodemodeServerLike,
  options: McpServerOptions = {},
): Promise<CodemodeMcpServer> {
  await loadAll(codemode, logger(options));
  return buildServer(codemode, options, { live: true });
}

/** How {@linkcode buildServer} builds a server. */
export interface BuildOptions {
  /**
   * Whether the server lives as long as a connection (stdio, a 2025-era HTTP
   * session): it then follows catalogue changes until it closes. A server
   * built for one 2026-07-28 HTTP request does not.
   */
  live: boolean;
  /**
   * Where 2026-07-28 executions wait for their client's answer: shared by the
   * servers of one HTTP endpoint, since each request gets its own. Without it
   * the server keeps its own, ended with it.
   */
  waiting?: WaitingExecutions;
}

/**
 * Builds the server from the catalogue as it is now, without loading tool
 * sources (the serving entry has loaded them once). Internal to the MCP server.
 *
 * @param codemode the instance whose tools scripts call.
 * @param options limits, result size, logging.
 * @param build whether the server follows catalogue changes.
 * @returns the server, typed as the SDK's `McpServer`.
 */
export function buildServer(codemode: CodemodeServerLike, options: McpServerOptions, build: BuildOptions): McpServer {
  const log = logger(options);
  const catalog = codemode.catalog();
  const server = new McpServer(
    { name: options.name ?? "codemode", version: denoJson.version },
    { maxToolInputElements: 1_000, instructions: instructions(catalog), capabilities: { logging: {} } },
  );
  const logLevel = trackLogLevel(server);
  let own: WaitingExecutions | undefined;
  const waiting = () => build.waiting ?? (own ??= waitingExecutions(codemode, options));
  onClose(server, () => void own?.close());
  const { tool: execute, serve } = registerExecute(server, codemode, options, log, catalog, waiting, logLevel);
  registerDiscovery(server, codemode, log);
  // resume_execution is listed only while a call could need approval: it costs every client's model tokens.
  let resume = serve && (codemode.asksApproval?.() ?? true)
    ? registerResume(server, codemode as Resumable, serve)
    : undefined;
  registerTypeResources(server, codemode, () => loadAll(codemode, log));
  if (build.live && codemode.onCatalogChange) {
    let shown = namespacesSummary(catalog);
    const stop = codemode.onCatalogChange(() => {
      if (serve && !resume && codemode.asksApproval?.()) resume = registerResume(server, codemode as Resumable, serve);
      const now = codemode.catalog();
      if (namespacesSummary(now) === shown) return;
      shown = namespacesSummary(now);
      execute.update({ description: executeDescription(now) }); // sends tools/list_changed
      server.sendResourceListChanged();
    });
    onClose(server, stop);
  }
  return server;
}

/** Adds `listener` to what runs when the server's connection closes. */
function onClose(server: McpServer, listener: () => void): void {
  const before = server.server.onclose;
  server.server.onclose = () => {
    listener();
    before?.();
  };
}

/**
 * Where the 2026-07-28 executions of servers built with these options wait
 * for their clients' answers. Internal to the MCP server.
 *
 * @param codemode the instance (for the script timeout).
 * @param options the approval timeout, the cap, the log.
 * @returns an empty table.
 */
export function waitingExecutions(codemode: CodemodeServerLike, options: McpServerOptions): WaitingExecutions {
  return new WaitingExecutions({
    timeoutMs: approvalTimeoutMs(codemode, options),
    maxWaiting: options.maxWaitingExecutions ?? DEFAULT_MAX_WAITING,
    log: logger(options),
  });
}

function approvalTimeoutMs(codemode: CodemodeServerLike, options: McpServerOptions): number {
  return options.approvalTimeoutMs ?? options.limits?.timeoutMs ?? codemode.limits.timeoutMs;
}

function registerExecute(
  server: McpServer,
  codemode: CodemodeServerLike,
  options: McpServerOptions,
  log: McpLogger,
  catalog: CatalogEntry[],
  waiting: () => WaitingExecutions,
  logLevel: () => McpLogLevel | undefined,
): { tool: RegisteredTool; serve: Serve | undefined } {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const maxCodeBytes = options.limits?.maxCodeBytes ?? codemode.limits.maxCodeBytes;
  const timeoutMs = approvalTimeoutMs(codemode, options);
  const pausable = options.pause !== false && codemode.canPause === true && typeof codemode.resume === "function";
  /** Runs one execution; its approver (unless the instance has its own) asks through `asker`. */
  const run = async (signal: AbortSignal, asker: ElicitingRequest, caller: Caller, start: Start) => {
    const approver = codemode.hasApprover ? undefined : elicitationApprover(asker, { timeoutMs, pausable });
    const running = start(signal, { limits: options.limits, approver, ...caller });
    options.onExecution?.(running);
    const result = await running;
    log({
      level: result.ok || result.paused ? "info" : "warn",
      event: "execute",
      executionId: result.executionId,
      correlationId: result.correlationId,
      stopReason: result.stopReason,
      durationMs: Math.round(result.durationMs),
      toolCalls: result.toolCalls.length,
      ...(result.paused ? { pending: result.paused.pending.length } : {}),
      cancelled: signal.aborted,
    });
    return toolResult(result, maxChars);
  };
  const serve: Serve = async (ctx, code, start) => {
    const modern = isModernEra(server.server.getNegotiatedProtocolVersion());
    // Progress and log lines go to the request that started the execution, and end with its response.
    const live = liveReport(ctx, modern ? undefined : logLevel);
    const caller = callerOf(ctx, log);
    try {
      // A 2026-07-28 client is asked with input_required and answers in a retry: the execution waits across
      // requests, and each request hears of it until its own response.
      if (modern) {
        const begin: StartExecution = (asker, signal, onEvent) => run(signal, asker, { ...caller, onEvent }, start);
        return await waiting().serve(ctx, code, begin, live?.onEvent);
      }
      // A 2025-era client is asked on this request's stream, while the call waits.
      const onEvent = live?.onEvent;
      return await run(
        ctx.mcpReq.signal,
        askingRequest(server, ctx),
        { ...caller, ...(onEvent ? { onEvent } : {}) },
        start,
      );
    } finally {
      await live?.close(!ctx.mcpReq.signal.aborted);
    }
  };
  const tool = server.registerTool("execute_code", {
    title: "Run a TypeScript script against the tools",
    description: executeDescription(catalog),
    inputSchema: executeInput(maxCodeBytes),
    outputSchema: z.object(executionResultShape),
    annotations: { readOnlyHint: false, openWorldHint: true },
  }, async ({ code, typecheck }, ctx): Promise<CallToolResult | InputRequiredResult> => {
    return await serve(
      ctx,
      code,
      (signal, start) =>
        codemode.execute(code, { signal, ...start, ...(typecheck !== undefined ? { typecheck } : {}) }),
    );
  });
  return { tool, serve: pausable ? serve : undefined };
}

/** Who calls `execute_code` or `resume_execution`, for the execution: its correlation id and principal. */
function callerOf(ctx: ServerContext, log: McpLogger): Caller {
  const correlationId = requestId(ctx.http?.req, log);
  return {
    ...(correlationId !== undefined ? { correlationId } : {}),
    principal: ctx.sessionId ? `mcp-session:${ctx.sessionId}` : ctx.http ? "mcp-http" : "mcp-stdio",
  };
}

/** The input of `execute_code`. */
function executeInput(maxCodeBytes: number) {
  return z.object({
    code: z.string().min(1).max(maxCodeBytes).describe(
      "The body of an async TypeScript function: top-level `await`, `await tools.<namespace>.<tool>(input)`, and `return` the answer.",
    ),
    typecheck: z.boolean().optional().describe(
      "Type-check the script against the tools' declarations first; on an error nothing runs and the diagnostics name the line, tool and field. Default: the server's setting.",
    ),
  });
}

/** Who made a request, for the execution it starts, and who hears of it as it runs. */
type Caller = { correlationId?: string; principal: string; onEvent?: ExecutionEventHandler };
type Start = Parameters<Serve>[2];

function registerDiscovery(server: McpServer, codemode: CodemodeServerLike, log: McpLogger): void {
  server.registerTool("search_tools", {
    title: "Find tools by keywords",
    description:
      'Finds the tools a script can call, by keywords (e.g. "list issues"), best first, each with a one-line TypeScript signature. Use get_tool_types for the full declarations.',
    inputSchema: z.object({
      query: z.string().min(1).max(MAX_SEARCH_QUERY_CHARS).describe(
        "Keywords: what the tool does, its name or namespace.",
      ),
      limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional().describe("The most results (default 10)."),
    }),
    outputSchema: z.object({ matches: z.array(MATCH) }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async ({ query, limit }): Promise<CallToolResult> => {
    await loadAll(codemode, log);
    const discovery = new Discovery(codemode.catalog());
    const matches = discovery.search(query, limit ?? 10);
    return {
      content: [{ type: "text", text: matchesText(matches, query, discovery) }],
      structuredContent: { matches },
    };
  });

  server.registerTool("get_tool_types", {
    title: "Get TypeScript declarations of tools",
    description:
      'Returns the full TypeScript declarations (input and output types, docs) of tools or whole namespaces, e.g. ["github"] or ["weather.get"]. The same declarations are resources: codemode://types/<namespace>.',
    inputSchema: z.object({
      names: z.array(z.string().min(1).max(MAX_NAME_CHARS)).min(1).max(MAX_TYPES_NAMES).describe(
        "Tool names (`weather.get`) or namespaces (`github`, `github.issues`).",
      ),
    }),
    outputSchema: z.object({ declarations: z.string(), unknown: z.array(z.string()) }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async ({ names }): Promise<CallToolResult> => {
    await loadAll(codemode, log);
    const discovery = new Discovery(codemode.catalog());
    const { declarations, unknown } = discovery.lookup(names);
    const note = unknown.length > 0 ? discovery.unknownNote(unknown) : "";
    return {
      content: [{ type: "text", text: [note, declarations].filter(Boolean).join("\n\n") }],
      structuredContent: { declarations, unknown: unknown.map((u) => u.name) },
      ...(declarations ? {} : { isError: true }),
    };
  });
}

/**
 * Loads every tool source; one that fails is logged, and the others are still served.
 *
 * @param codemode the instance.
 * @param log where a failure is logged.
 */
export async function loadAll(codemode: CodemodeServerLike, log: McpLogger): Promise<void> {
  try {
    await codemode.loadTools();
  } catch (e) {
    log({ level: "warn", event: "tools_unavailable", message: (e as Error).message });
  }
}

/**
 * The logger of a server's options, with its `logContext` in every event.
 *
 * @param options the server's options.
 * @returns the logger.
 */
export function logger(options: McpServerOptions): McpLogger {
  return (e) => options.log?.({ ...e, ...options.logContext });
}

/**
 * The correlation id an HTTP request carries in `X-Request-Id`, when it is a valid one
 * (`isCorrelationId`); an invalid one is logged by its length only, never echoed.
 */
function requestId(req: Request | undefined, log: McpLogger): string | undefined {
  const value = req?.headers.get("x-request-id") ?? undefined;
  if (value === undefined || isCorrelationId(value)) return value;
  log({ level: "warn", event: "request_id_invalid", length: value.length });
  return undefined;
}
