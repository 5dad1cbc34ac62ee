/**
 * A zod-free check of a workspace record as this pyro writes it, for the hot path: every
 * `workspace exec` reads the record twice, and loading zod for it would cost more than the rest
 * of the CLI's start-up. It vouches only for records the schema (record-schema.ts) accepts
 * unchanged, with every field present (no defaults to fill), and returns them as the schema
 * would; for anything else it answers undefined and record.ts asks the schema.
 * test/unit/core/workspaces/record-check.test.ts holds it to that against the schema.
 */
import type { WorkspaceRecord } from "./record.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const oneOf = (values: readonly string[]) => (v: unknown) => isStr(v) && values.includes(v);
const orNull = (check: (v: unknown) => boolean) => (v: unknown) => v === null || check(v);
/** An object with exactly these string/number fields checked (extra keys would be stripped by zod: refuse). */
const shape = (checks: Record<string, (v: unknown) => boolean>) => (v: unknown) =>
  isObj(v) &&
  Object.keys(v).length === Object.keys(checks).length &&
  Object.entries(checks).every(([k, check]) => Object.hasOwn(v, k) && check(v[k]));
const arrayOf = (check: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.every(check);

/** Every field of layout 1, as record-schema.ts declares it. */
const FIELDS: Record<keyof WorkspaceRecord, (v: unknown) => boolean> = {
  layout_version: isInt,
  workspace_id: isStr,
  name: orNull(isStr),
  labels: (v) => isObj(v) && Object.values(v).every(isStr),
  environment: isStr,
  state: oneOf(["creating", "started", "stopped", "failed"]),
  vcpu_count: isInt,
  mem_mib: isInt,
  ttl_seconds: isInt,
  network_policy: oneOf(["off", "egress", "egress+published-ports"]),
  execution_mode: isStr,
  acceleration: orNull(oneOf(["kvm", "tcg"])),
  kernel_path: isStr,
  created_at: isStr,
  last_activity_at: isStr,
  workspace_seed: shape({
    mode: oneOf(["empty", "directory", "tar_archive", "git"]),
    seed_path: orNull(isStr),
  }),
  secrets: arrayOf(shape({ name: isStr, source_kind: isStr })),
  network: orNull(shape({ interface: isStr, host_ip: isStr, guest_ip: isStr })),
  max_pids: orNull(isInt),
  disk_mib: orNull(isInt),
  command_count: isInt,
  snapshots: arrayOf(shape({ name: isStr, created_at: isStr, size_bytes: isNum })),
  create_pid: orNull(isInt),
  error: orNull(shape({ code: isStr, message: isStr })),
};
const OPTIONAL = new Set(["create_pid"]);

/**
 * `raw` as a record when it passes, a deep copy (zod hands out fresh objects too, and callers
 * mutate what they get); undefined sends it to the schema.
 */
export function quickWorkspaceRecord(raw: unknown): WorkspaceRecord | undefined {
  if (!isObj(raw)) return undefined;
  for (const key of Object.keys(raw)) if (!Object.hasOwn(FIELDS, key)) return undefined;
  for (const [key, check] of Object.entries(FIELDS)) {
    if (!Object.hasOwn(raw, key)) {
      if (OPTIONAL.has(key)) continue;
      return undefined;
    }
    if (raw[key] === undefined || !check(raw[key])) return undefined;
  }
  return structuredClone(raw) as WorkspaceRecord;
}
