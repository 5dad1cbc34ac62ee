/**
 * Moving trees between the host and /workspace: seed import and `sync push` (host dir or
 * archive, validated whole on the host before the first byte goes to the guest), the
 * create-time baseline, and `export` (guest tar extracted on the host by node-tar, which
 * never writes through a symlink and strips absolute and `..` names).
 */
import { createWriteStream, existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PyroError } from "../../errors.js";
import { protocolViolation } from "../../supervisor/answers.js";
import { machineClient } from "../machine.js";
import { openArchive, packDirectory, type SeedKind, seedKind, validateTarStream } from "./archive.js";
import { createDeferredLinks, type DeferredLink, ExportEntryCheck } from "./export-links.js";
import { absoluteGuestPath, GuestFiles, guestPath } from "./guest-files.js";
import type { WorkspaceManager } from "./manager.js";

export function guestFiles(ws: WorkspaceManager, id: string): GuestFiles {
  return new GuestFiles(machineClient(ws.paths(id)));
}

export interface PushResult {
  kind: SeedKind;
  entries: number;
  bytes: number;
  /** Destination inside the guest, absolute. */
  destination: string;
}

/**
 * Copies a host directory or .tar/.tar.gz/.tgz into /workspace/`dest`. The archive is
 * validated entirely first: a bad entry refuses the whole push and nothing is written.
 * @throws PyroError path_outside_workspace, invalid_argument
 */
export async function pushTree(
  ws: WorkspaceManager,
  id: string,
  source: string,
  dest: string,
): Promise<PushResult> {
  const rel = guestPath(dest);
  const kind = await seedKind(source);
  await validateTarStream(await openSource(source, kind));
  const r = await guestFiles(ws, id).putTar(rel, await openSource(source, kind));
  return {
    kind,
    entries: r.entries,
    bytes: r.bytes,
    destination: absoluteGuestPath(rel),
  };
}

function openSource(source: string, kind: SeedKind): Promise<Readable> {
  return kind === "directory" ? packDirectory(source) : Promise.resolve(openArchive(source));
}

/** Checks every entry of a host dir or archive. @throws PyroError path_outside_workspace, invalid_argument */
export async function validateSeed(source: string): Promise<SeedKind> {
  const kind = await seedKind(source);
  await validateTarStream(await openSource(source, kind));
  return kind;
}

/** Stores an immutable tar of /workspace as the baseline `diff` compares against. */
export async function captureBaseline(ws: WorkspaceManager, id: string): Promise<void> {
  const paths = ws.paths(id);
  await mkdir(paths.baselineDir, { recursive: true, mode: 0o700 });
  const tmp = `${paths.baselineTar}.tmp`;
  await pipeline(await guestFiles(ws, id).getTar("."), createWriteStream(tmp, { mode: 0o600 }));
  await rename(tmp, paths.baselineTar);
}

export interface ExportResult {
  guestPath: string;
  outputPath: string;
  kind: "file" | "directory";
  entries: number;
}

/**
 * Copies /workspace/`path` to the host at `output`, which must not exist yet (nothing on
 * the host is overwritten). Extracted into a temp dir beside `output`, then renamed. The
 * guest's tar stream is hostile input: every entry is checked before it is written
 * ({@link ExportEntryCheck}), and the first bad one ends the export.
 * @throws PyroError path_outside_workspace, file_not_found, invalid_argument,
 *   guest_protocol_mismatch (not a tar stream)
 */
export async function exportTree(
  ws: WorkspaceManager,
  id: string,
  path: string,
  output: string,
): Promise<ExportResult> {
  // Loaded on first use: ~25 ms of start-up that every command without a tar would pay.
  const tar = await import("tar");
  const rel = guestPath(path);
  const target = resolve(output);
  if (existsSync(target)) {
    throw new PyroError(
      "invalid_argument",
      `output "${target}" already exists; pyro never overwrites host files`,
      {
        hint: "choose a new --output path",
      },
    );
  }
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.pyro-export-`));
  let entries = 0;
  let isDir = false; // a directory's tar names entries "./..."; a file's is its base name
  let rootMode: number | undefined;
  const links: DeferredLink[] = []; // created last, exactly as in the guest (export-links.ts)
  const refused: string[] = []; // entries a host export cannot hold (devices, FIFOs)
  const checks = new ExportEntryCheck();
  const tarRoute = "/v1/agent/files/tar";
  try {
    const stream = await guestFiles(ws, id).getTar(rel);
    await pipeline(
      stream,
      tar.extract({
        strict: true, // a stream that is not tar fails instead of extracting nothing
        cwd: staging,
        preservePaths: false, // strips absolute paths and `..`
        preserveOwner: false,
        filter: (p, e) => {
          if (p === "./" || p === "." || p.startsWith("./")) isDir = true;
          if ((p === "./" || p === ".") && "mode" in e && typeof e.mode === "number")
            rootMode = e.mode & 0o7777;
          const type = "type" in e ? String(e.type) : "";
          if (["File", "OldFile", "ContiguousFile", "Directory", "Link", "SymbolicLink"].includes(type)) {
            try {
              checks.check({ path: p, type, linkpath: "linkpath" in e ? String(e.linkpath) : undefined });
            } catch (err) {
              stream.destroy(err as Error); // stop here: nothing more is written
              return false;
            }
          }
          if (type === "SymbolicLink" && "linkpath" in e) {
            links.push({ name: p, target: String(e.linkpath) });
            entries++;
            return false;
          }
          if (!["File", "OldFile", "ContiguousFile", "Directory", "Link"].includes(type)) {
            refused.push(`${p} (${type || "unknown type"})`);
            return false;
          }
          entries++;
          return true;
        },
      }),
    ).catch((err: NodeJS.ErrnoException) => {
      // node-tar's own refusals (TAR_BAD_ARCHIVE, TAR_ENTRY_INVALID...) are the guest's fault.
      throw String(err.code).startsWith("TAR_")
        ? protocolViolation(tarRoute, `is not a valid tar stream (${err.message})`, err)
        : err;
    });
    if (refused.length > 0) {
      throw new PyroError(
        "invalid_argument",
        `export of "${path}" holds entries a host directory cannot: ${refused.slice(0, 5).join(", ")}; nothing was exported`,
        { details: { entries: refused } },
      );
    }
    await createDeferredLinks(staging, links);
    if (isDir) {
      // The staging dir was made 0700; give the export the guest directory's own mode.
      if (rootMode !== undefined) await chmod(staging, rootMode);
      await rename(staging, target);
    } else {
      const names = await readdir(staging);
      if (names.length !== 1 || !names[0])
        throw protocolViolation(tarRoute, `for a file holds ${names.length} entries instead of one`);
      await rename(join(staging, names[0]), target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return {
    guestPath: absoluteGuestPath(rel),
    outputPath: target,
    kind: isDir ? "directory" : "file",
    entries,
  };
}
