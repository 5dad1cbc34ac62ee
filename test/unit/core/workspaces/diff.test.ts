import { describe, expect, it } from "vitest";
import { compareTrees } from "../../../../src/core/workspaces/diff.js";
import type { TreeEntry } from "../../../../src/core/workspaces/tree.js";

const file = (text: string | Buffer, mode = 0o644): TreeEntry => {
  const content = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return { type: "file", mode, size: content.length, content };
};

describe("compareTrees", () => {
  it("reports no change for identical trees", async () => {
    const t = new Map([["a.txt", file("x\n")]]);
    expect(await compareTrees(t, new Map(t))).toMatchObject({ changed: false, entries: [], patch: "" });
  });

  it("gives a unified patch for text and entries for the rest", async () => {
    const base = new Map<string, TreeEntry>([
      ["a.txt", file("one\ntwo\n")],
      ["gone.txt", file("bye\n")],
      ["bin", file(Buffer.from([0, 1, 2]))],
      ["run.sh", file("#!/bin/sh\n", 0o755)],
      ["thing", file("was a file\n")],
    ]);
    const now = new Map<string, TreeEntry>([
      ["a.txt", file("one\nTWO\n")],
      ["new.txt", file("hi\n")],
      ["bin", file(Buffer.from([0, 1, 3]))],
      ["run.sh", file("#!/bin/sh\n", 0o700)],
      ["thing", { type: "dir", mode: 0o755, size: 0 }],
    ]);
    const d = await compareTrees(base, now);
    expect(d.entries).toEqual([
      { path: "a.txt", status: "modified", kind: "text", old_mode: "0644", new_mode: "0644" },
      { path: "bin", status: "modified", kind: "binary", old_mode: "0644", new_mode: "0644" },
      { path: "gone.txt", status: "deleted", kind: "text", old_mode: "0644", new_mode: null },
      { path: "new.txt", status: "added", kind: "text", old_mode: null, new_mode: "0644" },
      { path: "run.sh", status: "mode_changed", kind: "text", old_mode: "0755", new_mode: "0700" },
      { path: "thing", status: "type_changed", kind: "directory", old_mode: "0644", new_mode: "0755" },
    ]);
    expect(d.summary).toEqual({
      added: 1,
      deleted: 1,
      modified: 2,
      type_changed: 1,
      mode_changed: 1,
      binary: 1,
    });
    expect(d.patch).toContain("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n");
    expect(d.patch).toContain("--- a/gone.txt\n+++ /dev/null\n");
    expect(d.patch).toContain("--- /dev/null\n+++ b/new.txt\n");
    expect(d.patch).not.toContain("bin");
  });
});
