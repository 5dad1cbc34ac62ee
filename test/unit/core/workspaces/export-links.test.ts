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

describe("export entry checks", () => {
  const check = async (entries: { path: string; type: string; linkpath?: string }[]) => {
    const { ExportEntryCheck } = await import("../../../../src/core/workspaces/export-links.js");
    const c = new ExportEntryCheck();
    for (const e of entries) c.check(e);
  };

  it("pass a tree with links pointing anywhere", async () => {
    await expect(
      check([
        { path: "./", type: "Directory" },
        { path: "./a.txt", type: "File" },
        { path: "./abs", type: "SymbolicLink", linkpath: "/etc" },
        { path: "./up", type: "SymbolicLink", linkpath: "../../x" },
        { path: "./hard", type: "Link", linkpath: "./a.txt" },
        { path: "./upper/x", type: "File" },
      ]),
    ).resolves.toBeUndefined();
  });

  it.each([
    ["a name with ..", [{ path: "../escape", type: "File" }]],
    ["a name climbing inside", [{ path: "./a/../../escape", type: "File" }]],
    ["an absolute name", [{ path: "/tmp/x", type: "File" }]],
    ["a hardlink outside", [{ path: "./pw", type: "Link", linkpath: "/etc/passwd" }]],
    ["a hardlink climbing", [{ path: "./pw", type: "Link", linkpath: "../x/secret" }]],
    [
      "a file through a symlink",
      [
        { path: "./link", type: "SymbolicLink", linkpath: "/etc" },
        { path: "./link/cron", type: "File" },
      ],
    ],
    [
      "a directory through a symlink, deeper",
      [
        { path: "./up", type: "SymbolicLink", linkpath: ".." },
        { path: "./up/a/b", type: "Directory" },
      ],
    ],
  ])("refuse %s with path_outside_workspace", async (_name, entries) => {
    await expect(check(entries)).rejects.toMatchObject({ code: "path_outside_workspace" });
  });
});
