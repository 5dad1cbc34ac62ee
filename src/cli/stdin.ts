/**
 * `-i/--interactive` (as in \`docker exec -i\`): pyro passes its own stdin to the guest command
 * only when asked, streamed as it arrives, so an agent harness that leaves stdin open can never
 * hang a call. Without it the command reads EOF at once.
 */
import type { Readable } from "node:stream";

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
