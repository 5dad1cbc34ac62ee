/** Reads a tar stream of /workspace into an in-memory tree, for diff and snapshot comparison. */
import type { Readable } from "node:stream";

/** Files larger than this are compared by size and content hash only, never as text. */
export const TEXT_DIFF_MAX_BYTES = 1024 * 1024;

export interface TreeEntry {
  type: "file" | "dir" | "symlink" | "other";
  /** Permission bits, e.g. 0o644. */
  mode: number;
  size: number;
  content?: Buffer;
  linkpath?: string;
}

/** Entry names lose their leading `./`; the root itself (`.`) is skipped. */
export function normalizeEntryName(name: string): string {
  return name.replace(/^\.\//, "").replace(/\/$/, "");
}

function entryType(type: string): TreeEntry["type"] {
  if (type === "File" || type === "OldFile" || type === "ContiguousFile") return "file";
  if (type === "Directory") return "dir";
  if (type === "SymbolicLink") return "symlink";
  return "other";
}

export async function readTree(stream: Readable): Promise<Map<string, TreeEntry>> {
  // Listening before the await below: an error of `stream` while tar loads must not go unhandled.
  const streamFailed = new Promise<never>((_, reject) => stream.on("error", reject));
  streamFailed.catch(() => undefined); // observed by the race below
  // Loaded on first use: ~25 ms of start-up that every command without a tar would pay.
  const tar = await import("tar");
  const tree = new Map<string, TreeEntry>();
  const parser = new tar.Parser({
    onReadEntry: (entry) => {
      const name = normalizeEntryName(entry.path);
      const type = entryType(entry.type);
      const record: TreeEntry = { type, mode: (entry.mode ?? 0) & 0o7777, size: entry.size ?? 0 };
      if (type === "symlink") record.linkpath = entry.linkpath ?? "";
      if (name === "." || name === "") {
        entry.resume();
        return;
      }
      tree.set(name, record);
      if (type !== "file") {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on("data", (c: Buffer) => chunks.push(c));
      entry.on("end", () => {
        record.content = Buffer.concat(chunks);
      });
    },
  });
  await Promise.race([
    streamFailed,
    new Promise<void>((resolve, reject) => {
      parser.on("end", resolve);
      parser.on("error", reject);
      stream.pipe(parser);
    }),
  ]);
  return tree;
}

/** Whether bytes are text for diffing: valid UTF-8 without NUL, within the size cap. */
export function isText(content: Buffer): boolean {
  if (content.length > TEXT_DIFF_MAX_BYTES || content.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(content);
    return true;
  } catch {
    return false;
  }
}
