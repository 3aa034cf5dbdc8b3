// A Codemode whose sandbox child runs a subverted prelude that knows the nonce,
// to test the host against arbitrary, well-formed-or-not protocol frames.
import { Codemode, type CodemodeOptions, LocalExecutor } from "../../mod.ts";

const FAKE_PRELUDE = new URL("./fixtures/compromised_prelude.ts", import.meta.url).pathname;

/** A Codemode (and the wrapper script it runs) whose child is under the attacker's full control. */
export async function compromisedSandbox(options: CodemodeOptions = {}): Promise<Codemode & AsyncDisposable> {
  const wrapper = await Deno.makeTempFile({ prefix: "codemode-compromised-", suffix: ".sh" });
  await Deno.writeTextFile(wrapper, `#!/bin/sh\nexec "${Deno.execPath()}" run -A --no-config "${FAKE_PRELUDE}"\n`);
  await Deno.chmod(wrapper, 0o700);
  const executor = new LocalExecutor({ denoPath: wrapper });
  const cm = new Codemode({ limits: { timeoutMs: 5000 }, ...options, executor });
  const close = cm.close.bind(cm);
  cm.close = async () => {
    await close();
    await executor.close();
    await Deno.remove(wrapper).catch(() => {});
  };
  return cm as Codemode & AsyncDisposable;
}
