// One sandbox child process, behind the little the executor needs of it:
// write lines to its stdin, hear its stdout and stderr as chunks, know when it
// is ready and when it ended, kill its whole process group.
//
// It is started with `node:child_process`, whose pipes Deno reads in a native
// loop that calls back into JavaScript once per chunk: a tool call's round
// trip costs the host about a third of the CPU time it costs through
// `Deno.Command`'s web streams (18–22 µs against 56 µs on a 2-core VM,
// `tests/bench/`). The child is the same either way: the same program,
// arguments, environment (nothing is added: `/usr/bin/env` started so prints
// an empty environment) and working dir, and its own session and process
// group (see `_kernel_guard.ts`). A host without `--allow-env` (Deno's `node:child_process` reads
// `NODE_V8_COVERAGE`) starts its children with `Deno.Command` instead.
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import type { Buffer } from "node:buffer";
import { childrenOf, killWall, processTree } from "./_wall_processes.ts";

/** How a child ended, as `Deno.CommandStatus` says it. */
export interface ChildExit {
  success: boolean;
  code: number;
  signal: Deno.Signal | null;
}

/** What to start: the program (a kernel guard or `deno`), its arguments, working dir and whole environment. */
export interface SpawnSpec {
  program: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Whether the spawn itself makes the child lead its own session (false when a `setsid` wrapper does). */
  detached: boolean;
  /**
   * Whether the program is the OS wall (bwrap): Deno then runs two processes
   * below the one spawned, and its death by signal N reaches the host as exit
   * code 128 + N.
   */
  walled?: boolean;
}

/**
 * The prelude writes this one byte on stdout each time it waits for its
 * code (once, and once more after each warm-up the pool asks for): before
 * any code of the script can run, so nothing a script writes can pass for
 * it. The marks the host expects are taken off the stream here; the run
 * never sees them.
 */
const READY_MARK = 10;

/** Bytes a child may write before anyone listens (Deno's own startup warnings, say); past it, it is killed. */
const MAX_UNHEARD_BYTES = 64 * 1024;

type Sink = (chunk: Uint8Array) => void;

/** A started sandbox child. */
export abstract class SandboxChild {
  /** The pid of the process spawned (it leads its own process group, unless it is the OS wall). */
  abstract readonly pid: number;
  /** Whether the child runs inside the OS wall. */
  abstract readonly walled: boolean;
  /** Resolves once the child ended: after its exit and the end of its output. */
  readonly exited: Promise<ChildExit>;
  /**
   * Resolves true once the prelude waits for its code (its ready mark came),
   * false when the child ended first or wrote something else first.
   */
  readonly ready: Promise<boolean>;
  #ended = false;
  #marks: Array<PromiseWithResolvers<boolean>> = [Promise.withResolvers<boolean>()];
  #marksSeen = 0;
  #ending = Promise.withResolvers<ChildExit>();
  #sinks: { stdout?: Sink; stderr?: Sink } = {};
  #unheard: Array<["stdout" | "stderr", Uint8Array]> = [];
  #unheardBytes = 0;
  #inner: { init: number; deno?: number } | undefined;

  constructor() {
    this.ready = this.#marks[0].promise;
    this.exited = this.#ending.promise;
  }

  /**
   * Expects one more ready mark (the pool wrote the line that asks for a
   * warm-up): resolves true when it comes, false when the child ended or
   * wrote something else first.
   */
  expectMark(): Promise<boolean> {
    const mark = Promise.withResolvers<boolean>();
    if (this.#ended || this.#marksSeen < this.#marks.length - 1) mark.resolve(false);
    this.#marks.push(mark);
    return mark.promise;
  }

  /** Whether the child has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * The host pid of the process that runs Deno: the spawned one, or inside
   * the wall the one two levels below it, once it exists.
   */
  denoPid(): number | undefined {
    if (!this.walled) return this.pid;
    return this.#inside()?.deno;
  }

  /** Every process of the child (the wall's and Deno's), parents first. */
  processes(): number[] {
    return this.walled ? processTree(this.pid) : [this.pid];
  }

  /** Where stdout and stderr chunks go from now on; what came before is handed over first. */
  listen(stdout: Sink, stderr: Sink): void {
    this.#sinks = { stdout, stderr };
    const unheard = this.#unheard.splice(0);
    this.#unheardBytes = 0;
    for (const [stream, chunk] of unheard) this.#sinks[stream]!(chunk);
  }

  /** Writes text to the child's stdin; a child that is gone makes it a no-op. */
  abstract write(text: string): void;
  /** Closes the child's stdin. */
  abstract closeStdin(): void;
  /** Keeps the host's event loop alive while the child lives (the default). */
  abstract ref(): void;
  /** Lets the host's event loop end while the child lives (an idle pooled child); `unload` still kills it. */
  abstract unref(): void;
  /** The child's own kill, for a host not allowed to signal a process group. */
  protected abstract killChild(): void;

  /**
   * Kills the child's whole process group (it leads its own); a host not
   * allowed to signal other processes (`Deno.kill` needs `--allow-run`)
   * still kills its own child. Inside the OS wall, see {@linkcode killWall}.
   */
  kill(): void {
    if (this.#ended) return;
    if (this.walled) return killWall(this.pid, () => this.killChild());
    try {
      Deno.kill(-this.pid, "SIGKILL");
    } catch {
      try {
        this.killChild();
      } catch { /* already gone */ }
    }
  }

  // Inside the wall: its init (the PID namespace's pid 1, below the bwrap
  // spawned) and Deno (pid 2, below the init), as far as they exist yet.
  #inside(): { init: number; deno?: number } | undefined {
    if (this.#inner?.deno !== undefined) return this.#inner;
    const init = this.#inner?.init ?? childrenOf(this.pid)[0];
    if (init === undefined) return undefined;
    const deno = childrenOf(init)[0];
    return this.#inner = deno === undefined ? { init } : { init, deno };
  }

  protected output(stream: "stdout" | "stderr", chunk: Uint8Array): void {
    if (stream === "stdout" && this.#marksSeen < this.#marks.length) {
      chunk = this.#takeMarks(chunk);
      if (chunk.length === 0) return;
    }
    const sink = this.#sinks[stream];
    if (sink) return sink(chunk);
    this.#unheardBytes += chunk.length;
    if (this.#unheardBytes > MAX_UNHEARD_BYTES) return this.kill();
    this.#unheard.push([stream, chunk]);
  }

  protected end(exit: ChildExit): void {
    if (this.walled) exit = unwrapped(exit);
    this.#ended = true;
    for (const mark of this.#marks) mark.resolve(false);
    this.#ending.resolve(exit);
  }

  // Takes the expected ready marks off the front of the stream. Anything
  // else first means no more will come: they are all given up.
  #takeMarks(chunk: Uint8Array): Uint8Array {
    while (chunk.length > 0 && this.#marksSeen < this.#marks.length) {
      if (chunk[0] !== READY_MARK) {
        for (const mark of this.#marks.splice(this.#marksSeen)) mark.resolve(false);
        break;
      }
      // Deno is up: inside the wall its host pid is found now, not on an execution's path (its memory checks).
      if (this.#marksSeen === 0 && this.walled) this.#inside();
      this.#marks[this.#marksSeen++].resolve(true);
      chunk = chunk.subarray(1);
    }
    return chunk;
  }
}

class NodeChild extends SandboxChild {
  readonly pid: number;
  readonly walled: boolean;
  readonly #proc: ChildProcess;

  constructor(spec: SpawnSpec) {
    super();
    this.walled = spec.walled === true;
    this.#proc = spawn(spec.program, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: spec.detached,
    });
    if (this.#proc.pid === undefined) {
      this.#proc.on("error", () => {});
      throw new Deno.errors.NotFound(`Failed to spawn '${spec.program}'`);
    }
    this.pid = this.#proc.pid;
    const { stdin, stdout, stderr } = this.#proc;
    // A child that is gone makes its pipes fail (EPIPE): that is its exit's business, not an error of the host.
    for (const stream of [stdin, stdout, stderr]) stream!.on("error", () => {});
    this.#proc.on("error", () => {});
    stdout!.on("data", (chunk: Buffer) => this.output("stdout", chunk));
    stderr!.on("data", (chunk: Buffer) => this.output("stderr", chunk));
    const exit = Promise.withResolvers<ChildExit>();
    this.#proc.on("exit", (code, signal) => exit.resolve(exitOf(code, signal)));
    // "close" comes once the process exited and both its pipes ended.
    this.#proc.on("close", () => void exit.promise.then((e) => this.end(e)));
  }

  write(text: string): void {
    const stdin = this.#proc.stdin!;
    if (!stdin.destroyed && stdin.writable) stdin.write(text);
  }

  closeStdin(): void {
    this.#proc.stdin!.end();
  }

  ref(): void {
    this.#proc.ref();
    for (const stream of this.#stdio()) stream.ref?.();
  }

  unref(): void {
    this.#proc.unref();
    for (const stream of this.#stdio()) stream.unref?.();
  }

  protected killChild(): void {
    this.#proc.kill("SIGKILL");
  }

  #stdio(): Array<{ ref?: () => void; unref?: () => void }> {
    return [this.#proc.stdin, this.#proc.stdout, this.#proc.stderr] as Array<{ ref?: () => void; unref?: () => void }>;
  }
}

class DenoChild extends SandboxChild {
  readonly pid: number;
  readonly walled: boolean;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();

  constructor(spec: SpawnSpec) {
    super();
    this.walled = spec.walled === true;
    this.#child = new Deno.Command(spec.program, {
      args: spec.args,
      cwd: spec.cwd,
      clearEnv: true,
      env: spec.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: spec.detached,
    }).spawn();
    this.pid = this.#child.pid;
    this.#writer = this.#child.stdin.getWriter();
    const pumps = [this.#pump("stdout", this.#child.stdout), this.#pump("stderr", this.#child.stderr)];
    void Promise.all([this.#child.status, ...pumps]).then(([status]) => this.end(status));
  }

  write(text: string): void {
    this.#writer.write(this.#encoder.encode(text)).catch(() => {});
  }

  closeStdin(): void {
    this.#writer.close().catch(() => {});
  }

  ref(): void {
    this.#child.ref();
  }

  unref(): void {
    this.#child.unref();
  }

  protected killChild(): void {
    this.#child.kill("SIGKILL");
  }

  async #pump(stream: "stdout" | "stderr", from: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of from) this.output(stream, chunk);
    } catch { /* the pipe broke: the child is gone */ }
  }
}

const SIGNAL_NUMBERS = constants.signals as Record<string, number>;

function exitOf(code: number | null, signal: string | null): ChildExit {
  if (signal) return { success: false, code: 128 + (SIGNAL_NUMBERS[signal] ?? 0), signal: signal as Deno.Signal };
  return { success: code === 0, code: code ?? 1, signal: null };
}

// bwrap exits with 128 + N when the process it ran died of signal N. A script
// that exits with such a code itself (Deno.exit(133)) passes for that signal:
// that changes only how its `error` ending is worded (see _exit_report.ts).
function unwrapped(exit: ChildExit): ChildExit {
  const name = Object.entries(SIGNAL_NUMBERS).find(([, n]) => n === exit.code - 128)?.[0];
  if (exit.signal !== null || exit.code <= 128 || !name) return exit;
  return { success: false, code: exit.code, signal: name as Deno.Signal };
}

let nodeSpawnAllowed = true;

/**
 * Starts a sandbox child.
 *
 * @throws {Deno.errors.NotCapable} when the host may not run `spec.program`.
 * @throws {Deno.errors.NotFound} when `spec.program` does not exist.
 */
export function spawnChild(spec: SpawnSpec): SandboxChild {
  // node:child_process reports a program the host may not run as a failed
  // spawn, not as the NotCapable error Deno.Command throws: ask first.
  if (Deno.permissions.querySync({ name: "run", command: spec.program }).state !== "granted") {
    throw new Deno.errors.NotCapable(`Requires run access to "${spec.program}"`);
  }
  if (nodeSpawnAllowed) {
    try {
      return new NodeChild(spec);
    } catch (e) {
      // Deno's node:child_process reads NODE_V8_COVERAGE from the host's environment.
      if (!(e instanceof Deno.errors.NotCapable) || !/env access/.test(e.message)) throw e;
      nodeSpawnAllowed = false;
    }
  }
  return new DenoChild(spec);
}
