/**
 * Workspace disk size (`--disk-mib`, whose floor `prepare` shares) and a full disk, against real guests: the guest sees the
 * size asked for, the host stores only what is written, a full disk says `No space left on
 * device` in the guest and `disk_full` to pyro's own writes, and nothing written before is lost
 * across stop, offline disk read and start.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { cachePaths } from "../../src/core/paths.js";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());

async function sh(
  ws: string,
  script: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return cli("workspace", "exec", ws, "--timeout-seconds", "120", "--", "bash", "-c", script);
}

describe("workspace disk size", () => {
  it("refuses a disk smaller than the environment image before anything is written", async () => {
    const r = await cli("workspace", "create", "debian:12", "--disk-mib", "1024");
    expect(r.code).toBe(2); // invalid_argument exits 2, as usage errors do
    expect(r.stderr).toMatch(
      /^error\[invalid_argument\]: disk_mib 1024 is smaller than the environment's image \(2048 MiB\)/m,
    );
    expect(JSON.parse((await cli("workspace", "list", "--json")).stdout).count).toBe(0);
  });

  it("prepare refuses the same sizes with the same error, and builds no template", async () => {
    const r = await cli("prepare", "debian:12", "--disk-mib", "1500");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error\[invalid_argument\]: disk_mib 1500 is smaller than the environment's image \(2048 MiB\)\nhint: use --disk-mib 2048 or more$/m,
    );
    // No template of that size was built (the shared cache holds every test's templates).
    const root = join(cachePaths.templatesDir(resolveConfig().cacheDir), "debian-12");
    const sizes = (existsSync(root) ? readdirSync(root) : []).map((key) => {
      const manifest = join(root, key, "current", "manifest.json");
      return existsSync(manifest) ? JSON.parse(readFileSync(manifest, "utf8")).inputs.disk_mib : null;
    });
    expect(sizes).not.toContain(1500);
  });
});

describe("an 8 GiB workspace disk", () => {
  const workspace = pyro.shared("workspace with an 8 GiB disk", async () => {
    const created = await cli("workspace", "create", "debian:12", "--disk-mib", "8192", "--id-only");
    if (created.code !== 0)
      throw new Error(`workspace create exited ${created.code}: ${created.stderr.trim()}`);
    return created.stdout.trim();
  });

  it("gives the guest the size asked for; the host stores only what is written", {
    timeout: 300_000,
  }, async () => {
    const ws = workspace();
    const status = JSON.parse((await cli("workspace", "status", ws, "--json")).stdout);
    expect(status.disk_mib).toBe(8192);
    expect(status.disk_allocated_mib).toBeLessThan(1024); // sparse: the image's data, not 8 GiB

    const df = await sh(ws, "df -BM --output=size /workspace | tail -1");
    expect(Number.parseInt(df.stdout, 10)).toBeGreaterThan(7800);
  });

  it("a full disk: ENOSPC in the guest, disk_full for pyro's writes, nothing lost", {
    timeout: 300_000,
  }, async () => {
    const ws = workspace();
    // 4 GiB: fallocate takes the blocks as a write would (TCG would need minutes to copy 4 GiB
    // of data), then real data is written and checked after every step below.
    const big = await sh(
      ws,
      "fallocate -l 4G big && head -c 8M /dev/urandom > data.bin && sha256sum data.bin > data.sha && sync && stat -c %s big",
    );
    expect(big.code, big.stderr).toBe(0);
    expect(big.stdout.trim()).toBe(String(4 * 1024 ** 3));

    // Fill what is left (as root, the reserved blocks too), then a small write must fail.
    const fill = await sh(
      ws,
      "fallocate -l $(( $(df -B1 --output=avail /workspace | tail -1) )) fill; " +
        "dd if=/dev/zero of=rest bs=1M 2>/dev/null; echo hi > new.txt",
    );
    expect(fill.code).not.toBe(0);
    expect(fill.stderr).toMatch(/No space left on device/);

    // pyro's own write into the full disk: a clear code, and the file it would replace is kept.
    const src = join(pyro.home(), "push");
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, "data.sha"), "x".repeat(4 * 1024 * 1024));
    const push = await cli("workspace", "sync", "push", ws, src);
    expect(push.code).toBe(1);
    expect(push.stderr).toMatch(/^error\[disk_full\]/m);
    expect((await sh(ws, "sha256sum -c data.sha")).stdout).toContain("data.bin: OK");

    expect((await cli("workspace", "stop", ws)).code).toBe(0);
    const read = JSON.parse((await cli("workspace", "disk", "read", ws, "data.sha", "--json")).stdout);
    expect(read.content).toMatch(/^[0-9a-f]{64} {2}data\.bin\n$/);
    const start = await cli("workspace", "start", ws);
    expect(start.code, start.stderr).toBe(0);
    const check = await sh(ws, "sha256sum -c data.sha && stat -c %s big");
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toBe(`data.bin: OK\n${4 * 1024 ** 3}\n`);
    // Room again once the guest deletes something.
    expect((await sh(ws, "rm fill rest && echo hi > new.txt && cat new.txt")).stdout).toBe("hi\n");
  });
});
