/**
 * `-i/--interactive` (as in \`docker exec -i\`): pyro passes its own stdin to the guest command
 * only when asked, streamed as it arrives, so an agent harness that leaves stdin open can never
 * hang a call. Without it the command reads EOF at once.
 */
import type { Readable } from "node:stream";
import type { RunHooks } from "../sdk/pyro.js";

/** The stdin stream to pass on, or undefined without `-i`. */
export function interactiveStdin(interactive: boolean | undefined): Readable | undefined {
  return interactive ? process.stdin : undefined;
}

/**
 * Lets go of stdin once the command has ended: a writer that keeps the pipe open (e.g.
 * \`sleep 20 | pyro ...\`) must not keep pyro running after its answer.
 */
export function releaseStdin(stream: Readable | undefined): void {
  if (!stream) return;
  stream.unpipe();
  stream.destroy();
}

/** The hooks {@link withCommandIo} hands to an SDK call that runs a guest command. */
export type CommandIo = Omit<RunHooks, "onPhase">;

/**
 * Runs `call` (`pyro run`, `workspace exec`) with the hooks of a guest command: `signal`, pyro's
 * stdin with `-i`, and, unless `--json` (where the output belongs in the one JSON document), the
 * guest's stdout and stderr streamed to pyro's own. Stdin is released once `call` settles.
 */
export async function withCommandIo<T>(
  signal: AbortSignal,
  flags: { interactive?: boolean; json: boolean },
  call: (io: CommandIo) => Promise<T>,
): Promise<T> {
  const stdin = interactiveStdin(flags.interactive);
  const io: CommandIo = { signal, ...(stdin ? { stdin } : {}) };
  if (!flags.json) {
    io.onStdout = (chunk) => process.stdout.write(chunk);
    io.onStderr = (chunk) => process.stderr.write(chunk);
  }
  return call(io).finally(() => releaseStdin(stdin));
}
