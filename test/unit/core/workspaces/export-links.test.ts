import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDeferredLinks, exportEntryPath } from "../../../../src/core/workspaces/export-links.js";

describe("export entry names", () => {
  it("keeps names inside the export and refuses the rest", () => {
    expect(exportEntryPath("./a/b")).toBe("a/b");
    expect(exportEntryPath("a/./b/../c")).toBe("a/c");
    expect(exportEntryPath("./")).toBe(".");
    expect(exportEntryPath("/etc/passwd")).toBeUndefined();
    expect(exportEntryPath("../x")).toBeUndefined();
    expect(exportEntryPath("a/../../x")).toBeUndefined();
    expect(exportEntryPath("a\0b")).toBeUndefined();
  });
});

describe("deferred symlinks", () => {
  const root = mkdtempSync("/tmp/pyro-links-");
  const outside = mkdtempSync("/tmp/pyro-links-outside-");
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("creates every link with the guest's target, verbatim and unfollowed", async () => {
    mkdirSync(join(root, "sub"));
    await createDeferredLinks(root, [
      { name: "./abs", target: "/root" },
      { name: "./sub/climb", target: "../../../../root/x" },
      { name: "./dangling", target: "nowhere" },
      { name: "./rel", target: "sub" },
    ]);
    expect(readlinkSync(join(root, "abs"))).toBe("/root");
    expect(readlinkSync(join(root, "sub", "climb"))).toBe("../../../../root/x");
    expect(readlinkSync(join(root, "dangling"))).toBe("nowhere");
    expect(readlinkSync(join(root, "rel"))).toBe("sub");
  });

  it("refuses names outside the export, under another symlink, or taken twice", async () => {
    symlinkSync(outside, join(root, "out"));
    for (const name of ["../escape", "/abs", "./out/through", "./abs"]) {
      await expect(createDeferredLinks(root, [{ name, target: "t" }])).rejects.toMatchObject({
        code: "invalid_argument",
      });
    }
    expect(readdirSync(outside)).toEqual([]);
  });
});
