/**
 * A workspace disk's size. The disk is a sparse copy of the environment's ext4 image, grown to
 * the size asked for at create (`--disk-mib`): the file gets that apparent size and the file
 * system is grown offline with resize2fs before the guest boots, so the guest sees all of it
 * while the host stores only what the guest writes.
 */
import { statSync } from "node:fs";
import { truncate } from "node:fs/promises";
import { PyroError } from "../../errors.js";
import { runProgram } from "../process-run.js";

const MIB = 1024 * 1024;

/** Apparent size of a disk image in MiB, rounded up (a disk of this size holds all of it). */
export function imageSizeMib(path: string): number {
  return Math.ceil(statSync(path).size / MIB);
}

/**
 * Refuses a disk smaller than the environment's image (a file system is never shrunk).
 * @throws PyroError invalid_argument
 */
export function checkDiskSize(imagePath: string, diskMib: number): void {
  const min = imageSizeMib(imagePath);
  if (diskMib < min) {
    throw new PyroError(
      "invalid_argument",
      `disk_mib ${diskMib} is smaller than the environment's image (${min} MiB)`,
      { hint: `use --disk-mib ${min} or more` },
    );
  }
}

/**
 * Grows the unmounted image at `path` to `diskMib` MiB: a sparse extension of the file, then
 * resize2fs of its ext4 file system. An image already that large or larger is left as it is
 * (a file system is never shrunk); the size it ends with is returned, in MiB.
 * @throws PyroError host_dependency_missing (no resize2fs), internal (resize2fs failed; its
 *   stderr in the message)
 */
export async function growDisk(path: string, diskMib: number): Promise<number> {
  const current = imageSizeMib(path);
  if (current >= diskMib) return current;
  await truncate(path, diskMib * MIB);
  await runProgram(["resize2fs", path, `${diskMib}M`]);
  return diskMib;
}

/** Size and host usage of a workspace disk, in MiB; null when it has none (yet). */
export function diskUsage(path: string): { sizeMib: number; allocatedMib: number } | null {
  try {
    const st = statSync(path);
    return { sizeMib: Math.floor(st.size / MIB), allocatedMib: Math.ceil((st.blocks * 512) / MIB) };
  } catch {
    return null;
  }
}
