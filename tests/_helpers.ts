// Shared fixtures for the tests: a few tools with observable behaviour.
import { z } from "zod";
import { type AnyTool, defineTool } from "../mod.ts";
import type { CliIo } from "../cli.ts";

/** Tools that record what they saw. */
export function fixtureTools(): {
  tools: AnyTool[];
  seen: {
    inFlight: number;
    maxInFlight: number;
    contexts: unknown[];
    aborted: number;
  };
} {
  const seen = {
    inFlight: 0,
    maxInFlight: 0,
    contexts: [] as unknown[],
    aborted: 0,
  };
  const tools = [
    defineTool({
      name: "weather.get",
      description: "Current weather for a city.",
      input: z.object({ city: z.string() }),
      output: z.object({ city: z.string(), tempC: z.number() }),
      handler: ({ city }) => ({ city, tempC: city.length * 5 }),
    }),
    defineTool({
      name: "time.sleep",
      input: z.object({ ms: z.number().int().min(0).max(5000) }),
      handler: async ({ ms }, ctx) => {
        seen.inFlight++;
        seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
        seen.contexts.push({ executionId: ctx.executionId, tool: ctx.tool });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          ctx.signal.addEventListener("abort", () => {
            seen.aborted++;
            clearTimeout(timer);
            resolve();
          });
        });
        seen.inFlight--;
        return { slept: ms };
      },
    }),
    defineTool({
      name: "fail.always",
      input: z.object({}),
      handler: () => {
        const e = new Error("database is down");
        e.stack = "Error: database is down\n    at secretHostFunction (/srv/host-secret-path.ts:1:1)";
        throw e;
      },
    }),
    defineTool({
      name: "fail.badOutput",
      input: z.object({}),
      output: z.object({ n: z.number() }),
      handler: () => ({ n: "not a number" }) as unknown as { n: number },
    }),
    defineTool({
      name: "slow.forever",
      input: z.object({}),
      timeoutMs: 100,
      handler: (_, ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener(
            "abort",
            () => reject(new Error("aborted")),
          )
        ),
    }),
  ];
  return { tools, seen };
}

/** A CLI io that records what the command writes. */
export function recordingIo(cwd: string, stdin = ""): {
  io: CliIo;
  out: () => string;
  err: () => string;
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (t: string) => void out.push(t),
      err: (t: string) => void err.push(t),
      readStdin: () => Promise.resolve(stdin),
      cwd,
    },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

/** What a finished process printed, and its exit code. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end with `stdin` as its whole input.
 *
 * @returns its exit code and output, as text.
 */
export async function runProgram(
  program: string,
  args: string[],
  options: { cwd?: string | URL; env?: Record<string, string>; stdin?: string } = {},
): Promise<Ran> {
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(options.stdin ?? ""));
  await writer.close();
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}
