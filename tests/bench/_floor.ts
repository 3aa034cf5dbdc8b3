/**
 * The pipe ping-pong floor: what one round trip over two pipes costs two
 * C processes on this machine (`pipe_pingpong.c`), the least a tool call can
 * cost. Built with the system's C compiler into a temp dir; without one the
 * floor is not measured.
 *
 * @module
 */

const SOURCE: string = new URL("./pipe_pingpong.c", import.meta.url).pathname;

/** The floor, or why it was not measured. */
export type Floor = { roundTripUs: number; compiler: string } | { skipped: string };

/**
 * Builds and runs the ping-pong, `rounds` round trips.
 *
 * @param dir a temp dir for the binary.
 * @param rounds how many round trips.
 * @returns the mean round trip in µs, or why it was skipped.
 */
export async function measureFloor(dir: string, rounds: number): Promise<Floor> {
  const binary = `${dir}/pipe_pingpong`;
  let compiler: string | undefined;
  for (const cc of ["cc", "gcc", "clang"]) {
    try {
      const out = await new Deno.Command(cc, { args: ["-O2", SOURCE, "-o", binary], stdout: "null", stderr: "piped" })
        .output();
      if (out.success) {
        compiler = cc;
        break;
      }
    } catch { /* not installed */ }
  }
  if (!compiler) return { skipped: "no C compiler (cc, gcc, clang) to build tests/bench/pipe_pingpong.c" };
  const out = await new Deno.Command(binary, { args: [String(rounds)], stdout: "piped", stderr: "piped" }).output();
  const us = Number(new TextDecoder().decode(out.stdout).trim());
  if (!out.success || !(us > 0)) return { skipped: `pipe_pingpong failed: ${new TextDecoder().decode(out.stderr)}` };
  return { roundTripUs: us, compiler };
}
