/** Command history of a workspace (`logs/history.jsonl`), appended under the workspace lock. */
import { existsSync } from "node:fs";
import { appendFile, readFile } from "node:fs/promises";
import type { HistoryEntry } from "../../contract/records/workspace.js";

/** Output kept per stream in one history entry, in bytes; the rest is marked truncated. */
export const HISTORY_OUTPUT_CAP_BYTES = 65_536;

/** One entry of the history: the public contract's record (contract/records/workspace.ts). */
export type { HistoryEntry };

export function capOutput(text: string): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text);
  if (bytes.length <= HISTORY_OUTPUT_CAP_BYTES) return { text, truncated: false };
  return { text: bytes.subarray(bytes.length - HISTORY_OUTPUT_CAP_BYTES).toString("utf8"), truncated: true };
}

export async function appendHistory(path: string, entry: HistoryEntry): Promise<void> {
  await appendFile(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

/** All entries, oldest first; a torn last line (crash mid-append) is skipped. */
export async function readHistory(path: string): Promise<HistoryEntry[]> {
  if (!existsSync(path)) return [];
  const out: HistoryEntry[] = [];
  for (const line of (await readFile(path, "utf8")).split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // a line cut by a crash: ignore it, the record's command_count stays authoritative
    }
  }
  return out;
}
