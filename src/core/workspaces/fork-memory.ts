/**
 * A fork's memory, copy-on-write of its parent's checkpoint. The checkpoint's saved state
 * (RAM and devices in one QEMU migration stream) is split once per fork call into a RAM image
 * and a devices-only state (`pyro-supervisor split-state`, host/internal/vmm/qemu/migstate).
 * Every fork of the call gets both as hard links in its `pause/` and maps the image privately
 * (memory-backend-file share=off), as a template clone maps its template's memory: the forks
 * share its pages in the page cache until each writes its own, instead of each loading the
 * whole RAM into memory of its own. Once a fork runs, its links go (pause.ts discards its
 * saved machine); the image lives on, unlinked, as long as one fork maps it.
 *
 * A stream the splitter does not handle (code `unsupported`) leaves the forks on the whole
 * state, with RAM of their own; `PYRO_FORK_SHARED_MEMORY=0` (config `forkSharedMemory`) asks
 * for that too (the floor of bench/fork.mjs).
 */
import { link, rename, rm } from "node:fs/promises";
import { PyroError } from "../../errors.js";
import { packagePaths, type WorkspacePaths } from "../paths.js";
import { runProgram } from "../process-run.js";

/** What {@link splitForkMemory} did, for the checkpoint's phase line. */
export interface ForkMemory {
  /** The forks map one RAM image (true), or each loads the whole state (false). */
  shared: boolean;
  /** Why not shared, when not. */
  reason?: string;
  /** The RAM image's pages that are not zero, in bytes (0 when not shared). */
  image_bytes: number;
  split_ms: number;
}

/** split-state's JSON answer: a result or an error. */
interface SplitAnswer {
  memory_bytes?: number;
  pages_written?: number;
  error?: { code: string; message: string };
}

/**
 * Splits the saved state at `state` (left as it is) into every fork's `pause/memory` and
 * `pause/state`: hard links of one image and one devices-only state; `shared` false (config
 * `forkSharedMemory`) leaves them on the whole state.
 * @returns whether the forks share the image; when not, no fork has a `pause/memory`
 * @throws PyroError save_failed (the split failed for another reason than an unsupported
 *   stream: a full disk, say; nothing is left in the forks' `pause/`)
 */
export async function splitForkMemory(
  state: string,
  forks: readonly WorkspacePaths[],
  shared: boolean,
): Promise<ForkMemory> {
  const began = Date.now();
  if (!shared) return { shared: false, reason: "PYRO_FORK_SHARED_MEMORY=0", image_bytes: 0, split_ms: 0 };
  const [first] = forks as [WorkspacePaths, ...WorkspacePaths[]];
  // In the first fork's new directory: split-state creates them O_EXCL and removes them on error.
  const tmp = { memory: `${first.pauseMemory}.tmp`, state: `${first.pauseState}.split.tmp` };
  const argv = [
    packagePaths.supervisorEntry,
    "split-state",
    "-json",
    "-memory",
    tmp.memory,
    "-state",
    tmp.state,
    state,
  ];
  const { stdout } = await runProgram(argv, { errorCode: "save_failed", okExitCodes: [1] });
  const answer = JSON.parse(stdout) as SplitAnswer;
  if (answer.error?.code === "unsupported")
    return { shared: false, reason: answer.error.message, image_bytes: 0, split_ms: Date.now() - began };
  if (answer.error) throw new PyroError("save_failed", `fork memory: ${answer.error.message}`);
  try {
    await rename(tmp.memory, first.pauseMemory);
    await rename(tmp.state, first.pauseState);
    for (const f of forks.slice(1)) {
      await link(first.pauseMemory, f.pauseMemory);
      await link(first.pauseState, f.pauseState);
    }
  } catch (err) {
    await removeAll(forks.flatMap((f) => [f.pauseMemory, f.pauseState]).concat(tmp.memory, tmp.state));
    throw new PyroError("save_failed", `fork memory: ${(err as Error).message}`, { cause: err });
  }
  return { shared: true, image_bytes: (answer.pages_written ?? 0) * 4096, split_ms: Date.now() - began };
}

async function removeAll(files: readonly string[]): Promise<void> {
  for (const f of files) await rm(f, { force: true });
}
