/**
 * Git seeds without a guest: which files a project path or a cloned ref packs (read back from
 * the staged archive), and the refusals. Repositories are made by the test with the git CLI.
 */
import { existsSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { list } from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  isLocalRepoUrl,
  stageGitSeed,
  stageProjectSeed,
  stageRepoSeed,
} from "../../../src/core/workspaces/git-seed.js";
import { git, gitProject, gitVersions, put } from "../../support/git-repo.js";

let base = "";
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "pyro-git-seed-"));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** gitProject plus a committed file deleted in the work tree and an ignored *.log. */
function project(): string {
  const root = gitProject(join(base, "proj"));
  put(root, "gone.txt", "deleted later\n");
  git(root, "add", "gone.txt");
  git(root, "commit", "-q", "-m", "two");
  unlinkSync(join(root, "gone.txt"));
  put(root, "debug.log", "ignored\n");
  return root;
}

async function entries(archive: string): Promise<string[]> {
  const names: string[] = [];
  await list({
    file: archive,
    onReadEntry: (e) => names.push(`${e.type === "SymbolicLink" ? "@" : ""}${e.path}`),
  });
  return names.sort();
}

describe("stageProjectSeed", () => {
  it("packs tracked and untracked-but-not-ignored files of the repository around the path", async () => {
    const root = project();
    const seed = await stageProjectSeed(join(root, "src"));
    try {
      expect(seed.origin).toBe(root);
      expect(await entries(seed.archive)).toEqual([".gitignore", "@main.js", "notes.txt", "src/app.js"]);
      expect(seed.fileCount).toBe(4);
    } finally {
      await seed.cleanup();
    }
    expect(existsSync(seed.archive)).toBe(false);
  });

  it("refuses a directory outside any git work tree, and a missing one", async () => {
    await expect(stageProjectSeed(base)).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("is not inside a git work tree"),
    });
    await expect(stageProjectSeed(join(base, "nope"))).rejects.toMatchObject({ code: "invalid_argument" });
  });
});

describe("stageRepoSeed", () => {
  /** A repository whose tag v1, branch dev and main all hold different trees. */
  function repo(): { root: string; v1: string } {
    const root = join(base, "origin");
    const v1 = gitVersions(root);
    git(root, "checkout", "-q", "-b", "dev", "v1");
    put(root, "dev.txt", "dev\n");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "dev");
    git(root, "checkout", "-q", "main");
    put(root, "uncommitted.txt", "never cloned\n");
    return { root, v1 };
  }

  it("packs the tree of the default branch, a tag, a branch and a commit", async () => {
    const { root, v1 } = repo();
    const cases: [string | undefined, string[]][] = [
      [undefined, ["extra.txt", "version.txt"]],
      ["v1", ["version.txt"]],
      ["dev", ["dev.txt", "version.txt"]],
      [v1, ["version.txt"]],
    ];
    for (const [ref, want] of cases) {
      const seed = await stageRepoSeed(root, ref);
      try {
        expect(await entries(seed.archive), ref).toEqual(want);
        expect(seed.origin).toBe(ref ? `${root}#${ref}` : root);
      } finally {
        await seed.cleanup();
      }
    }
    const viaUrl = await stageRepoSeed(`file://${root}`, "v1");
    expect(await entries(viaUrl.archive)).toEqual(["version.txt"]);
    await viaUrl.cleanup();
  });

  it("refuses an unknown ref, a missing repository and option-like arguments", async () => {
    const { root } = repo();
    await expect(stageRepoSeed(root, "no-such-ref")).rejects.toMatchObject({ code: "invalid_argument" });
    await expect(stageRepoSeed(join(base, "missing"), undefined)).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(stageRepoSeed("--upload-pack=touch /tmp/x", undefined)).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(stageRepoSeed(root, "--orphan")).rejects.toMatchObject({ code: "invalid_argument" });
  });
});

describe("stageGitSeed", () => {
  it("allows one seed source and repoRef only with repoUrl", async () => {
    await expect(stageGitSeed({ seedPath: "/x", projectPath: "/y" })).rejects.toThrow(
      /seedPath and projectPath are mutually exclusive/,
    );
    await expect(stageGitSeed({ projectPath: "/y", repoUrl: "/z" })).rejects.toThrow(/mutually exclusive/);
    await expect(stageGitSeed({ repoRef: "main" })).rejects.toThrow(/repoRef needs repoUrl/);
    expect(await stageGitSeed({ seedPath: "/x" })).toBeUndefined();
  });

  it("tells local repositories from remote ones", () => {
    for (const u of ["/srv/repo", "./repo", "repo", "file:///srv/repo"])
      expect(isLocalRepoUrl(u), u).toBe(true);
    for (const u of ["https://example.com/r.git", "git@example.com:r.git", "ssh://h/r", "example.com:r"]) {
      expect(isLocalRepoUrl(u), u).toBe(false);
    }
  });
});
