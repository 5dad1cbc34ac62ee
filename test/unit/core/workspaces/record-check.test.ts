/** The zod-free workspace record check (record-check.ts) against WorkspaceRecordSchema. */
import { describe, expect, it } from "vitest";
import { quickWorkspaceRecord } from "../../../../src/core/workspaces/record-check.js";
import { WorkspaceRecordSchema } from "../../../../src/core/workspaces/record-schema.js";
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
  max_pids: null,
  disk_mib: 8192,
  command_count: 3,
  snapshots: [{ name: "s1", created_at: "2025-01-01T00:00:02.000Z", size_bytes: 10 }],
  create_pid: null,
  error: null,
};

describe("quickWorkspaceRecord", () => {
  it("covers every field of the schema", () => {
    expect(Object.keys(record).sort()).toEqual(Object.keys(WorkspaceRecordSchema.shape).sort());
  });

  it("takes a current record and returns what the schema returns, as a copy", () => {
    const quick = quickWorkspaceRecord(record);
    expect(quick).toEqual(WorkspaceRecordSchema.parse(record));
    expect(quick).not.toBe(record);
    const { create_pid: _, ...withoutPid } = record;
    expect(quickWorkspaceRecord(withoutPid)).toEqual(WorkspaceRecordSchema.parse(withoutPid));
  });

  it("never disagrees with the schema", () => {
    const variants = [
      record,
      { ...record, name: null, acceleration: null, network: null, secrets: [], snapshots: [], max_pids: 64 },
      { ...record, state: "creating", create_pid: 123, error: { code: "boot_failed", message: "x" } },
    ];
    expect(
      expectSound(WorkspaceRecordSchema, quickWorkspaceRecord, variants.flatMap(mutations)),
    ).toBeGreaterThan(3);
  });

  it("leaves older records (fields to default) to the schema", () => {
    const { snapshots: _, ...old } = record;
    expect(quickWorkspaceRecord(old)).toBeUndefined();
  });
});
