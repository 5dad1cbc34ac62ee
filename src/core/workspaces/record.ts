/**
 * The persisted workspace record (`workspaces/<id>/workspace.json`, layout_version 1, schema in
 * record-schema.ts) and its store: atomic writes, refusal of unknown newer layouts, listing.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import type { z } from "zod";
import { PyroError } from "../../errors.js";
import { writeJsonAtomic } from "../fs-atomic.js";
import { statePaths, workspacePaths } from "../paths.js";
import { quickWorkspaceRecord } from "./record-check.js";
import type { WorkspaceRecordSchema } from "./record-schema.js";

export const WORKSPACE_LAYOUT_VERSION = 1;

export type WorkspaceRecord = z.infer<typeof WorkspaceRecordSchema>;

const ID_RE = /^ws_[0-9a-f]{12}$/;

export function newWorkspaceId(): string {
  return `ws_${randomBytes(6).toString("hex")}`;
}

export function isWorkspaceId(value: string): boolean {
  return ID_RE.test(value);
}

/** Reads a record. @throws PyroError workspace_not_found, state_corrupt */
export async function readWorkspaceRecord(stateDir: string, id: string): Promise<WorkspaceRecord> {
  if (!ID_RE.test(id)) {
    throw new PyroError("workspace_not_found", `no workspace "${id}"`, { details: { workspace_id: id } });
  }
  const path = workspacePaths(stateDir, id).record;
  if (!existsSync(path)) {
    throw new PyroError("workspace_not_found", `no workspace "${id}"`, {
      details: { workspace_id: id },
      hint: "see `pyro workspace list`",
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new PyroError("state_corrupt", `workspace record "${path}" is unreadable`, { cause: err });
  }
  const version = (raw as { layout_version?: unknown }).layout_version;
  if (typeof version === "number" && version > WORKSPACE_LAYOUT_VERSION) {
    throw new PyroError("state_corrupt", `workspace "${id}" was written by a newer pyro (layout ${version})`);
  }
  // zod only when the plain check passes on it (an older layout needing defaults, or damage).
  const quick = quickWorkspaceRecord(raw);
  if (quick) return quick;
  const { WorkspaceRecordSchema } = await import("./record-schema.js");
  const parsed = WorkspaceRecordSchema.safeParse(raw);
  if (!parsed.success) throw new PyroError("state_corrupt", `workspace record "${path}" is invalid`);
  return parsed.data;
}

export async function writeWorkspaceRecord(stateDir: string, record: WorkspaceRecord): Promise<void> {
  await writeJsonAtomic(workspacePaths(stateDir, record.workspace_id).record, record);
}

export async function listWorkspaceIds(stateDir: string): Promise<string[]> {
  const names = await readdir(statePaths.workspacesDir(stateDir)).catch(() => [] as string[]);
  return names.filter((n) => ID_RE.test(n)).sort();
}
