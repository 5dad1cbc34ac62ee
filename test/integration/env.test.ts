/**
 * `pyro env` against a private environment cache: the kernels are copied from the main cache,
 * the rootfs of debian:12-base is built for real here, then pulled again (fast no-op), broken
 * and repaired (rootfs, kernel and initramfs modules), pruned.
 */
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
let cache = "";
const env = () => ({ ...pyro.env(), PYRO_ENVIRONMENT_CACHE_DIR: cache });
const envName = "debian:12-base";
const installDir = () => join(cache, "debian-12-base", "1.0.0");
const rootfs = () => join(installDir(), "rootfs.ext4");

/** Overwrites 4 KiB in the middle of `path`: same size, other bytes (and a new mtime). */
function corrupt(path: string, offset: number): void {
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, offset);
  } finally {
    closeSync(fd);
  }
}

beforeAll(() => {
  cache = mkdtempSync("/tmp/pyro-cache-");
  const shared = resolveConfig().cacheDir;
  // Reflink/copy the built kernels and the probe verdict; environments are built here.
  cpSync(join(shared, "kernels"), join(cache, "kernels"), { recursive: true });
  if (existsSync(join(shared, "host")))
    cpSync(join(shared, "host"), join(cache, "host"), { recursive: true });
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe("pyro env", () => {
  it("lists the catalog with install status", async () => {
    const r = await runCli(["env", "list"], env());
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Catalog version: \d+\.\d+\.\d+$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^debian:12 \[not installed\] .*Git/),
      expect.stringMatching(/^debian:12-base \[not installed\] .*minimal/),
      expect.stringMatching(/^debian:12-build \[not installed\] .*build-essential/),
    ]);
  });

  it("builds, verifies, repairs and reuses an install", { timeout: 600_000 }, async () => {
    const first = await runCli(["env", "pull", envName], env());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`[pull] phase=bootstrap environment=${envName}`);
    expect(first.stderr).toContain(`[pull] environment=${envName} status=installed`);

    const again = await runCli(["env", "pull", envName, "--json"], env());
    expect(again.code).toBe(0);
    const doc = JSON.parse(again.stdout);
    expect(doc.status).toBe("already_installed");
    expect(doc.environment.installed).toBe(true);
    expect(doc.environment.artifacts.map((a: { role: string }) => a.role).sort()).toEqual([
      "kernel",
      "modules",
      "rootfs",
    ]);
    expect(doc.environment.kernel).toMatchObject({
      flavor: "debian",
      package: expect.stringMatching(/^linux-image-6\.\d+\.\d+-\d+-cloud-amd64$/),
    });
    expect(again.durationMs).toBeLessThan(first.durationMs / 4);

    // The new environment boots and is the minimal one (no git).
    const run = await runCli(
      ["run", envName, "--", "sh", "-c", "command -v git || echo no-git; cat /etc/debian_version"],
      env(),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^no-git\n12\.\d+/);

    // Same size, different bytes: only the hash can tell.
    truncateSync(rootfs(), 0);
    truncateSync(
      rootfs(),
      doc.environment.artifacts.find((a: { role: string }) => a.role === "rootfs").size_bytes,
    );
    const inspect = await runCli(["env", "inspect", envName, "--json"], env());
    expect(JSON.parse(inspect.stdout)).toMatchObject({
      installed: false,
      problem: "rootfs artifact sha256 mismatch",
    });
    const list = await runCli(["env", "list"], env());
    expect(list.stdout).toMatch(/^debian:12-base \[installed\]/m); // quick check: sizes only

    rmSync(rootfs());
    const listMissing = await runCli(["env", "list"], env());
    expect(listMissing.stdout).toMatch(/^debian:12-base \[not installed\]/m);
    const repair = await runCli(["env", "pull", envName, "--json"], env());
    expect(repair.code, repair.stderr).toBe(0);
    expect(JSON.parse(repair.stdout)).toMatchObject({
      status: "repaired",
      repair_reason: "rootfs artifact missing",
    });
    const after = await runCli(["env", "inspect", envName, "--json"], env());
    expect(JSON.parse(after.stdout)).toMatchObject({ installed: true, problem: null });
  });

  it("detects a corrupted kernel or initramfs modules archive by sha256 and fetches it again", {
    timeout: 300_000,
  }, async () => {
    const manifest = () => JSON.parse(readFileSync(join(installDir(), "manifest.json"), "utf8"));
    for (const [file, role, offset] of [
      ["modules.cpio", "modules", 100_000],
      ["vmlinux", "kernel", 1_000_000],
    ] as const) {
      // Break both copies (the install's, and the kernel cache's it was linked from), so
      // only a new fetch from apt can repair it.
      const cached = join(cache, "kernels", manifest().kernel_key, file);
      corrupt(join(installDir(), file), offset);
      if (!readFileSync(cached).equals(readFileSync(join(installDir(), file)))) corrupt(cached, offset);
      const repair = await runCli(["env", "pull", envName, "--json"], env());
      expect(repair.code, repair.stderr).toBe(0);
      expect(JSON.parse(repair.stdout)).toMatchObject({
        status: "repaired",
        repair_reason: `${role} artifact sha256 mismatch`,
      });
      expect(repair.stderr).toContain(`[pull] phase=kernel-download environment=${envName}`);
      expect(repair.stderr).not.toContain("phase=bootstrap"); // the rootfs was fine and is kept
      const inspect = await runCli(["env", "inspect", envName, "--json"], env());
      expect(JSON.parse(inspect.stdout)).toMatchObject({ installed: true, problem: null });
    }
    const run = await runCli(["run", envName, "--", "cat", "/proc/version"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Linux version 6\.1\./);
  });

  it("prunes stale versions and reports the bytes freed", async () => {
    const stale = join(cache, "debian-12-base", "0.9.0");
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, "rootfs.ext4"), Buffer.alloc(1024 * 1024, 1));
    const foreign = join(cache, "pip", "http");
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, "blob"), "not pyro's");
    const r = await runCli(["env", "prune", "--json"], env());
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.removed).toContain(stale);
    expect(doc.bytes_freed).toBeGreaterThanOrEqual(1024 * 1024);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(rootfs())).toBe(true); // the current install stays
    expect(existsSync(join(foreign, "blob"))).toBe(true); // other tools' files are never touched
    expect(existsSync(join(cache, "host", "accel-probe.json"))).toBe(true);
  });

  it("refuses unknown environments with the list of valid names", async () => {
    const r = await runCli(["env", "pull", "ubuntu:24.04"], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[environment_not_found\]: unknown environment "ubuntu:24.04"/);
    expect(r.stderr).toContain("debian:12, debian:12-base, debian:12-build");
  });
});
