/**
 * `pyro env` against a private environment cache: the kernel is shared from the main cache
 * (it takes ~10 min to build), the rootfs of debian:12-base is built for real here, then
 * pulled again (fast no-op), broken and repaired, pruned.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { requireGuest, runCli, usePyroHome } from "./fixtures.js";

const skip = requireGuest();
const pyro = usePyroHome();
let cache = "";
const env = () => ({ ...pyro.env(), PYRO_ENVIRONMENT_CACHE_DIR: cache });
const envName = "debian:12-base";
const rootfs = () => join(cache, "debian-12-base", "1.0.0", "rootfs.ext4");

beforeAll(() => {
  cache = mkdtempSync("/tmp/pyro-cache-");
  const shared = resolveConfig().cacheDir;
  // Reflink/copy the built kernels and the probe verdict; environments are built here.
  cpSync(join(shared, "kernels"), join(cache, "kernels"), { recursive: true });
  if (existsSync(join(shared, "host")))
    cpSync(join(shared, "host"), join(cache, "host"), { recursive: true });
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe.skipIf(skip)("pyro env", () => {
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
      "rootfs",
    ]);
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
