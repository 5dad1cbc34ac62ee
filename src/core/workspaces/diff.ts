/**
 * `workspace diff`: /workspace now versus the immutable create-time baseline. Text changes
 * become one unified patch (applicable with `patch -p1` or `workspace patch apply`); binary,
 * type and mode changes are summary entries.
 */
import { createReadStream } from "node:fs";
import type * as DiffLib from "diff";
import type { WorkspaceManager } from "./manager.js";
import { guestFiles } from "./transfer.js";
import { isText, readTree, type TreeEntry } from "./tree.js";

export type DiffStatus = "added" | "deleted" | "modified" | "type_changed" | "mode_changed";

export interface DiffEntry {
  path: string;
  status: DiffStatus;
  kind: "text" | "binary" | "symlink" | "directory" | "other";
  old_mode: string | null;
  new_mode: string | null;
}

export interface WorkspaceDiff {
  changed: boolean;
  summary: Record<DiffStatus, number> & { binary: number };
  entries: DiffEntry[];
  /** Unified diff of every text change (git-style `a/` and `b/` prefixes). */
  patch: string;
}

const octal = (m: number | undefined) => (m === undefined ? null : `0${m.toString(8).padStart(3, "0")}`);

function kindOf(e: TreeEntry): DiffEntry["kind"] {
  if (e.type === "dir") return "directory";
  if (e.type === "symlink") return "symlink";
  if (e.type === "other") return "other";
  return e.content && isText(e.content) ? "text" : "binary";
}

function sameContent(a: TreeEntry, b: TreeEntry): boolean {
  if (a.type === "symlink") return a.linkpath === b.linkpath;
  if (a.type === "file") return Boolean(a.content && b.content && a.content.equals(b.content));
  return true;
}

function textPatch(
  { createTwoFilesPatch, FILE_HEADERS_ONLY }: typeof DiffLib,
  path: string,
  before: TreeEntry | undefined,
  after: TreeEntry | undefined,
): string {
  const oldText = before?.content?.toString("utf8") ?? "";
  const newText = after?.content?.toString("utf8") ?? "";
  return createTwoFilesPatch(
    before ? `a/${path}` : "/dev/null",
    after ? `b/${path}` : "/dev/null",
    oldText,
    newText,
    undefined,
    undefined,
    { headerOptions: FILE_HEADERS_ONLY },
  );
}

/** What a comparison computes besides the entries and counts. */
export interface CompareOptions {
  /** Build the unified patch of text changes (false: `patch` is ""). @default true */
  patch?: boolean;
}

/** Compares two trees (pure; exported for unit tests). */
export async function compareTrees(
  base: Map<string, TreeEntry>,
  now: Map<string, TreeEntry>,
  options: CompareOptions = {},
): Promise<WorkspaceDiff> {
  // Loaded on first use: ~25 ms of start-up that every command but diff would pay.
  const lib = options.patch === false ? undefined : await import("diff");
  const entries: DiffEntry[] = [];
  const patches: string[] = [];
  const paths = [...new Set([...base.keys(), ...now.keys()])].sort();
  for (const path of paths) {
    const before = base.get(path);
    const after = now.get(path);
    const entry = (status: DiffStatus, kind: DiffEntry["kind"]) =>
      entries.push({ path, status, kind, old_mode: octal(before?.mode), new_mode: octal(after?.mode) });
    if (!before && after) {
      entry("added", kindOf(after));
      if (lib && kindOf(after) === "text") patches.push(textPatch(lib, path, undefined, after));
    } else if (before && !after) {
      entry("deleted", kindOf(before));
      if (lib && kindOf(before) === "text") patches.push(textPatch(lib, path, before, undefined));
    } else if (before && after) {
      if (before.type !== after.type) entry("type_changed", kindOf(after));
      else if (!sameContent(before, after)) {
        const kind = kindOf(before) === "text" && kindOf(after) === "text" ? "text" : kindOf(after);
        entry("modified", kind);
        if (lib && kind === "text") patches.push(textPatch(lib, path, before, after));
      } else if (before.mode !== after.mode) entry("mode_changed", kindOf(after));
    }
  }
  const summary = { added: 0, deleted: 0, modified: 0, type_changed: 0, mode_changed: 0, binary: 0 };
  for (const e of entries) {
    summary[e.status]++;
    if (e.kind === "binary") summary.binary++;
  }
  return { changed: entries.length > 0, summary, entries, patch: patches.join("") };
}

/** /workspace of running workspace `id` against its baseline. */
export async function diffWorkspace(
  ws: WorkspaceManager,
  id: string,
  options: CompareOptions = {},
): Promise<WorkspaceDiff> {
  const base = await readTree(createReadStream(ws.paths(id).baselineTar));
  const now = await readTree(await guestFiles(ws, id).getTar("."));
  return compareTrees(base, now, options);
}
