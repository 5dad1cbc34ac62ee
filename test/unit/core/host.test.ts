import { describe, expect, it } from "vitest";
import { hostTscKhz } from "../../../src/core/host.js";

describe("hostTscKhz", () => {
  it("reads cpu MHz as kHz", () => {
    expect(hostTscKhz("processor\t: 0\ncpu MHz\t\t: 2445.404\n")).toBe(2445404);
  });
  it("is undefined when cpuinfo has no frequency", () => {
    expect(hostTscKhz("processor : 0\n")).toBeUndefined();
  });
});
