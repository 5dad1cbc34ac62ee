import { describe, expect, it } from "vitest";
import { environmentSlug, MAX_SOCKET_PATH_BYTES, vmPaths } from "../../../src/core/paths.js";

describe("state layout", () => {
  it("keeps every socket path of a VM under the Unix limit for a typical PYRO_HOME", () => {
    const p = vmPaths("/home/someone-with-a-long-name/.local/share/pyro", "vm_0123456789ab");
    for (const sock of [p.supervisorSocket, p.agentSocket, p.qmpSocket]) {
      expect(Buffer.byteLength(sock)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    }
  });
  it("slugs environment names for directories", () => {
    expect(environmentSlug("debian:12-build")).toBe("debian-12-build");
  });
});

describe("supervisor layout", () => {
  it("names the QMP socket where the Go supervisor puts it (run/qmp.sock)", () => {
    const p = vmPaths("/s", "vm_0123456789ab");
    expect(p.qmpSocket).toBe("/s/vms/vm_0123456789ab/run/qmp.sock");
  });
});
