/**
 * `workspace summary` on a real guest (issue 17): after a patch, two execs (one failing, one
 * given as a string), a service, a shell and a snapshot, the SDK's summarizeWorkspace and the
 * CLI (`--json` and human) show all of them; a stopped workspace keeps history and snapshots.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pyro } from "../../src/sdk/index.js";
import { requireGuest } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const fixture = workspaceTest();
const cli = (...args: string[]) => fixture.cli(...args);
let pyro: Pyro;
let seed = "";

beforeAll(() => {
  pyro = fixture.sdk();
  seed = mkdtempSync("/tmp/pyro-summary-seed-");
  mkdirSync(join(seed, "src"));
  writeFileSync(join(seed, "src", "app.txt"), "version 1\n");
  writeFileSync(join(seed, "old.txt"), "to be removed\n");
});

afterAll(() => {
  rmSync(seed, { recursive: true, force: true });
});

describe("workspace summary", () => {
  // One workspace for both tests: the second stops the one the first built up.
  const workspace = fixture.shared("reviewed workspace", async () => {
    const ws = await pyro.createWorkspace({ environment: "debian:12", seedPath: seed, name: "reviewed" });
    return ws.workspaceId;
  });

  it("shows the patch, the two execs, the service, the shell and the snapshot", async () => {
    const id = workspace();

    const patch = "--- a/src/app.txt\n+++ b/src/app.txt\n@@ -1 +1 @@\n-version 1\n+version 2\n";
    await pyro.applyWorkspacePatch({ workspaceId: id, patch });
    const first = await pyro.execWorkspace({ workspaceId: id, command: "echo new > new.txt && rm old.txt" });
    expect(first.exitCode).toBe(0);
    const second = await pyro.execWorkspace({ workspaceId: id, command: ["sh", "-c", "exit 3"] });
    expect(second.exitCode).toBe(3);
    await pyro.startService({
      workspaceId: id,
      serviceName: "ticker",
      command: "touch ready; exec sleep 600",
      readyFile: "ready",
    });
    const shell = await pyro.openShell({ workspaceId: id });
    await pyro.createSnapshot({ workspaceId: id, name: "checkpoint" });

    const s = await pyro.summarizeWorkspace("reviewed");
    expect(s).toMatchObject({
      workspaceId: id,
      name: "reviewed",
      state: "started",
      environment: "debian:12",
    });
    expect(s.changes).toMatchObject({
      changed: true,
      summary: { added: 2, modified: 1, deleted: 1 },
      fileCount: 4,
      filesTruncated: false,
    });
    expect(s.changes?.files.map((f) => [f.path, f.status])).toEqual([
      ["new.txt", "added"],
      ["old.txt", "deleted"],
      ["ready", "added"],
      ["src/app.txt", "modified"],
    ]);
    expect(s.changes).not.toHaveProperty("patch");
    expect(s.commands.count).toBe(2);
    expect(s.commands.recent.map((c) => [c.sequence, c.command, c.exitCode])).toEqual([
      [1, ["sh", "-lc", "echo new > new.txt && rm old.txt"], 0],
      [2, ["sh", "-c", "exit 3"], 3],
    ]);
    expect(s.services).toEqual([
      {
        serviceName: "ticker",
        state: "ready",
        command: ["sh", "-lc", "touch ready; exec sleep 600"],
        exitCode: null,
        stopReason: null,
        publishedPorts: [],
      },
    ]);
    expect(s.shells).toEqual([
      { shellId: shell.shellId, state: "running", cwd: "/workspace", exitCode: null },
    ]);
    expect(s.snapshots.map((n) => [n.name, n.implicit])).toEqual([
      ["baseline", true],
      ["checkpoint", false],
    ]);

    // The CLI's --json is the same record in snake_case.
    const json = await cli("workspace", "summary", id, "--json");
    expect(json.code, json.stderr).toBe(0);
    const record = JSON.parse(json.stdout);
    expect(record).toMatchObject({
      workspace_id: id,
      changes: { file_count: 4, summary: { added: 2, modified: 1, deleted: 1 } },
      commands: { count: 2, recent: [{ exit_code: 0 }, { exit_code: 3, command: ["sh", "-c", "exit 3"] }] },
      services: [{ service_name: "ticker", state: "ready" }],
      shells: [{ shell_id: shell.shellId, state: "running" }],
      snapshots: [{ name: "baseline" }, { name: "checkpoint" }],
    });

    const human = await cli("workspace", "summary", "reviewed");
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`Workspace: ${id} (reviewed) started, debian:12\n`);
    expect(human.stdout).toContain("Changes since baseline: 2 added, 1 modified, 1 deleted\n");
    expect(human.stdout).toMatch(/ {2}modified {5}src\/app\.txt\n/);
    expect(human.stdout).toContain("  #2 exit=3 ");
    expect(human.stdout).toContain("  ticker ready\n");
    expect(human.stdout).toContain(`  ${shell.shellId} running /workspace\n`);
    expect(human.stdout).toContain("Snapshots: baseline, checkpoint\n");
  });

  it("keeps history and snapshots of a stopped workspace; its changes are unknown", async () => {
    const id = workspace();
    await pyro.stopWorkspace(id);
    const s = await pyro.summarizeWorkspace(id);
    expect(s).toMatchObject({ state: "stopped", changes: null, services: [], shells: [] });
    expect(s.commands.count).toBe(2);
    expect(s.snapshots).toHaveLength(2);
    const human = await cli("workspace", "summary", id);
    expect(human.stdout).toContain("Changes since baseline: unknown (not running)\n");
  });

  it("answers an unknown workspace with workspace_not_found", async () => {
    const r = await cli("workspace", "summary", "ws_000000000000", "--json");
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stderr || r.stdout)).toMatchObject({ error: { code: "workspace_not_found" } });
  });
});
