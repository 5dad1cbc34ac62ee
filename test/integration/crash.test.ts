/**
 * Crash visibility (issue 12): kill -9 of QEMU, and separately of the supervisor, while a
 * command runs. The command fails fast with guest_unreachable, nothing of the VM keeps
 * running, the workspace reads `failed` with the reason, and `start` brings it back with the
 * files written before.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processesMentioning, requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process that runs (a zombie waiting for init to reap it has ended). */
function isRunning(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

interface Status {
  state: string;
  error: { code: string; message: string } | null;
}

describe("crashes during a command", () => {
  it.each([
    ["QEMU", "vmm_pid", /VMM was killed by SIGKILL without a stop request/],
    ["the supervisor", "supervisor_pid", /supervisor \(pid \d+\) died while the VM was ready/],
  ] as const)("kill -9 of %s", { timeout: 240_000 }, async (_victim, pidField, reason) => {
    const id = (await cli("workspace", "create", "debian:12", "--id-only")).stdout.trim();
    const dir = join(pyro.home(), "workspaces", id);
    const wrote = await cli("workspace", "exec", id, "--", "sh", "-c", "echo before > kept.txt; sync");
    expect(wrote.code, wrote.stderr).toBe(0);

    const running = cli("workspace", "exec", id, "--", "sleep", "60");
    const svPath = join(dir, "run", "sv.json");
    let sv = JSON.parse(readFileSync(svPath, "utf8"));
    for (let i = 0; i < 200 && sv.in_flight < 1; i++) {
      await sleep(50);
      sv = JSON.parse(readFileSync(svPath, "utf8"));
    }
    expect(sv.in_flight, "the command never started").toBeGreaterThan(0);
    await sleep(500); // the command is running in the guest now
    const killedAt = Date.now();
    process.kill(sv[pidField], "SIGKILL");

    const exec = await running;
    expect(Date.now() - killedAt, "exec took too long to fail").toBeLessThan(2000);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toMatch(/^error\[guest_unreachable\]/);

    await sleep(1000);
    const alive = [sv.vmm_pid, sv.supervisor_pid].filter(isRunning);
    expect(alive, "QEMU or supervisor still running 1 s after the kill").toEqual([]);
    expect(processesMentioning(dir).filter(isRunning)).toEqual([]);

    const status = JSON.parse((await cli("workspace", "status", id, "--json")).stdout) as Status;
    expect(status).toMatchObject({ state: "failed", error: { code: "vmm_crashed" } });
    expect(status.error?.message).toMatch(reason);
    const refused = await cli("workspace", "exec", id, "--", "true");
    expect(refused.stderr).toMatch(/^error\[workspace_not_running\]/);
    expect(refused.stderr).toContain(`pyro workspace start ${id}`);

    const started = await cli("workspace", "start", id, "--json");
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ changed: true, workspace: { state: "started" } });
    const kept = await cli("workspace", "exec", id, "--", "cat", "kept.txt");
    expect(kept.stdout).toBe("before\n");
    const after = JSON.parse((await cli("workspace", "status", id, "--json")).stdout) as Status;
    expect(after).toMatchObject({ state: "started", error: null });
  });
});
