/** The zod-free check of a workspace record's head fields (record-check.ts) against WorkspaceRecordSchema. */
import { describe, expect, it } from "vitest";
import { WorkspaceRecordSchema } from "../../../../src/contract/records/workspace-record.js";
import { HEAD_FIELDS, quickWorkspaceHead } from "../../../../src/core/workspaces/record-check.js";
import { expectSound, mutations } from "../../../support/fast-path.js";
import { SAMPLE_WORKSPACE_RECORD } from "../../../support/workspace-record.js";

const record = SAMPLE_WORKSPACE_RECORD;

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
