/**
 * Host-side archives: packing a seed directory, reading .tar/.tar.gz/.tgz seeds, and
 * validating every entry before anything reaches the guest, so a malicious archive is
 * refused with `path_outside_workspace` and nothing is written.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { PyroError } from "../../errors.js";

export type SeedKind = "directory" | "tar_archive";

/** Classifies a seed path. @throws PyroError invalid_argument for anything else */
export async function seedKind(path: string): Promise<SeedKind> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new PyroError("invalid_argument", `seed path "${path}" does not exist`);
  if (st.isDirectory()) return "directory";
  if (st.isFile() && /\.(tar|tar\.gz|tgz)$/.test(path)) return "tar_archive";
  throw new PyroError(
    "invalid_argument",
    `seed path "${path}" must be a directory or a .tar, .tar.gz or .tgz file`,
  );
}

const outside = (entry: string, why: string) =>
  new PyroError("path_outside_workspace", `archive entry "${entry}" ${why}; nothing was written`, {
    details: { entry },
  });

/**
 * Checks one entry. Names must be relative without `..`; symlink targets must be relative
 * and stay inside (unless `anySymlinkTarget`: export keeps the guest's links verbatim and
 * never follows them); hardlinks must name an earlier regular file; no devices, FIFOs, sockets.
 */
export function checkEntry(
  entry: { path: string; type: string; linkpath?: string | undefined },
  seenFiles: Set<string>,
  anySymlinkTarget = false,
): void {
  const raw = entry.path;
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) throw outside(raw, "is an absolute path");
  const name = posix.normalize(raw);
  if (name === ".." || name.startsWith("../") || raw.split("/").includes("..")) {
    throw outside(raw, "climbs out with ..");
  }
  switch (entry.type) {
    case "File":
    case "OldFile":
    case "ContiguousFile":
      seenFiles.add(name.replace(/\/$/, ""));
      return;
    case "Directory":
      return;
    case "SymbolicLink": {
      if (anySymlinkTarget) return;
      const target = entry.linkpath ?? "";
      if (target.startsWith("/")) throw outside(raw, `is a symlink to the absolute path "${target}"`);
      const resolved = posix.normalize(posix.join(posix.dirname(name), target));
      if (resolved === ".." || resolved.startsWith("../"))
        throw outside(raw, `is a symlink leaving the target ("${target}")`);
      return;
    }
    case "Link": {
      const target = posix.normalize(entry.linkpath ?? "");
      if (!seenFiles.has(target))
        throw outside(raw, `is a hardlink to "${entry.linkpath}", not a file of this archive`);
      return;
    }
    case "CharacterDevice":
    case "BlockDevice":
    case "FIFO":
      throw outside(raw, `is a ${entry.type}, which cannot be imported`);
    default:
      // pax headers and similar metadata are consumed by the parser and never reach here
      throw new PyroError("invalid_argument", `archive entry "${raw}" has unsupported type ${entry.type}`);
  }
}

/** Streams the archive at `path` (gzip detected by name) as an uncompressed tar. */
export function openArchive(path: string): Readable {
  const file = createReadStream(path);
  return /\.(tar\.gz|tgz)$/.test(path) ? file.pipe(createGunzip()) : file;
}

/** Parses a whole tar stream, checking every entry. Resolves with the entry count. */
export async function validateTarStream(stream: Readable): Promise<number> {
  // Listening before the await below: a read error while tar loads must not go unhandled.
  const readFailed = new Promise<never>((_, reject) =>
    stream.on("error", (err) =>
      reject(new PyroError("invalid_argument", `cannot read archive: ${err.message}`, { cause: err })),
    ),
  );
  readFailed.catch(() => undefined); // observed by the race below
  // Loaded on first use: ~25 ms of start-up that every command without a tar would pay.
  const tar = await import("tar");
  const seen = new Set<string>();
  let count = 0;
  let failure: unknown;
  const parser = new tar.Parser({
    onReadEntry: (entry) => {
      if (!failure) {
        try {
          checkEntry({ path: entry.path, type: entry.type, linkpath: entry.linkpath }, seen);
          count++;
        } catch (err) {
          failure = err;
        }
      }
      entry.resume();
    },
  });
  await Promise.race([
    readFailed,
    new Promise<void>((resolve, reject) => {
      parser.on("error", (err: Error) =>
        reject(new PyroError("invalid_argument", `not a valid tar archive: ${err.message}`, { cause: err })),
      );
      parser.on("end", resolve);
      stream.pipe(parser);
    }),
  ]);
  if (failure) throw failure;
  return count;
}

/** Packs a host directory as a tar stream, entries relative to it (`./...`), symlinks not followed. */
export async function packDirectory(dir: string): Promise<Readable> {
  const tar = await import("tar"); // on first use, as in validateTarStream
  // Not `portable`: that mode drops directory mtimes. Owners are ignored by the agent anyway.
  return tar.create({ cwd: dir, follow: false }, ["."]) as unknown as Readable;
}
