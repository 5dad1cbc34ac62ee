/** The client side of `pyro-supervisor probe|argv`, against stand-in binaries (no VMM runs). */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SupervisorConfig } from "../../../src/supervisor/protocol.js";
import { probeVmms, vmmCommand } from "../../../src/supervisor/vmm.js";

const dir = mkdtempSync(join(tmpdir(), "pyro-vmm-tool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in supervisor binary running `body` (sh). */
function tool(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const config = { vm: { vmId: "vm_1" }, qemuBinary: "qemu-system-x86_64" } as unknown as SupervisorConfig;

describe("supervisor VMM tools", () => {
  it("passes the probe flags and returns the report, even with exit status 1", async () => {
    const echo = tool("probe", `printf '{"selected":"qemu","kvm":{},"drivers":[],"argv":"%s"}' "$*"; exit 1`);
    const report = await probeVmms(echo, {
      qemuBinary: "/opt/qemu",
      kernelPath: "/k/vmlinux",
      cachePath: "/c/host/accel-probe.json",
    });
    expect(report.selected).toBe("qemu");
    expect((report as unknown as { argv: string }).argv).toBe(
      "probe -json -vmm auto -qemu /opt/qemu -kernel /k/vmlinux -cache /c/host/accel-probe.json",
    );
  });

  it("hands argv the launch config on stdin", async () => {
    const cat = tool("argv", `[ "$*" = "argv -json -" ] && cat`);
    expect(await vmmCommand(cat, config)).toEqual(config);
  });

  it("turns the tool's error objects into PyroErrors with the same code", async () => {
    const refuse = tool(
      "refuse",
      `echo '{"error":{"code":"vmm_unavailable","message":"VMM \\"firecracker\\" is unavailable"}}'; exit 1`,
    );
    await expect(vmmCommand(refuse, config)).rejects.toMatchObject({ code: "vmm_unavailable" });
    const crash = tool("crash", "echo 'panic: boom' >&2; exit 2");
    await expect(vmmCommand(crash, config)).rejects.toMatchObject({
      code: "vmm_failed",
      message: expect.stringContaining("panic: boom"),
    });
  });

  it("reports a supervisor binary that is not built", async () => {
    await expect(probeVmms(join(dir, "missing"), { qemuBinary: "q" })).rejects.toMatchObject({
      code: "host_dependency_missing",
    });
  });
});
