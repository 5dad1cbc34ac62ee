/** `pyro doctor` on this host: real KVM probe verdict, real VMM discovery. */
import { describe, expect, it } from "vitest";
import { DoctorReportSchema } from "../../src/contract/records/doctor.js";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();

describe("pyro doctor", () => {
  it("reports platform, runtime and which acceleration is used and why", async () => {
    const r = await runCli(["doctor"], pyro.env());
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Platform: linux-x86_64");
    expect(lines[1]).toBe("Runtime: PASS");
    expect(r.stdout).toMatch(/^Acceleration: (kvm|tcg) \(.+; using (KVM|TCG)\)$/m);
    expect(r.stdout).toMatch(/^VMMs: qemu \S+/m);
    // Networking facts for egress workspaces: tun, ip_forward and the firewall tool.
    expect(r.stdout).toMatch(
      /^Networking: tun=(yes|no) ip_forward=(yes|no) .*firewall=(nftables|iptables|none) /m,
    );
    expect(r.code).toBe(0);
  });

  it("emits the same facts as JSON", async () => {
    const r = await runCli(["doctor", "--json"], pyro.env());
    const doc = JSON.parse(r.stdout);
    // The contract's record schema, with nothing left over: one schema for core, SDK and --json.
    expect(DoctorReportSchema.strict().parse(doc)).toEqual(doc);
    expect(doc).toMatchObject({
      platform: "linux-x86_64",
      runtime_ok: true,
      capabilities: { vm_boot: true, guest_exec: true },
    });
    expect(["kvm", "tcg"]).toContain(doc.acceleration);
    expect(doc.kvm).toHaveProperty("guest_boots");
    expect(doc.networking).toHaveProperty("ip_forward");
    // setup.sh installs nftables and CI runs as root: networked workspaces are available there.
    if (process.getuid?.() === 0) {
      expect(doc.networking).toMatchObject({ tun: true, firewall: "nftables", root: true, available: true });
      expect(doc.capabilities.guest_network).toBe(true);
    }
  });
});
