import { describe, expect, it } from "vitest";
import { classifyProbeOutput } from "../../../src/vmm/qemu/accel-probe.js";

describe("classifyProbeOutput", () => {
  it("counts a root-mount panic as a successful boot", () => {
    expect(
      classifyProbeOutput('VFS: Cannot open root device "pyro"\nKernel panic - not syncing', "")?.ok,
    ).toBe(true);
  });
  it("names PVM emulation failures", () => {
    const v = classifyProbeOutput("", "KVM internal error. Suberror: 1\nemulation failure\n");
    expect(v).toEqual({ ok: false, why: "emulation failure" });
  });
  it("names the MSR failure", () => {
    expect(classifyProbeOutput("", "qemu: error: failed to set MSR 0x10a to 0x69")?.why).toBe(
      "MSR setup failed",
    );
  });
  it("is undecided while the guest is still booting", () => {
    expect(classifyProbeOutput("Linux version 6.1", "")).toBeUndefined();
  });
});
