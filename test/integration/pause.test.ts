/**
 * Workspace pause and resume, and the idle TTL that pauses (issue 13 acceptance), against real
 * guests: processes, shells and the guest clock across a pause; TTL pause, transparent resume,
 * `--ttl-action delete`, `--no-auto-resume`.
 */
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `workspace create debian:12 ARGS --id-only`, checked. */
async function create(...args: string[]): Promise<string> {
  const r = await cli("workspace", "create", "debian:12", ...args, "--id-only");
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

async function json(...args: string[]) {
  const r = await cli(...args, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** A TCP server in the guest that answers each connection with its own pid. */
const PID_SERVER =
  'use IO::Socket::INET; $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die; while ($c = $s->accept) { print $c "pid=$$\\n"; close $c }';
const PID_CLIENT = '$c = IO::Socket::INET->new("127.0.0.1:8080") or die "no answer: $!"; print <$c>';

describe("pause and resume", () => {
  it("keeps a service (same pid), a shell variable, and sets the guest clock after a 10 s pause", {
    timeout: 180_000,
  }, async () => {
    const id = await create();
    const started = await cli(
      "workspace",
      "service",
      "start",
      id,
      "pidserver",
      "--ready-tcp",
      "127.0.0.1:8080",
      "--",
      "perl",
      "-e",
      PID_SERVER,
    );
    expect(started.code, started.stderr).toBe(0);
    const ask = async () =>
      (
        await cli("workspace", "exec", id, "--", "perl", "-MIO::Socket::INET", "-e", PID_CLIENT)
      ).stdout.trim();
    const before = await ask();
    expect(before).toMatch(/^pid=\d+$/);
    const shell = (await cli("workspace", "shell", "open", id, "--id-only")).stdout.trim();
    await cli("workspace", "shell", "write", id, shell, "--input", "export PAUSE_MARK=kept-$((6*7))");
    await cli("workspace", "shell", "read", id, shell, "--wait-for-idle-ms", "300");

    const paused = await json("workspace", "pause", id);
    expect(paused).toMatchObject({
      changed: true,
      workspace: { state: "paused", paused: { reason: "requested", stopped: false }, expires_at: null },
    });
    // Its answer counts the services saved with it, as status does below.
    expect(paused.workspace).toMatchObject({ service_count: 1, running_service_count: 1 });
    // Pausing it again changes nothing, its activity mark included.
    const again = await json("workspace", "pause", id);
    expect(again).toMatchObject({ changed: false, workspace: { state: "paused" } });
    expect(again.workspace.last_activity_at).toBe(paused.workspace.last_activity_at);
    const status = await json("workspace", "status", id);
    expect(status).toMatchObject({ state: "paused", paused: { reason: "requested" } });
    // Its service is frozen, not gone: counted as at pause time.
    expect(status).toMatchObject({ service_count: 1, running_service_count: 1 });
    // Disk tools refuse: the paused guest's page cache holds writes its disk has not seen.
    const disk = await cli("workspace", "disk", "list", id);
    expect(disk.stderr).toMatch(/^error\[workspace_not_stopped\]: .* is paused/);

    await sleep(10_000);
    const resumed = await json("workspace", "resume", id);
    expect(resumed).toMatchObject({ changed: true, workspace: { state: "started", paused: null } });
    expect((await json("workspace", "resume", id)).changed).toBe(false);

    const clock = await cli("workspace", "exec", id, "--", "date", "+%s");
    const host = Date.now() / 1000;
    expect(Math.abs(Number(clock.stdout.trim()) - host)).toBeLessThanOrEqual(2);
    expect(await ask()).toBe(before);
    const services = await json("workspace", "service", "list", id);
    expect(`pid=${services.services[0].pid}`).toBe(before);
    await cli("workspace", "shell", "write", id, shell, "--input", "echo mark=$PAUSE_MARK");
    const read = await json("workspace", "shell", "read", id, shell, "--plain", "--wait-for-idle-ms", "300");
    expect(read.output).toContain("mark=kept-42");
  });

  it("--no-auto-resume: exec on a paused workspace fails with workspace_paused until resume", {
    timeout: 120_000,
  }, async () => {
    const id = await create("--no-auto-resume");
    await cli("workspace", "exec", id, "--", "sh", "-c", "echo here > f.txt");
    expect((await json("workspace", "pause", id)).workspace.auto_resume).toBe(false);
    const refused = await cli("workspace", "exec", id, "--", "cat", "f.txt");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error\[workspace_paused\]/);
    expect(refused.stderr).toContain(`pyro workspace resume ${id}`);
    await json("workspace", "resume", id);
    expect((await cli("workspace", "exec", id, "--", "cat", "f.txt")).stdout).toBe("here\n");
  });
});

describe("pause and the disk", () => {
  it("syncs before the save: the disk of a paused-then-stopped workspace has the last write; a lost saved machine is state_corrupt", {
    timeout: 120_000,
  }, async () => {
    const id = await create();
    // No sync of its own: the write may sit in the guest's page cache until the pause.
    const wrote = await cli("workspace", "exec", id, "--", "sh", "-c", "echo synced > s.txt");
    expect(wrote.code, wrote.stderr).toBe(0);
    await json("workspace", "pause", id);
    rmSync(join(pyro.home(), "workspaces", id, "pause"), { recursive: true, force: true });
    const resumed = await cli("workspace", "resume", id);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(/^error\[state_corrupt\]: .*saved machine is gone/);
    expect(resumed.stderr).toContain(`pyro workspace start ${id}`);
    // A paused workspace stops: its saved machine goes (changed), a second stop is a no-op.
    expect(await json("workspace", "stop", id)).toMatchObject({
      changed: true,
      workspace: { state: "stopped" },
    });
    expect((await json("workspace", "stop", id)).changed).toBe(false);
    // Stopped, it is no longer paused: resume says so, and points at start.
    const notPaused = await cli("workspace", "resume", id);
    expect(notPaused.code).toBe(1);
    expect(notPaused.stderr).toMatch(/^error\[workspace_not_paused\]: .* is stopped, not paused/);
    const read = await cli("workspace", "disk", "read", id, "s.txt", "--content-only");
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe("synced\n");
  });
});

/** What 127.0.0.1:`port` on the host answers, or the connection error's code. */
function hostAnswer(port: number): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    const socket = connect(port, "127.0.0.1");
    socket.on("data", (d) => {
      data += d.toString();
    });
    socket.on("end", () => resolve(data.trim()));
    socket.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe("pause and resume with a NIC", () => {
  // Network tests need root (TAP devices, nftables), as network.test.ts.
  it("closes published ports on pause and reopens them on the same host port on resume", {
    timeout: 180_000,
  }, async () => {
    if (process.getuid?.() !== 0) throw new Error("network tests need root (TAP devices, nftables)");
    const id = await create("--network-policy", "egress+published-ports");
    const started = await cli(
      "workspace",
      "service",
      "start",
      id,
      "web",
      "--ready-tcp",
      "127.0.0.1:8080",
      "--publish",
      "8080",
      "--json",
      "--",
      "perl",
      "-e",
      PID_SERVER,
    );
    expect(started.code, started.stderr).toBe(0);
    const port = JSON.parse(started.stdout).published_ports[0].host_port as number;
    const before = await hostAnswer(port);
    expect(before).toMatch(/^pid=\d+$/);

    await json("workspace", "pause", id);
    expect(await hostAnswer(port)).toBe("ECONNREFUSED");
    const resumed = await json("workspace", "resume", id);
    expect(resumed.workspace.network).toMatchObject({ guest_ip: expect.any(String) });
    expect(await hostAnswer(port)).toBe(before);
    const services = await json("workspace", "service", "list", id);
    expect(services.services[0].published_ports).toMatchObject([{ host_port: port, guest_port: 8080 }]);
  });
});

describe("idle TTL", () => {
  it("pauses an idle workspace (listed as paused, not gone); the next exec resumes it", {
    timeout: 180_000,
  }, async () => {
    const id = await create("--ttl-seconds", "20");
    await cli("workspace", "exec", id, "--", "sh", "-c", "echo survived > f.txt");
    await sleep(30_000);
    const list = await json("workspace", "list");
    const listed = list.workspaces.find((w: { workspace_id: string }) => w.workspace_id === id);
    expect(listed).toMatchObject({ state: "paused", paused: { reason: "ttl", stopped: false } });
    const status = await cli("workspace", "status", id);
    expect(status.stdout).toMatch(/State: paused \(idle past its TTL/);

    const exec = await cli("workspace", "exec", id, "--", "cat", "f.txt");
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toBe("survived\n");
    expect(await json("workspace", "status", id)).toMatchObject({ state: "started", paused: null });
  });

  it("--ttl-action delete: the idle workspace is gone", { timeout: 180_000 }, async () => {
    const id = await create("--ttl-seconds", "20", "--ttl-action", "delete");
    await sleep(30_000);
    const list = await json("workspace", "list");
    expect(list.workspaces.map((w: { workspace_id: string }) => w.workspace_id)).not.toContain(id);
    expect((await cli("workspace", "status", id)).stderr).toMatch(/^error\[workspace_not_found\]/);
  });
});
