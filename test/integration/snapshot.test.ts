/** Named snapshots and reset against a real guest (issue 4, snapshots part). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());
const host = mkdtempSync("/tmp/pyro-snap-");

/** sha256 and mode of every file under /workspace, as the guest sees them. */
async function manifest(): Promise<string> {
  const r = await cli(
    "workspace",
    "exec",
    workspace(),
    "--",
    "sh",
    "-c",
    "find . -type f -exec sha256sum {} + | sort -k2; find . | sort",
  );
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The seeded workspace the snapshots are taken of. */
const workspace = pyro.shared("workspace", async () => {
  const seed = join(host, "seed");
  mkdirSync(join(seed, "dir"), { recursive: true });
  writeFileSync(join(seed, "keep.txt"), "seeded\n");
  writeFileSync(join(seed, "dir", "x.txt"), "x\n");
  const r = await cli("workspace", "create", "debian:12", "--seed-path", seed, "--id-only");
  if (r.code !== 0) throw new Error(`workspace create exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe("snapshots and reset", () => {
  it("restores exactly a named snapshot, then the baseline", async () => {
    const id = workspace();
    const seeded = await manifest();
    await cli(
      "workspace",
      "exec",
      id,
      "--",
      "sh",
      "-c",
      "echo a > a.txt; mkdir -p new && echo n > new/n.txt; rm dir/x.txt",
    );
    const atA = await manifest();
    const snap = await cli("workspace", "snapshot", "create", id, "a", "--json");
    expect(snap.code, snap.stderr).toBe(0);
    expect(JSON.parse(snap.stdout)).toMatchObject({ name: "a", implicit: false });

    await cli(
      "workspace",
      "exec",
      id,
      "--",
      "sh",
      "-c",
      "echo changed > a.txt; rm -r new keep.txt; echo junk > junk",
    );
    expect(await manifest()).not.toBe(atA);
    const reset = await cli("workspace", "reset", id, "--snapshot", "a", "--json");
    expect(reset.code, reset.stderr).toBe(0);
    expect(JSON.parse(reset.stdout)).toMatchObject({ workspace_id: id, state: "started", command_count: 0 });
    expect(await manifest()).toBe(atA);
    const logs = JSON.parse((await cli("workspace", "logs", id, "--json")).stdout);
    expect(logs.entries.map((e: { sequence: number }) => e.sequence)).toEqual([1]); // only the manifest exec above

    const toBaseline = await cli("workspace", "reset", id);
    expect(toBaseline.code, toBaseline.stderr).toBe(0);
    expect(await manifest()).toBe(seeded);
    const diff = JSON.parse((await cli("workspace", "diff", id, "--json")).stdout);
    expect(diff.changed).toBe(false);
  });

  it("lists baseline first, protects it, and deletes named snapshots", async () => {
    const id = workspace();
    const list = JSON.parse((await cli("workspace", "snapshot", "list", id, "--json")).stdout);
    expect(list.snapshots.map((s: { name: string; implicit: boolean }) => [s.name, s.implicit])).toEqual([
      ["baseline", true],
      ["a", false],
    ]);
    const protectedDelete = await cli("workspace", "snapshot", "delete", id, "baseline");
    expect(protectedDelete.code).toBe(1);
    expect(protectedDelete.stderr).toMatch(/^error\[snapshot_protected\]: /);
    expect((await cli("workspace", "snapshot", "create", id, "baseline")).stderr).toMatch(
      /^error\[invalid_argument\]/,
    );
    expect((await cli("workspace", "snapshot", "create", id, "a")).stderr).toMatch(/already exists/);
    expect((await cli("workspace", "snapshot", "delete", id, "a")).code).toBe(0);
    expect((await cli("workspace", "snapshot", "delete", id, "a")).stderr).toMatch(
      /^error\[snapshot_not_found\]/,
    );
    expect((await cli("workspace", "reset", id, "--snapshot", "a")).stderr).toMatch(
      /^error\[snapshot_not_found\]/,
    );
  });
});
