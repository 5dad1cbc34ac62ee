/**
 * The persisted workspace record (`workspaces/<id>/workspace.json`, layout_version 1, its one
 * schema in contract/records/workspace-record.ts) and its store: atomic writes, refusal of
 * unknown newer layouts, listing. Whole records are read through the schema; the exec hot path
 * reads and updates only its head fields without zod (record-check.ts).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import type { WorkspaceRecord } from "../../contract/records/workspace-record.js";
import { PyroError } from "../../errors.js";
import { writeJsonAtomic } from "../fs-atomic.js";
import { statePaths, workspacePaths } from "../paths.js";
import { quickWorkspaceHead, type WorkspaceHead } from "./record-check.js";

export const WORKSPACE_LAYOUT_VERSION = 1;

export type { WorkspaceHead, WorkspaceRecord };

const ID_RE = /^ws_[0-9a-f]{12}$/;

export function newWorkspaceId(): string {
  return `ws_${randomBytes(6).toString("hex")}`;
}

export function isWorkspaceId(value: string): boolean {
  return ID_RE.test(value);
}

/** The record file parsed as JSON, not yet checked. @throws PyroError workspace_not_found, state_corrupt */
async function readRaw(
  stateDir: string,
  id: string,
): Promise<{ raw: Record<string, unknown>; path: string }> {
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
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PyroError("state_corrupt", `workspace record "${path}" is invalid`);
  }
  const version = (raw as { layout_version?: unknown }).layout_version;
  if (typeof version === "number" && version > WORKSPACE_LAYOUT_VERSION) {
    throw new PyroError("state_corrupt", `workspace "${id}" was written by a newer pyro (layout ${version})`);
  }
  return { raw: raw as Record<string, unknown>, path };
}

/** `raw` through the record schema (defaults filled). @throws PyroError state_corrupt */
export async function parseWorkspaceRecord(raw: unknown, path: string): Promise<WorkspaceRecord> {
  const { WorkspaceRecordSchema } = await import("../../contract/records/workspace-record.js");
  const parsed = WorkspaceRecordSchema.safeParse(raw);
  if (!parsed.success) throw new PyroError("state_corrupt", `workspace record "${path}" is invalid`);
  return parsed.data;
}

/** Reads a whole record. @throws PyroError workspace_not_found, state_corrupt */
export async function readWorkspaceRecord(stateDir: string, id: string): Promise<WorkspaceRecord> {
  const { raw, path } = await readRaw(stateDir, id);
  return parseWorkspaceRecord(raw, path);
}

/**
 * The head fields of a record (the exec hot path's), with the record as read: zod only when
 * the plain check cannot vouch for them (then the whole record is checked).
 * @throws PyroError workspace_not_found, state_corrupt
 */
export async function readWorkspaceHead(
  stateDir: string,
  id: string,
): Promise<{ head: WorkspaceHead; raw: Record<string, unknown> }> {
  const { raw, path } = await readRaw(stateDir, id);
  const head = quickWorkspaceHead(raw) ?? (await parseWorkspaceRecord(raw, path));
  return { head, raw };
}

export async function writeWorkspaceRecord(stateDir: string, record: WorkspaceRecord): Promise<void> {
  await writeJsonAtomic(workspacePaths(stateDir, record.workspace_id).record, record);
}

/** Writes `raw` with `head`'s fields replaced: the rest of the record stays exactly as read. */
export async function writeWorkspaceHead(
  stateDir: string,
  raw: Record<string, unknown>,
  head: WorkspaceHead,
): Promise<void> {
  await writeJsonAtomic(workspacePaths(stateDir, head.workspace_id).record, { ...raw, ...head });
}

export async function listWorkspaceIds(stateDir: string): Promise<string[]> {
  const names = await readdir(statePaths.workspacesDir(stateDir)).catch(() => [] as string[]);
  return names.filter((n) => ID_RE.test(n)).sort();
}
