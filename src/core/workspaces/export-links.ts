/**
 * Symlinks of an export, kept exactly as they are in the guest. node-tar (without
 * `preservePaths`) rewrites absolute link targets and drops links that climb out, so export
 * takes symlink entries out of the tar stream and creates them here, after every other entry
 * is written: no later write can go through them, and their targets are never followed.
 * The names come from the guest and are hostile input: each must stay inside the export.
 */
import { lstat, realpath, symlink } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { PyroError } from "../../errors.js";

/** A symlink entry of the guest's tar: where it goes in the export and its target, verbatim. */
export interface DeferredLink {
  name: string;
  target: string;
}

/** `name` as a path inside the export, or undefined when it would leave it (absolute, `..`, NUL). */
export function exportEntryPath(name: string): string | undefined {
  if (name.includes("\0")) return undefined;
  const clean = normalize(name.replace(/^(\.\/)+/, ""));
  if (clean === "." || clean === "") return ".";
  if (isAbsolute(clean) || clean === ".." || clean.startsWith(`..${sep}`)) return undefined;
  return clean;
}

/**
 * Creates `links` under `root` (the export's staging directory) with their exact targets.
 * @throws PyroError invalid_argument naming an entry that would leave the export, sits under
 *   another symlink, or is already taken
 */
export async function createDeferredLinks(root: string, links: DeferredLink[]): Promise<void> {
  const realRoot = await realpath(root);
  for (const link of links) {
    const rel = exportEntryPath(link.name);
    const refuse = (why: string) =>
      new PyroError("invalid_argument", `export entry "${link.name}" ${why}; nothing was exported`);
    if (rel === undefined || rel === ".") throw refuse("is not a path inside the export");
    const path = join(realRoot, rel);
    const parent = await realpath(dirname(path)).catch(() => undefined);
    if (parent !== dirname(path)) throw refuse("is not under a plain directory of the export");
    if (
      await lstat(path).then(
        () => true,
        () => false,
      )
    )
      throw refuse("is already taken by another entry");
    await symlink(link.target, path);
  }
}
