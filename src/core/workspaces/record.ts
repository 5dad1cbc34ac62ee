/**
 * The persisted workspace record (`workspaces/<id>/workspace.json`, layout_version 1) and
 * its store: atomic writes, refusal of unknown newer layouts, listing.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { z } from "zod";
import { PyroError } from "../../errors.js";
import { writeJsonAtomic } from "../fs-atomic.js";
import { statePaths, workspacePaths } from "../paths.js";

export const WORKSPACE_LAYOUT_VERSION = 1;

export const WorkspaceStateSchema = z.enum(["creating", "started", "stopped", "failed"]);

export const WorkspaceRecordSchema = z.object({
  layout_version: z.number().int(),
  workspace_id: z.string(),
  name: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  environment: z.string(),
  state: WorkspaceStateSchema,
  vcpu_count: z.number().int(),
  mem_mib: z.number().int(),
  ttl_seconds: z.number().int(),
  network_policy: z.enum(["off", "egress", "egress+published-ports"]),
  execution_mode: z.string(),
  acceleration: z.enum(["kvm", "tcg"]).nullable(),
  kernel_path: z.string(),
  created_at: z.string(),
  last_activity_at: z.string(),
  workspace_seed: z.object({
    mode: z.enum(["empty", "directory", "tar_archive"]),
    seed_path: z.string().nullable(),
  }),
  secrets: z.array(z.object({ name: z.string(), source_kind: z.string() })),
  /** The guest NIC of an egress workspace (its TAP and /30), null under policy `off`. */
  network: z
    .object({ interface: z.string(), host_ip: z.string(), guest_ip: z.string() })
    .nullable()
    .default(null),
  /**
   * pids.max of each exec, shell and service cgroup in the guest, set at create (`--max-pids`)
   * and sent to the agent at every boot; null: the agent's default, derived from memory.
   */
  max_pids: z.number().int().nullable().default(null),
  /**
   * Size of the workspace disk in MiB, set at create (`--disk-mib`); null for workspaces made
   * before it could be chosen (their disk is the environment image's size).
   */
  disk_mib: z.number().int().nullable().default(null),
  command_count: z.number().int(),
  /** Named snapshots of /workspace (archives under snapshots/); `baseline` is implicit. */
  snapshots: z
    .array(z.object({ name: z.string(), created_at: z.string(), size_bytes: z.number() }))
    .default([]),
  /** Pid of the process running `create`, while state is `creating`; a dead pid means it crashed. */
  create_pid: z.number().int().nullable().optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

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
