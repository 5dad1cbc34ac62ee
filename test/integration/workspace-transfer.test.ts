/**
 * Large files through sync push and export. The agent moves files of 1 MiB and more with
 * O_DIRECT in 4 MiB chunks (guest/internal/files/bulk_linux.go); these check that every byte
 * survives both directions, unaligned tails included, and that an export sees data a guest
 * process has just written and not yet flushed (still dirty in the page cache).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pyro } from "../../src/sdk/index.js";
import { requireGuest } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();
let host = "";
let pyro: Pyro;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
// Around the 1 MiB O_DIRECT threshold and the 4 MiB chunk, with tails that are not block-sized.
const sizes = [(1 << 20) - 1, 1 << 20, (9 << 20) + 1234];

beforeAll(() => {
  host = mkdtempSync("/tmp/pyro-xfer-");
  pyro = home.sdk();
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

const workspace = home.shared("workspace", async () => {
  return (await pyro.createWorkspace({ environment: "debian:12" })).workspaceId;
});

describe("large file transfers", () => {
  it("pushes and exports files around the bulk thresholds byte for byte", async () => {
    const id = workspace();
    const src = join(host, "src");
    mkdirSync(src);
    const files = sizes.map((n, i) => ({ name: `f${i}.bin`, data: randomBytes(n) }));
    for (const f of files) writeFileSync(join(src, f.name), f.data, { mode: 0o640 });
    const r = await pyro.pushWorkspaceSync({ workspaceId: id, sourcePath: src, dest: "big" });
    expect(r.bytes).toBe(sizes.reduce((a, b) => a + b, 0));
    const sums = await pyro.execWorkspace({
      workspaceId: id,
      command: ["sh", "-c", "cd big && sha256sum *"],
    });
    for (const f of files) expect(sums.stdout).toContain(`${sha(f.data)}  ${f.name}`);
    for (const f of files) {
      const out = join(host, `out-${f.name}`);
      await pyro.exportWorkspace({ workspaceId: id, path: `big/${f.name}`, outputPath: out });
      expect(sha(readFileSync(out))).toBe(sha(f.data));
      expect(statSync(out).mode & 0o777).toBe(0o640);
    }
  });

  it("exports a file the guest has just written, before any sync", async () => {
    const id = workspace();
    const made = await pyro.execWorkspace({
      workspaceId: id,
      command: ["sh", "-c", "head -c 6000123 /dev/urandom > fresh.bin && sha256sum fresh.bin"],
    });
    expect(made.exitCode, made.stderr).toBe(0);
    const out = join(host, "fresh.bin");
    await pyro.exportWorkspace({ workspaceId: id, path: "fresh.bin", outputPath: out });
    expect(`${sha(readFileSync(out))}  fresh.bin`).toBe(made.stdout.trim());
  });
});
