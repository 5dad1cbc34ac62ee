import { describe, expect, it } from "vitest";
import { parseInput } from "../../../src/contract/parse-input.js";
import { RunInputSchema } from "../../../src/contract/run.js";

describe("run input validation", () => {
  it("fills the contract defaults", () => {
    const v = parseInput(RunInputSchema, { environment: "debian:12", command: ["true"] });
    expect(v).toMatchObject({
      vcpuCount: 1,
      memMib: 1024,
      timeoutSeconds: 30,
      ttlSeconds: 600,
      network: false,
    });
  });
  it.each([
    [{ memMib: 0 }, "memMib"],
    [{ vcpuCount: 99 }, "vcpuCount"],
    [{ timeoutSeconds: 1.5 }, "timeoutSeconds"],
    [{ command: [] }, "command"],
  ])("refuses %o naming the field", (patch, field) => {
    expect(() =>
      parseInput(RunInputSchema, { environment: "debian:12", command: ["true"], ...patch }),
    ).toThrow(
      expect.objectContaining({ code: "invalid_argument", details: expect.objectContaining({ field }) }),
    );
  });
  it("refuses unknown fields", () => {
    expect(() =>
      parseInput(RunInputSchema, { environment: "debian:12", command: ["true"], timeout: 3 }),
    ).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });
});
