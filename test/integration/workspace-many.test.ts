/**
 * Many workspaces at once (listing, names, labels, filters) and a CLI killed with -9 in the
 * middle of `sync push`.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { networkNames } from "../../src/core/network/names.js";
import { cliPath, processesMentioning, requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());
const host = mkdtempSync("/tmp/pyro-many-");
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe("ten workspaces", () => {
  it("are listed, named, labelled, filtered and deleted", { timeout: 600_000 }, async () => {
    const ids: string[] = [];
    // Two creates at a time: what two cores boot comfortably under TCG.
    for (let i = 0; i < 10; i += 2) {
      const pair = await Promise.all(
        [i, i + 1].map((n) =>
          cli(
            "workspace",
            "create",
            "debian:12-base",
            "--mem-mib",
            "256",
            "--name",
            `w${n}`,
            "--label",
            `parity=${n % 2 ? "odd" : "even"}`,
            "--label",
            `n=${n}`,
            "--id-only",
          ),
        ),
      );
      for (const r of pair) {
        expect(r.code, r.stderr).toBe(0);
        ids.push(r.stdout.trim());
      }
    }
    const all = JSON.parse((await cli("workspace", "list", "--json")).stdout);
    expect(all.count).toBe(10);
    expect(all.workspaces.map((w: { name: string }) => w.name).sort()).toEqual(
      Array.from({ length: 10 }, (_, n) => `w${n}`).sort(),
    );
    const odd = JSON.parse((await cli("workspace", "list", "--label", "parity=odd", "--json")).stdout);
    expect(odd.workspaces.map((w: { name: string }) => w.name).sort()).toEqual([
      "w1",
      "w3",
      "w5",
      "w7",
      "w9",
    ]);
    const table = (await cli("workspace", "list", "--label", "n=4")).stdout.trim().split("\n");
    expect(table[0]).toMatch(/^ID\s+NAME\s+STATE/);
    expect(table).toHaveLength(2);
    expect(table[1]).toMatch(/^ws_\w+\s+w4\s+started\s+debian:12-base/);

    const renamed = await cli(
      "workspace",
      "update",
      "w4",
      "--name",
      "four",
      "--label",
      "color=blue",
      "--clear-label",
      "n",
      "--json",
    );
    expect(JSON.parse(renamed.stdout)).toMatchObject({
      name: "four",
      labels: { parity: "even", color: "blue" },
    });
    expect(JSON.parse(renamed.stdout).labels).not.toHaveProperty("n");
    expect((await cli("workspace", "exec", "four", "--", "true")).code).toBe(0);
    const dup = await cli("workspace", "update", "w5", "--name", "bad name!");
    expect(dup.stderr).toMatch(/^error\[invalid_argument\]: name/);

    for (let i = 0; i < ids.length; i += 2) {
      const deleted = await Promise.all(ids.slice(i, i + 2).map((id) => cli("workspace", "delete", id)));
      expect(deleted.map((r) => r.code)).toEqual([0, 0]);
    }
    expect(JSON.parse((await cli("workspace", "list", "--json")).stdout).count).toBe(0);
  });
});

describe("sync push interrupted", () => {
  it("a CLI killed with -9 mid-push leaves the workspace usable and its record intact", async () => {
    const created = await cli("workspace", "create", "debian:12-base", "--id-only");
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim();
    const big = join(host, "big");
    mkdirSync(big);
    for (let i = 0; i < 40; i++) writeFileSync(join(big, `f${i}.bin`), Buffer.alloc(1024 * 1024, i));
    const child = spawn(process.execPath, [cliPath, "workspace", "sync", "push", id, big], {
      env: pyro.env(),
      stdio: "ignore",
    });
    await new Promise((r) => setTimeout(r, 700));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const record = JSON.parse(readFileSync(join(pyro.home(), "workspaces", id, "workspace.json"), "utf8"));
    expect(record.workspace_id).toBe(id);
    const status = JSON.parse((await cli("workspace", "status", id, "--json")).stdout);
    expect(status.state).toBe("started");
    const exec = await cli("workspace", "exec", id, "--", "sh", "-c", "echo alive");
    expect(exec.stdout).toBe("alive\n");
    // A second push (after the dead one's lock went stale) completes.
    const again = await cli("workspace", "sync", "push", id, big, "--json");
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).bytes).toBe(40 * 1024 * 1024);
    expect((await cli("workspace", "delete", id)).code).toBe(0);
    expect(processesMentioning(join(pyro.home(), "workspaces", id))).toEqual([]);
  });
});

describe("workspace TTL", () => {
  // An idle workspace is paused by default (pause.test.ts); `--ttl-action delete` deletes it.
  it("moves last activity on mutations only, and deletes an idle --ttl-action delete workspace past its TTL", async () => {
    const created = await cli(
      "workspace",
      "create",
      "debian:12-base",
      "--ttl-seconds",
      "4",
      "--ttl-action",
      "delete",
      "--json",
    );
    expect(created.code, created.stderr).toBe(0);
    const w = JSON.parse(created.stdout);
    const id = w.workspace_id as string;
    await new Promise((r) => setTimeout(r, 1100));
    await cli("workspace", "status", id);
    await cli("workspace", "file", "list", id);
    await cli("workspace", "diff", id);
    const afterReads = JSON.parse((await cli("workspace", "status", id, "--json")).stdout);
    expect(afterReads.last_activity_at).toBe(w.last_activity_at);
    await cli("workspace", "exec", id, "--", "true");
    const afterExec = JSON.parse((await cli("workspace", "status", id, "--json")).stdout);
    expect(Date.parse(afterExec.last_activity_at)).toBeGreaterThan(Date.parse(w.last_activity_at));
    expect(Date.parse(afterExec.expires_at) - Date.parse(afterExec.last_activity_at)).toBe(4000);
    // Idle past the TTL: the next call that lists workspaces reaps it (VM and state).
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(afterExec.expires_at) - Date.now()) + 300));
    const list = JSON.parse((await cli("workspace", "list", "--json")).stdout);
    expect(list.workspaces.map((x: { workspace_id: string }) => x.workspace_id)).not.toContain(id);
    expect(processesMentioning(join(pyro.home(), "workspaces", id))).toEqual([]);
    expect((await cli("workspace", "status", id)).stderr).toMatch(/^error\[workspace_not_found\]/);
  });
});

describe("workspace create interrupted", () => {
  it("Ctrl-C during boot kills the VM and keeps nothing (network included)", async () => {
    const policy = process.getuid?.() === 0 ? "egress" : "off";
    const r = await runCli(["workspace", "create", "debian:12", "--network-policy", policy], pyro.env(), {
      // Mid-create: after Node start, during the disk copy or the boot (a create takes > 2 s).
      onSpawn: (pid) => setTimeout(() => process.kill(pid, "SIGINT"), 900),
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/error\[interrupted\]: create interrupted/);
    expect(processesMentioning(pyro.home())).toEqual([]);
    const left = readdirSync(join(pyro.home(), "workspaces")).filter((n) => n.startsWith("ws_"));
    expect(left).toEqual([]);
    // Interrupted after its directory existed: its TAP (derived from the id) must be gone too.
    const id = /workspace "(ws_[0-9a-f]{12})" removed/.exec(r.stderr)?.[1];
    if (id && policy === "egress") {
      const tap = networkNames(id).ifname;
      expect(spawnSync("ip", ["link", "show", "dev", tap]).status).not.toBe(0);
    }
  });
});
