/**
 * The approval fixture of the MCP abuse tests: a Codemode whose file tools
 * need approval and record what ran, its sandboxes marked by their heap flag.
 *
 * @module
 */
import { z } from "zod";
import { type AnyTool, Codemode, type CodemodeOptions, defineTool } from "../../mod.ts";

/** A Codemode whose `files.delete` and `files.write` need approval; `ran` holds the paths they ran for. */
export function guarded(
  memoryMb: number,
  extra: AnyTool[] = [],
  options: CodemodeOptions = {},
): { cm: Codemode; ran: unknown[] } {
  const ran: unknown[] = [];
  const tools = [
    defineTool({
      name: "files.delete",
      input: z.object({ path: z.string() }),
      needsApproval: true,
      handler: ({ path }) => (ran.push(path), `deleted ${path}`),
    }),
    defineTool({
      name: "files.write",
      input: z.object({ path: z.string(), text: z.string() }),
      needsApproval: true,
      handler: ({ path }) => (ran.push(path), "written"),
    }),
    ...extra,
  ];
  return { cm: new Codemode({ ...options, tools, limits: { memoryMb, ...options.limits } }), ran };
}
