/**
 * Symlinks of an export, kept exactly as they are in the guest. node-tar (without
 * `preservePaths`) rewrites absolute link targets and drops links that climb out, so export
 * takes symlink entries out of the tar stream and creates them here, after every other entry
 * is written: no later write can go through them, and their targets are never followed.
 * The names come from the guest and are hostile input: each must stay inside the export.
 */
import { lstat, realpath, symlink } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, posix, sep } from "node:path";
import { PyroError } from "../../errors.js";
import { checkEntry } from "./archive.js";

/**
 * Checks the entries of an export's tar stream one by one, before node-tar writes anything for
 * them, as seeds are checked (archive.ts `checkEntry`): names relative without `..`, hardlinks
 * only to an earlier file of the stream, and no entry under one of its symlinks (a file
 * written "through" a link must fail, not land in a directory the link then cannot take).
 * Symlink targets are kept verbatim (see {@link createDeferredLinks}).
 */
export class ExportEntryCheck {
  private readonly seenFiles = new Set<string>();
  private readonly links = new Set<string>();

  /** @throws PyroError path_outside_workspace naming the entry */
  check(entry: { path: string; type: string; linkpath?: string | undefined }): void {
    checkEntry(entry, this.seenFiles, true);
    const name = posix.normalize(entry.path).replace(/\/$/, "");
    for (let dir = posix.dirname(name); dir !== "." && dir !== "/"; dir = posix.dirname(dir)) {
      if (this.links.has(dir)) {
        throw new PyroError(
          "path_outside_workspace",
          `archive entry "${entry.path}" is written through the symlink "${dir}"; nothing was written`,
          { details: { entry: entry.path } },
        );
      }
    }
    if (entry.type === "SymbolicLink") this.links.add(name);
  }
}

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
