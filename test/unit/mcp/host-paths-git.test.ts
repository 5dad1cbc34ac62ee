/**
 * MCP confinement of git seeds: `project_path` and the repository root around it must both lie
 * in an allowed root (the whole repository is seeded); `repo_url` clones https/http/git URLs,
 * local repositories only under an allowed root, and nothing over SSH (this host's keys).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostPathPolicy } from "../../../src/mcp/host-paths.js";

const base = mkdtempSync(join(tmpdir(), "pyro-git-roots-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const repo = join(base, "repo");
mkdirSync(join(repo, ".git"), { recursive: true });
mkdirSync(join(repo, "pkg", "sub"), { recursive: true });
const refused = expect.objectContaining({ code: "host_path_not_allowed" });

describe("HostPathPolicy for git seeds", () => {
  it("checks project_path and its repository root", () => {
    expect(new HostPathPolicy([repo]).checkProjectPath("project_path", join(repo, "pkg"))).toBe(
      join(repo, "pkg"),
    );
    // Allowed: the subdirectory. Seeded: the whole repository above it, which is not allowed.
    const narrow = new HostPathPolicy([join(repo, "pkg")]);
    expect(() => narrow.checkProjectPath("project_path", join(repo, "pkg", "sub"))).toThrow(refused);
    expect(() => narrow.checkProjectPath("project_path", "/etc")).toThrow(refused);
  });

  it("clones remote URLs, local repositories under a root, and nothing over SSH", () => {
    const policy = new HostPathPolicy([base]);
    expect(policy.checkRepoUrl("repo_url", "https://example.com/r.git")).toBe("https://example.com/r.git");
    expect(policy.checkRepoUrl("repo_url", repo)).toBe(repo);
    expect(policy.checkRepoUrl("repo_url", `file://${repo}`)).toBe(repo);
    for (const url of [
      "/srv/elsewhere",
      "file:///etc",
      "git@example.com:r.git",
      "ssh://example.com/r",
      "ext::sh -c x",
    ]) {
      expect(() => policy.checkRepoUrl("repo_url", url), url).toThrow(refused);
    }
  });
});
