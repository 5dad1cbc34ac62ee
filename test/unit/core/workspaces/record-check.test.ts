/** The zod-free check of a workspace record's head fields (record-check.ts) against WorkspaceRecordSchema. */
import { describe, expect, it } from "vitest";
import { WorkspaceRecordSchema } from "../../../../src/contract/records/workspace-record.js";
import { HEAD_FIELDS, quickWorkspaceHead } from "../../../../src/core/workspaces/record-check.js";
import { expectSound, mutations } from "../../../support/fast-path.js";

/** A record as this pyro writes it (every field present). */
const record = {
  layout_version: 1,
  workspace_id: "ws_0123456789ab",
  name: "dev",
  labels: { team: "a" },
  environment: "debian:12",
  state: "started",
  vcpu_count: 1,
  mem_mib: 1024,
  ttl_seconds: 600,
  network_policy: "egress",
  execution_mode: "guest_virtio_serial",
  acceleration: "tcg",
  kernel_path: "/k/vmlinux",
  created_at: "2025-01-01T00:00:00.000Z",
  last_activity_at: "2025-01-01T00:00:01.000Z",
  workspace_seed: { mode: "directory", seed_path: "/src" },
  secrets: [{ name: "TOKEN", source_kind: "value" }],
  network: { interface: "pyro0", host_ip: "172.29.0.1", guest_ip: "172.29.0.2" },
  command_count: 3,
  max_pids: null,
  disk_mib: 8192,
  snapshots: [{ name: "s1", created_at: "2025-01-01T00:00:02.000Z", size_bytes: 10 }],
  create_pid: null,
  error: null,
};

/** The schema of the head: the record schema's own fields, picked. */
const HeadSchema = WorkspaceRecordSchema.pick(
  Object.fromEntries(HEAD_FIELDS.map((k) => [k, true])) as { [K in (typeof HEAD_FIELDS)[number]]: true },
);

describe("quickWorkspaceHead", () => {
  it("checks fields of the record schema only, and every field the sample has is in the schema", () => {
    expect(Object.keys(record).sort()).toEqual(Object.keys(WorkspaceRecordSchema.shape).sort());
    for (const field of HEAD_FIELDS) expect(Object.keys(WorkspaceRecordSchema.shape)).toContain(field);
  });

  it("takes a current record and returns the head the schema returns, as a copy", () => {
    const quick = quickWorkspaceHead(record);
    expect(quick).toEqual(HeadSchema.parse(record));
    expect(quick?.secrets).not.toBe(record.secrets);
  });

  it("never disagrees with the schema on the fields it vouches for", () => {
    const variants = [
      record,
      { ...record, name: null, secrets: [] },
      { ...record, state: "creating", create_pid: 123, error: { code: "boot_failed", message: "x" } },
    ];
    expect(expectSound(HeadSchema, quickWorkspaceHead, variants.flatMap(mutations))).toBeGreaterThan(3);
  });

  it("leaves a record whose head is damaged to the schema", () => {
    expect(quickWorkspaceHead({ ...record, command_count: "3" })).toBeUndefined();
    const { state: _, ...withoutState } = record;
    expect(quickWorkspaceHead(withoutState)).toBeUndefined();
  });
});
