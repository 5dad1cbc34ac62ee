/** Stopped workspaces and offline disk tools (issue 5 acceptance), against real guests. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { packagePaths } from "../../src/core/paths.js";
import { repoRoot, requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());
const run = promisify(execFile);

describe("stopped workspaces", () => {
  it("examples/stopped-workspace.sh runs end to end", { timeout: 300_000 }, async () => {
    const { stdout } = await run("bash", [join(repoRoot, "examples", "stopped-workspace.sh")], {
      env: pyro.env(),
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toContain("stopped-workspace example: OK");
  });

  it("refuses disk tools while running, stops idempotently, and starts after the VMM crashed", async () => {
    const id = (await cli("workspace", "create", "debian:12", "--id-only")).stdout.trim();
    // sync: a VMM killed with -9 loses what the guest had not written back yet, like any crash.
    await cli("workspace", "exec", id, "--", "sh", "-c", "echo kept > kept.txt; sync");
    const running = await cli("workspace", "disk", "read", id, "kept.txt");
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/^error\[workspace_not_stopped\]/);

    const sv = JSON.parse(readFileSync(join(pyro.home(), "workspaces", id, "run", "sv.json"), "utf8"));
    process.kill(sv.vmm_pid, "SIGKILL");
    // The supervisor records the VMM's death as a crash and exits; the workspace reads as failed.
    let status: { state?: string; error?: { code: string; message: string } } = {};
    for (let i = 0; i < 50 && status.state !== "failed"; i++) {
      status = JSON.parse((await cli("workspace", "status", id, "--json")).stdout);
      if (status.state !== "failed") await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toMatchObject({ state: "failed", error: { code: "vmm_crashed" } });
    expect(status.error?.message).toMatch(/killed by SIGKILL without a stop request/);
    const started = await cli("workspace", "start", id, "--json");
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ changed: true, workspace: { state: "started" } });
    expect((await cli("workspace", "exec", id, "--", "cat", "kept.txt")).stdout).toBe("kept\n");
    const again = JSON.parse((await cli("workspace", "start", id, "--json")).stdout);
    expect(again.changed).toBe(false);

    const stop = JSON.parse((await cli("workspace", "stop", id, "--json")).stdout);
    expect(stop).toMatchObject({ changed: true, workspace: { state: "stopped" } });
    const stopAgain = await cli("workspace", "stop", id, "--json");
    expect(stopAgain.code).toBe(0);
    expect(JSON.parse(stopAgain.stdout).changed).toBe(false);
    const exec = await cli("workspace", "exec", id, "--", "true");
    expect(exec.stderr).toMatch(/^error\[workspace_not_running\]/);
    const read = JSON.parse((await cli("workspace", "disk", "read", id, "kept.txt", "--json")).stdout);
    expect(read).toMatchObject({ content: "kept\n", size: 5 });
    expect((await cli("workspace", "disk", "read", id, "/etc/passwd")).stderr).toMatch(
      /^error\[path_outside_workspace\]/,
    );
    expect((await cli("workspace", "delete", id)).code).toBe(0);
  });

  it("boots pyro's current agent from the initramfs, whatever the guest put on its own disk", async () => {
    const id = (await cli("workspace", "create", "debian:12", "--id-only")).stdout.trim();
    const hostAgent = createHash("sha256").update(readFileSync(packagePaths.agentBinary)).digest("hex");
    const agentSha = async () =>
      (await cli("workspace", "exec", id, "--", "sha256sum", "/proc/1/exe")).stdout.split(" ")[0];
    expect(await agentSha()).toBe(hostAgent);
    // Stand-ins where an agent on the disk could be picked up: the old injected path, /init, /sbin/init.
    const plant = await cli(
      "workspace",
      "exec",
      id,
      "--",
      "sh",
      "-c",
      "printf '#!/bin/sh\\nexit 1\\n' > /tmp/fake && chmod 755 /tmp/fake && " +
        "for p in /usr/sbin/pyro-agent /init /sbin/init; do cp /tmp/fake $p; done && sync",
    );
    expect(plant.code, plant.stderr).toBe(0);
    expect((await cli("workspace", "stop", id)).code).toBe(0);
    const started = await cli("workspace", "start", id);
    expect(started.code, started.stderr).toBe(0);
    expect(await agentSha()).toBe(hostAgent);
    expect((await cli("workspace", "exec", id, "--", "cat", "/init")).stdout).toBe("#!/bin/sh\nexit 1\n");
    expect((await cli("workspace", "delete", id)).code).toBe(0);
  });
});
