/**
 * Container image layers on the host: hostile input. Every layer is checked whole before the
 * first byte is written, entry by entry with the seed checker (workspaces/archive.ts
 * `checkEntry`: no absolute names, no `..`, hardlinks only to files of the image, no devices
 * or FIFOs) plus what only a merged tree has: no entry under a path an earlier entry made a
 * symlink, and no hardlink to a file under one. Symlink targets may be absolute (they are
 * resolved in the guest, never followed on the host). Then the layers are applied in order:
 * whiteouts (`.wh.NAME`) and opaque directories (`.wh..wh..opq`) first, then the entries,
 * extracted by node-tar, which itself refuses to write through a symlink, then the layer's
 * symlinks, made verbatim.
 */
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { lchown, lutimes, mkdir, readdir, rm, symlink } from "node:fs/promises";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { PyroError } from "../../errors.js";
import { checkEntry } from "../workspaces/archive.js";

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

export interface LayerFile {
  path: string;
  mediaType: string;
}

/** A symlink of a layer, made verbatim by pyro (node-tar would strip a leading `/` from its target). */
export interface LayerSymlink {
  target: string;
  uid: number;
  gid: number;
  mtime: Date | undefined;
}

/** What a checked layer deletes from the layers below it, and the symlinks it makes. */
export interface LayerPlan {
  whiteouts: string[];
  opaqueDirs: string[];
  symlinks: Map<string, LayerSymlink>;
}

/** The uncompressed tar stream of a layer blob (gzip in Node, zstd with the host's `zstd`). */
function openLayer(layer: LayerFile): Readable {
  if (/gzip$/.test(layer.mediaType)) return createReadStream(layer.path).pipe(createGunzip());
  if (/zstd$/.test(layer.mediaType)) {
    const child = spawn("zstd", ["-q", "-d", "-c", layer.path], { stdio: ["ignore", "pipe", "ignore"] });
    return child.stdout;
  }
  if (/\.tar$/.test(layer.mediaType)) return createReadStream(layer.path);
  throw new PyroError("registry_error", `unsupported layer media type ${layer.mediaType}`);
}

const outside = (entry: string, why: string) =>
  new PyroError("path_outside_workspace", `image layer entry "${entry}" ${why}; nothing was written`, {
    details: { entry },
  });

/** Strips `./` and trailing slashes: the merged tree's key of a name. */
const key = (name: string) =>
  posix
    .normalize(name)
    .replace(/^\.\/?/, "")
    .replace(/\/+$/, "");

function ancestors(name: string): string[] {
  const parts = name.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

/**
 * Checks every layer in order against the merged tree; returns each layer's deletions.
 * @throws PyroError path_outside_workspace, invalid_argument (malformed tar)
 */
export async function checkLayers(layers: LayerFile[]): Promise<LayerPlan[]> {
  const tar = await import("tar");
  const seenFiles = new Set<string>();
  const symlinks = new Set<string>();
  const plans: LayerPlan[] = [];
  /** Forgets symlinks at (`self`) and under `prefix`; `""` is the root (an opaque root drops all). */
  const drop = (prefix: string, self: boolean) => {
    for (const s of [...symlinks]) {
      if ((self && s === prefix) || prefix === "" || s.startsWith(`${prefix}/`)) symlinks.delete(s);
    }
  };
  for (const layer of layers) {
    const plan: LayerPlan = { whiteouts: [], opaqueDirs: [], symlinks: new Map() };
    let failure: unknown;
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        entry.resume();
        if (failure) return;
        try {
          checkEntry({ path: entry.path, type: entry.type, linkpath: entry.linkpath }, seenFiles, true);
          const name = key(entry.path);
          const under = ancestors(name).find((a) => symlinks.has(a));
          if (under) throw outside(entry.path, `lies under "${under}", which the image made a symlink`);
          const base = posix.basename(name);
          if (base === OPAQUE) return void plan.opaqueDirs.push(posix.dirname(name));
          if (base.startsWith(WHITEOUT))
            return void plan.whiteouts.push(posix.join(posix.dirname(name), base.slice(WHITEOUT.length)));
          if (entry.type === "Link") {
            const target = key(entry.linkpath ?? "");
            const via = ancestors(target).find((a) => symlinks.has(a));
            if (via) throw outside(entry.path, `is a hardlink through the symlink "${via}"`);
          }
          if (entry.type === "SymbolicLink") {
            symlinks.add(name);
            const { uid = 0, gid = 0, mtime } = entry;
            plan.symlinks.set(name, { target: entry.linkpath ?? "", uid, gid, mtime });
          } else {
            symlinks.delete(name); // replaced by a file or directory
            plan.symlinks.delete(name);
          }
        } catch (err) {
          failure = err;
        }
      },
    });
    try {
      await pipeline(openLayer(layer), parser);
    } catch (err) {
      if (failure) throw failure;
      throw new PyroError(
        "invalid_argument",
        `an image layer is not a valid tar archive: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (failure) throw failure;
    // This layer's deletions hide what lower layers had there (symlinks included) from the next one.
    for (const w of plan.whiteouts) drop(key(w), true);
    for (const o of plan.opaqueDirs) drop(key(o), false);
    plans.push(plan);
  }
  return plans;
}

/** Applies checked layers to `tree` (an empty directory) in order. */
export async function applyLayers(tree: string, layers: LayerFile[], plans: LayerPlan[]): Promise<void> {
  const tar = await import("tar");
  for (const [i, layer] of layers.entries()) {
    const plan = plans[i] as LayerPlan;
    // Names were checked: relative, no `..`, no symlinked parent; rm never follows a symlink.
    for (const w of plan.whiteouts) await rm(posix.join(tree, key(w)), { recursive: true, force: true });
    for (const o of plan.opaqueDirs) {
      const dir = posix.join(tree, key(o));
      for (const n of await readdir(dir).catch(() => [] as string[]))
        await rm(posix.join(dir, n), { recursive: true, force: true });
    }
    const unpack = tar.x({
      cwd: tree,
      strict: true,
      unlink: true,
      preserveOwner: true,
      filter: (path, entry) =>
        !posix.basename(key(path)).startsWith(WHITEOUT) &&
        (entry as { type?: string }).type !== "SymbolicLink",
    });
    await pipeline(openLayer(layer), unpack as unknown as NodeJS.WritableStream);
    for (const [name, link] of plan.symlinks) {
      // Parents were checked to be no symlinks; whatever sits at the name itself is replaced.
      const path = posix.join(tree, name);
      await mkdir(posix.dirname(path), { recursive: true, mode: 0o755 });
      await rm(path, { recursive: true, force: true });
      await symlink(link.target, path);
      await lchown(path, link.uid, link.gid);
      if (link.mtime) await lutimes(path, link.mtime, link.mtime);
    }
  }
}
