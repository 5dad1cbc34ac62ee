/** The SDK's `*Vm` lifecycle against real guests: create/start/exec/stop/delete, TTL, no orphans. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Pyro } from "../../src/sdk/index.js";
import { processesMentioning, requireGuest } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();
const pyro = () => new Pyro({ stateDir: home.home() });

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

describe("VM lifecycle (SDK)", () => {
  it("creates, starts, execs with auto-clean", async () => {
    const p = pyro();
    const vm = await p.createVm({ environment: "debian:12", memMib: 512 });
    expect(vm).toMatchObject({ state: "created", memMib: 512, vcpuCount: 1, environment: "debian:12" });
    const started = await p.startVm(vm.vmId);
    expect(started.state).toBe("started");
    expect(["kvm", "tcg"]).toContain(started.acceleration);
    expect(started.bootMs).toBeGreaterThan(0);
    const chunks: Buffer[] = [];
    const r = await p.execVm(
      { vmId: vm.vmId, command: ["sh", "-c", "cat /proc/meminfo | head -1; nproc"] },
      { onStdout: (c) => chunks.push(c) },
    );
    expect(r.exitCode).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe(r.stdout);
    expect(r.stdout).toMatch(/^MemTotal:\s+\d+ kB\n1\n$/);
    expect(r.cleanup).toEqual({ deleted: true, reason: "completed", vmId: vm.vmId });
    await expect(p.statusVm(vm.vmId)).rejects.toMatchObject({ code: "vm_not_found" });
  });

  it("stops with a guest power-off, then deletes", async () => {
    const p = pyro();
    const vm = await p.createVm({ environment: "debian:12" });
    await p.startVm(vm.vmId);
    const stopped = await p.stopVm(vm.vmId);
    expect(stopped.state).toBe("stopped");
    const sv = JSON.parse(readFileSync(join(home.home(), "vms", vm.vmId, "run", "sv.json"), "utf8"));
    expect(sv.exit).toMatchObject({ code: 0 }); // QEMU exited by itself after sysrq, not killed
    expect(await p.deleteVm(vm.vmId)).toEqual({ deleted: true, reason: "deleted", vmId: vm.vmId });
    expect(existsSync(join(home.home(), "vms", vm.vmId))).toBe(false);
  });

  it("leaves no orphan VMM when the supervisor is killed", async () => {
    const p = pyro();
    const vm = await p.createVm({ environment: "debian:12" });
    await p.startVm(vm.vmId);
    const sv = JSON.parse(readFileSync(join(home.home(), "vms", vm.vmId, "run", "sv.json"), "utf8"));
    expect(alive(sv.vmm_pid)).toBe(true);
    process.kill(sv.supervisor_pid, "SIGKILL");
    await until("QEMU to die with its supervisor", async () => (alive(sv.vmm_pid) ? undefined : true));
    // Not silently stopped: the supervisor died without a stop request.
    const status = await p.statusVm(vm.vmId);
    expect(status).toMatchObject({ state: "failed", error: { code: "vmm_crashed" } });
    expect(status.error?.message).toMatch(/supervisor \(pid \d+\) died while the VM was ready/);
    await p.deleteVm(vm.vmId);
    expect(processesMentioning(join(home.home(), "vms", vm.vmId))).toEqual([]);
  });

  it("stops an idle VM at its TTL and reaps it", async () => {
    const p = pyro();
    const vm = await p.createVm({ environment: "debian:12", ttlSeconds: 2 });
    await p.startVm(vm.vmId);
    const status = await until("the TTL to expire", async () => {
      const s = await p.statusVm(vm.vmId);
      return s.state === "stopped" ? s : undefined;
    });
    expect(Date.parse(status.expiresAt ?? "")).toBeLessThanOrEqual(Date.now());
    expect((await p.reapExpired()).reaped).toContain(vm.vmId);
    await expect(p.statusVm(vm.vmId)).rejects.toMatchObject({ code: "vm_not_found" });
  });

  it("refuses unknown ids and bad sizes with typed errors", async () => {
    const p = pyro();
    await expect(p.startVm("vm_000000000000")).rejects.toMatchObject({ code: "vm_not_found" });
    await expect(p.createVm({ environment: "debian:12", vcpuCount: 0 })).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(p.createVm({ environment: "nope" })).rejects.toMatchObject({
      code: "environment_not_found",
    });
  });
});
