/**
 * Host-side tar streams: a packed directory validates and reads back as a tree, and a stream
 * that fails before node-tar has loaded (it is imported on first use) is a rejection of the
 * call, never an unhandled `error` event.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packDirectory, validateTarStream } from "../../../../src/core/workspaces/archive.js";
import { readTree } from "../../../../src/core/workspaces/tree.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pyro-tar-streams-"));
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "src", "a.txt"), "one\n");
  await symlink("src/a.txt", join(dir, "link"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A stream whose `error` is emitted on the next tick, before any await of the callee settles. */
function failing(message: string): PassThrough {
  const s = new PassThrough();
  s.destroy(new Error(message));
  return s;
}

describe("tar streams", () => {
  it("packs a directory that validates and reads back as a tree", async () => {
    expect(await validateTarStream(await packDirectory(dir))).toBe(4); // ./, src/, src/a.txt, link
    const tree = await readTree(await packDirectory(dir));
    expect(tree.get("src/a.txt")?.content?.toString()).toBe("one\n");
    expect(tree.get("link")).toMatchObject({ type: "symlink", linkpath: "src/a.txt" });
  });

  it("rejects with the stream's error while tar loads", async () => {
    await expect(readTree(failing("boom"))).rejects.toThrow("boom");
    await expect(validateTarStream(failing("gone"))).rejects.toMatchObject({
      code: "invalid_argument",
      message: "cannot read archive: gone",
    });
  });
});
