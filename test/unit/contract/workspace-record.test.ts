/**
 * The workspace record is defined once (contract/records/workspace-record.ts): the public
 * record is derived from it, and core copies its fields through without naming them, so a new
 * field of the record needs only its schema and the code that fills it. No VM boots here.
 */
import { describe, expect, it } from "vitest";
import { camelKey } from "../../../src/contract/case.js";
import { WorkspaceSchema } from "../../../src/contract/records/workspace.js";
import { WorkspaceRecordSchema } from "../../../src/contract/records/workspace-record.js";
import { workspaceRecord } from "../../../src/core/workspaces/public-record.js";
import type { WorkspaceView } from "../../../src/core/workspaces/workspace-view.js";
import { schemas } from "../../../src/sdk/index.js";
import { SAMPLE_WORKSPACE_RECORD } from "../../support/workspace-record.js";

const INTERNAL = ["layout_version", "kernel_path", "snapshots", "create_pid"];
const COMPUTED = [
  "expires_at",
  "service_count",
  "running_service_count",
  "disk_allocated_mib",
  "user_process_count",
];

const view: WorkspaceView = {
  ...WorkspaceRecordSchema.parse({
    ...SAMPLE_WORKSPACE_RECORD,
    labels: { Team_Key: "a" },
    vcpu_count: 2,
    max_pids: 64,
  }),
  expires_at: "2025-01-01T00:10:01.000Z",
  disk: { size_mib: 8192, allocated_mib: 12 },
};

describe("the workspace record, defined once", () => {
  it("derives the public record: the persisted fields but internal ones, plus computed ones", () => {
    const persisted = Object.keys(WorkspaceRecordSchema.shape).filter((k) => !INTERNAL.includes(k));
    const pub = Object.keys(WorkspaceSchema.shape);
    expect(pub.filter((k) => !COMPUTED.includes(k))).toEqual(persisted);
    expect(pub.filter((k) => COMPUTED.includes(k)).sort()).toEqual([...COMPUTED].sort());
  });

  it("keeps the JSON key order of --json (computed fields placed beside their kin)", () => {
    expect(Object.keys(WorkspaceSchema.shape)).toEqual([
      ...["workspace_id", "name", "labels", "environment", "state", "vcpu_count", "mem_mib"],
      ...["ttl_seconds", "ttl_action", "auto_resume", "paused", "network_policy", "execution_mode"],
      ...["acceleration", "created_at"],
      ...["last_activity_at", "expires_at", "workspace_seed", "forked_from", "secrets", "network"],
      "command_count",
      ...["service_count", "running_service_count", "max_pids", "disk_mib", "disk_allocated_mib"],
      ...["user_process_count", "error"],
    ]);
  });

  it("core copies every persisted field through without naming it", () => {
    const record = workspaceRecord(view);
    expect(WorkspaceSchema.parse(record)).toEqual(record);
    for (const key of Object.keys(WorkspaceRecordSchema.shape)) {
      if (INTERNAL.includes(key) || key === "disk_mib") continue; // disk_mib: the disk file's size
      expect({ key, value: record[key as keyof typeof record] }).toEqual({
        key,
        value: view[key as keyof WorkspaceView],
      });
    }
    expect(record).toMatchObject({ disk_mib: 8192, disk_allocated_mib: 12, expires_at: view.expires_at });
  });

  it("gives the SDK the same record camelCased, user maps untouched", () => {
    const camel = schemas.WorkspaceSchema.parse({
      ...Object.fromEntries(Object.entries(workspaceRecord(view)).map(([k, v]) => [camelKey(k), v])),
      workspaceSeed: { mode: "directory", seedPath: "/src" },
      secrets: [{ name: "TOKEN", sourceKind: "value" }],
      network: { interface: "pyro0", hostIp: "172.29.0.1", guestIp: "172.29.0.2" },
    });
    expect(camel.labels).toEqual({ Team_Key: "a" });
    expect(camel.diskAllocatedMib).toBe(12);
  });
});
