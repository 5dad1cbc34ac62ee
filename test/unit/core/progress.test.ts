import { describe, expect, it } from "vitest";
import { phaseFraction, phaseFromScriptLine } from "../../../src/core/environments/progress.js";

describe("pull progress", () => {
  it("maps build-script lines to phases", () => {
    expect(phaseFromScriptLine("[kernel] phase=compile jobs=2")).toBe("kernel-compile");
    expect(phaseFromScriptLine("[rootfs] phase=bootstrap environment=debian-12")).toBe("bootstrap");
    expect(phaseFromScriptLine("[rootfs] phase=done")).toBeUndefined();
    expect(phaseFromScriptLine("CC kernel/fork.o")).toBeUndefined();
  });
  it("grows monotonically to 1", () => {
    const order = ["resolve", "kernel-compile", "bootstrap", "image", "install", "done"] as const;
    const fractions = order.map(phaseFraction);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    expect(fractions.at(-1)).toBe(1);
  });
});
