import { describe, expect, it } from "vitest";
import { checkEntry } from "../../../../src/core/workspaces/archive.js";

const ok = (entry: { path: string; type: string; linkpath?: string }, seen = new Set<string>()) =>
  expect(() => checkEntry(entry, seen)).not.toThrow();
const refused = (entry: { path: string; type: string; linkpath?: string }, seen = new Set<string>()) =>
  expect(() => checkEntry(entry, seen)).toThrow(expect.objectContaining({ code: "path_outside_workspace" }));

describe("archive entry checks", () => {
  it("accepts ordinary entries", () => {
    ok({ path: "./", type: "Directory" });
    ok({ path: "./src/a.txt", type: "File" });
    ok({ path: "lib/link", type: "SymbolicLink", linkpath: "../src/a.txt" });
    ok({ path: "dots..in..name", type: "File" });
  });
  it("refuses absolute names and .. components", () => {
    refused({ path: "/etc/passwd", type: "File" });
    refused({ path: "../x", type: "File" });
    refused({ path: "a/../../x", type: "File" });
    refused({ path: "a/b/../../../x", type: "File" });
  });
  it("refuses symlinks that leave the target", () => {
    refused({ path: "l", type: "SymbolicLink", linkpath: "/etc" });
    refused({ path: "a/l", type: "SymbolicLink", linkpath: "../../x" });
    ok({ path: "a/l", type: "SymbolicLink", linkpath: "../x" });
  });
  it("allows hardlinks only to earlier files of the archive", () => {
    const seen = new Set<string>();
    ok({ path: "./a.txt", type: "File" }, seen);
    ok({ path: "b.txt", type: "Link", linkpath: "a.txt" }, seen);
    refused({ path: "c", type: "Link", linkpath: "/etc/passwd" }, seen);
    refused({ path: "d", type: "Link", linkpath: "missing.txt" }, seen);
  });
  it("refuses device nodes and FIFOs", () => {
    for (const type of ["CharacterDevice", "BlockDevice", "FIFO"]) refused({ path: "n", type });
  });
});
