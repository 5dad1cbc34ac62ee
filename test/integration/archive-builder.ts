/** Builds raw tar archives, including entries no well-behaved tar tool would write (tests only). */
import { writeFileSync } from "node:fs";
import * as tar from "tar";

export interface RawEntry {
  path: string;
  type?: "File" | "Directory" | "SymbolicLink" | "Link" | "CharacterDevice" | "BlockDevice" | "FIFO";
  linkpath?: string;
  body?: string | Buffer;
  mode?: number;
}

/** A ustar stream of `entries`, written verbatim (no path sanitising). */
export function buildTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? "");
    const type = e.type ?? "File";
    const header = new tar.Header({
      path: e.path,
      type,
      linkpath: e.linkpath,
      size: type === "File" ? body.length : 0,
      mode: e.mode ?? (type === "Directory" ? 0o755 : 0o644),
      mtime: new Date(1_700_000_000_000),
      uid: 0,
      gid: 0,
      devmaj: 1,
      devmin: 3,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (type === "File" && body.length > 0) {
      const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
      body.copy(padded);
      blocks.push(padded);
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function writeTar(path: string, entries: RawEntry[]): string {
  writeFileSync(path, buildTar(entries));
  return path;
}
