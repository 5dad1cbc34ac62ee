import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseGuestLimits } from "../../../../src/core/workspaces/guest-limits.js";

/** The agent's own golden file (protocol/guest): both sides read it. */
const golden = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../../protocol/guest/limits_record.json"), "utf8"),
);

describe("parseGuestLimits", () => {
  it("accepts the agent's limits record", () => {
    expect(parseGuestLimits(golden)).toEqual(golden);
    expect(parseGuestLimits(golden)).toMatchObject({ enabled: true, max_pids: 3571, user_process_count: 3 });
  });
  it("keeps only the known fields", () => {
    expect(parseGuestLimits({ ...golden, extra: "x" })).toEqual(golden);
  });
  it.each([
    ["not an object", "limits"],
    ["null", null],
    ["enabled missing", { ...golden, enabled: undefined }],
    ["a count as text", { ...golden, user_process_count: "3" }],
    ["a fraction", { ...golden, max_pids: 1.5 }],
    ["below -1", { ...golden, user_pids_current: -2 }],
    ["beyond safe integers", { ...golden, user_memory_max_bytes: 2 ** 60 }],
  ])("refuses %s", (_name, value) => {
    expect(() => parseGuestLimits(value)).toThrow(
      expect.objectContaining({ code: "guest_protocol_mismatch" }),
    );
  });
});
