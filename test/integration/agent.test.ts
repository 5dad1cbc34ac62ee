/**
 * The guest agent in a real guest: process-group kill on timeout, stdin streaming, binary
 * output, no busy-spinning while no host is connected to its virtio-serial port, and wire
 * error codes: a route the agent (or the supervisor) does not know reaches the host as
 * guest_protocol_mismatch, never as a missing file, while a missing path stays file_not_found.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { AgentSession } from "../../src/agent/client.js";
import { ensureBootInitrd } from "../../src/core/boot-initrd.js";
import { resolveConfig } from "../../src/core/config.js";
import { requireInstalled } from "../../src/core/environments/registry.js";
import { hostTscKhz } from "../../src/core/host.js";
import { packagePaths, vmPaths } from "../../src/core/paths.js";
import { VmManager } from "../../src/core/vm-manager.js";
import { GuestFiles } from "../../src/core/workspaces/guest-files.js";
import { PyroError } from "../../src/errors.js";
import { expectOk, SupervisorClient } from "../../src/supervisor/client.js";
import type { VmConfig } from "../../src/supervisor/protocol.js";
import { vmmCommand } from "../../src/supervisor/vmm.js";
import { requireGuest } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();
/** One started VM for the agent's tests, through core's VmManager. */
const sharedVm = home.shared("VM", async () => {
  const vms = new VmManager(resolveConfig({ stateDir: home.home() }));
  const vm = await vms.create({
    environment: "debian:12",
    vcpuCount: 1,
    memMib: 512,
    ttlSeconds: 600,
    network: false,
  });
  await vms.start(vm.vm_id);
  return { vms, vmId: vm.vm_id };
});

/**
 * Starts QEMU alone, no supervisor, with exactly the command the supervisor would run for `vm`
 * (`pyro-supervisor argv`); setpriv makes it die with this test process.
 */
async function startBareQemu(vm: VmConfig, qemuBinary: string) {
  const cmd = await vmmCommand(packagePaths.supervisorEntry, {
    vm,
    vmm: "qemu",
    qemuBinary,
    ttlSeconds: 0,
    ownerPid: null,
    bootTimeoutMs: 90_000,
    socketPath: join(vm.runDir, "sv.sock"),
    pidPath: join(vm.runDir, "sv.pid"),
    statePath: join(vm.runDir, "sv.json"),
    logPath: join(vm.runDir, "sv.log"),
  });
  const child = spawn("setpriv", ["--pdeathsig", "SIGKILL", "--", cmd.binary, ...cmd.args], {
    cwd: cmd.dir,
    env: { ...process.env, ...cmd.env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = once(child, "exit");
  await once(child, "spawn");
  return {
    pid: child.pid as number,
    /** The host end of the agent port (QEMU's chardev socket), once QEMU has created it. */
    async connectAgent(): Promise<Socket> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await new Promise<Socket>((resolve, reject) => {
            const sock = connect(vm.agentSocketPath);
            sock.once("connect", () => resolve(sock.removeAllListeners("error")));
            sock.once("error", reject);
          });
        } catch (err) {
          if (attempt > 100 || child.exitCode !== null) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
    async kill(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** CPU time (user+system) of a process in clock ticks, from /proc/<pid>/stat. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

describe("guest agent", () => {
  it("kills the whole process group at the timeout", async () => {
    const { vms, vmId } = sharedVm();
    const r = await vms.exec(vmId, { command: ["sh", "-c", "sleep 100 & sleep 100"], timeoutSeconds: 1 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("KILL");
    const ps = await vms.exec(vmId, { command: ["ps", "-eo", "comm="], timeoutSeconds: 10 });
    expect(ps.stdout.split("\n")).not.toContain("sleep");
  });

  it("returns when the command exits even if a background child holds its output open", async () => {
    const { vms, vmId } = sharedVm();
    const started = Date.now();
    const r = await vms.exec(vmId, { command: ["sh", "-c", "sleep 30 & echo started"], timeoutSeconds: 10 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("started\n");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("streams stdin and passes env and cwd", async () => {
    const { vms, vmId } = sharedVm();
    const r = await vms.exec(vmId, {
      command: ["sh", "-c", 'tr a-z A-Z; echo "$GREETING in $(pwd)"'],
      timeoutSeconds: 10,
      env: { GREETING: "hello" },
      cwd: "/tmp",
      stdin: Readable.from([Buffer.from("abc\n"), Buffer.from("def\n")]),
    });
    expect(r.stdout).toBe("ABC\nDEF\nhello in /tmp\n");
  });

  it("carries binary output byte for byte", async () => {
    const { vms, vmId } = sharedVm();
    const chunks: Buffer[] = [];
    const r = await vms.exec(vmId, {
      command: ["sh", "-c", "head -c 300000 /dev/urandom | tee /tmp/blob | sha256sum >&2; cat /tmp/blob"],
      timeoutSeconds: 30,
      onStdout: (c) => chunks.push(c),
    });
    expect(r.exitCode).toBe(0);
    const { createHash } = await import("node:crypto");
    const got = createHash("sha256").update(Buffer.concat(chunks)).digest("hex");
    expect(r.stderr.split(" ")[0]).toBe(got);
    expect(Buffer.concat(chunks).length).toBe(300000);
  });

  it("keeps the guest console log on the host bounded", { timeout: 120_000 }, async () => {
    const { vms, vmId } = sharedVm();
    const log = join(home.home(), "vms", vmId, "logs", "console.log");
    const r = await vms.exec(vmId, {
      command: ["sh", "-c", "head -c 9000000 /dev/zero | tr '\\0' x > /dev/ttyS0"],
      timeoutSeconds: 100,
    });
    expect(r.exitCode).toBe(0);
    await new Promise((res) => setTimeout(res, 1500)); // the supervisor checks once a second
    expect(statSync(log).size).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it("reports 127 for a missing command", async () => {
    const { vms, vmId } = sharedVm();
    const r = await vms.exec(vmId, { command: ["no-such-tool"], timeoutSeconds: 10 });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toContain("no-such-tool");
  });

  it("does not spin while no host is connected, and serves a host that connects late", async () => {
    const config = resolveConfig({ stateDir: home.home() });
    const boot = await requireInstalled(config.cacheDir, "debian:12");
    const initrdPath = await ensureBootInitrd(
      config.stateDir,
      boot.modulesPath,
      boot.modulesSha256,
      packagePaths.agentBinary,
    );
    const run = mkdtempSync(join(home.home(), "raw-"));
    const vmm = await startBareQemu(
      {
        vmId: "raw",
        kernelPath: boot.kernelPath,
        initrdPath,
        deviceDiscovery: boot.deviceDiscovery,
        rootfsPath: boot.rootfsPath,
        diskMode: "ephemeral",
        vcpuCount: 1,
        memMib: 512,
        accel: "tcg",
        tscKhz: hostTscKhz(),
        runDir: run,
        agentSocketPath: join(run, "agent.sock"),
        consoleLogPath: join(run, "console.log"),
        tmpDir: run,
      },
      config.qemuBinary,
    );
    const consoleText = () => {
      try {
        return readFileSync(join(run, "console.log"), "utf8");
      } catch {
        return ""; // QEMU has not created it yet
      }
    };
    try {
      // Let the guest boot and its agent find the port with nobody on the host end.
      for (let i = 0; i < 100 && !consoleText().includes("pyro-agent: ready"); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(consoleText()).toContain("pyro-agent: ready");
      const before = cpuTicks(vmm.pid);
      await new Promise((r) => setTimeout(r, 2000));
      const ticks = cpuTicks(vmm.pid) - before; // 100 ticks per second of CPU
      expect(ticks, "QEMU CPU ticks over 2 s with the host end disconnected").toBeLessThan(80);
      const agent = new AgentSession(await vmm.connectAgent());
      const info = await agent.info();
      expect(info.protocol_version).toBe(1);
      agent.close();
    } finally {
      await vmm.kill();
      rmSync(run, { recursive: true, force: true });
    }
  });
});

/** The PyroError a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<PyroError> {
  const err = await p.then(
    () => new Error("resolved"),
    (e: unknown) => e,
  );
  if (!(err instanceof PyroError)) throw err;
  return err;
}

describe("wire error codes from a real guest", () => {
  const client = () => new SupervisorClient(vmPaths(home.home(), sharedVm().vmId).supervisorSocket);

  it("an agent route that does not exist is guest_protocol_mismatch, not file_not_found", async () => {
    const res = await client().request("GET", "/v1/agent/templates?path=x");
    expect(res.status).toBe(404);
    const err = await rejection(expectOk(res));
    expect(err.code).toBe("guest_protocol_mismatch");
    expect(err.message).toContain("the guest agent does not know this request (no route GET /v1/templates)");
    expect(err.details).toMatchObject({ upstream_code: "no_route", route: "/v1/agent/templates" });
  });

  it("a supervisor route that does not exist is guest_protocol_mismatch too", async () => {
    const err = await rejection(client().json("GET", "/v1/templates"));
    expect(err.code).toBe("guest_protocol_mismatch");
    expect(err.message).toContain("the VM's supervisor does not know this request");
  });

  it("a missing file stays file_not_found", async () => {
    const err = await rejection(new GuestFiles(client()).list("no-such-dir", false));
    expect(err.code).toBe("file_not_found");
    expect(err.details).toMatchObject({ upstream_code: "not_found" });
  });
});
