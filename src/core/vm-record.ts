/** The persisted record of one VM (`vms/<vm_id>/vm.json`, layout_version 1, schema in vm-record-schema.ts). */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import type { z } from "zod";
import { PyroError } from "../errors.js";
import { writeJsonAtomic } from "./fs-atomic.js";
import { statePaths, vmPaths } from "./paths.js";
import type { VmRecordSchema } from "./vm-record-schema.js";

export const VM_LAYOUT_VERSION = 1;

export type VmRecord = z.infer<typeof VmRecordSchema>;

/** A new random VM id: `vm_` and 12 hex digits (short enough for socket paths). */
export function newVmId(): string {
  return `vm_${randomBytes(6).toString("hex")}`;
}

const ID_RE = /^vm_[0-9a-f]{12}$/;

/** Reads a VM record. @throws PyroError vm_not_found, state_corrupt */
export async function readVmRecord(stateDir: string, vmId: string): Promise<VmRecord> {
  if (!ID_RE.test(vmId))
    throw new PyroError("vm_not_found", `no VM "${vmId}" (ids look like vm_0123456789ab)`);
  const path = vmPaths(stateDir, vmId).record;
  if (!existsSync(path)) throw new PyroError("vm_not_found", `no VM "${vmId}"`, { details: { vm_id: vmId } });
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new PyroError("state_corrupt", `VM record "${path}" is unreadable`, { cause: err });
  }
  const version = (raw as { layout_version?: unknown }).layout_version;
  if (typeof version === "number" && version > VM_LAYOUT_VERSION) {
    throw new PyroError("state_corrupt", `VM "${vmId}" was written by a newer pyro (layout ${version})`);
  }
  // The schema (and zod) loads here, not with this module: `workspace exec` imports this file
  // through the VM manager but never reads a VM record.
  return (await import("./vm-record-schema.js")).VmRecordSchema.parse(raw);
}

export async function writeVmRecord(stateDir: string, record: VmRecord): Promise<void> {
  await writeJsonAtomic(vmPaths(stateDir, record.vm_id).record, record);
}

/** Ids of every VM directory under the state dir. */
export async function listVmIds(stateDir: string): Promise<string[]> {
  const names = await readdir(statePaths.vmsDir(stateDir)).catch(() => [] as string[]);
  return names.filter((n) => ID_RE.test(n)).sort();
}
