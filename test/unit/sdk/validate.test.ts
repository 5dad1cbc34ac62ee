import { describe, expect, it } from "vitest";
import { RunInputSchema } from "../../../src/contract/run.js";
import { validate } from "../../../src/sdk/validate.js";

describe("run input validation", () => {
  it("fills the contract defaults", () => {
    const v = validate(RunInputSchema, { environment: "debian:12", command: ["true"] });
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
    expect(() => validate(RunInputSchema, { environment: "debian:12", command: ["true"], ...patch })).toThrow(
      expect.objectContaining({ code: "invalid_argument", details: expect.objectContaining({ field }) }),
    );
  });
  it("refuses unknown fields", () => {
    expect(() =>
      validate(RunInputSchema, { environment: "debian:12", command: ["true"], timeout: 3 }),
    ).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });
});
