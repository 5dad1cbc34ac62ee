import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cachedKernelKeys, kernelKey, parseAptKernelShow } from "../../../../src/core/environments/kernel.js";

describe("Debian kernel resolution", () => {
  it("reads the versioned package and version the cloud metapackage depends on", () => {
    const text = [
      "Package: linux-image-cloud-amd64",
      "Version: 6.1.192-3",
      "Depends: linux-image-6.1.0-57-cloud-amd64 (= 6.1.192-3)",
      "",
    ].join("\n");
    expect(parseAptKernelShow(text)).toEqual({
      name: "linux-image-6.1.0-57-cloud-amd64",
      version: "6.1.192-3",
    });
    expect(parseAptKernelShow("Package: linux-image-cloud-amd64\n")).toBeUndefined();
  });

  it("reads a pinned package's own version", () => {
    const text = "Package: linux-image-6.1.0-56-cloud-amd64\nVersion: 6.1.180-1\n";
    expect(parseAptKernelShow(text, "linux-image-6.1.0-56-cloud-amd64")).toEqual({
      name: "linux-image-6.1.0-56-cloud-amd64",
      version: "6.1.180-1",
    });
    expect(parseAptKernelShow("", "linux-image-6.1.0-56-cloud-amd64")).toBeUndefined();
  });
});

describe("kernel cache keys", () => {
  const cache = mkdtempSync("/tmp/pyro-kernels-");
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it("keys the custom kernel by recipe revision and config fragment", async () => {
    expect(await kernelKey("custom")).toMatch(/^linux-6\.1-r2-[0-9a-f]{12}$/);
  });

  it("lists only finished kernel dirs pyro made (no locks, no work dirs, nothing foreign)", async () => {
    for (const name of [
      "linux-6.1-r2-0123456789ab",
      "debian-6.1.0-57-cloud-amd64_6.1.192-3-r1-0123456789ab",
      "debian-6.1.0-57-cloud-amd64_6.1.192-3-r1-0123456789ab.lock",
      "debian-x.work.Ab12",
      "notes",
    ]) {
      mkdirSync(join(cache, "kernels", name), { recursive: true });
    }
    expect((await cachedKernelKeys(cache)).sort()).toEqual([
      "debian-6.1.0-57-cloud-amd64_6.1.192-3-r1-0123456789ab",
      "linux-6.1-r2-0123456789ab",
    ]);
  });
});
