/** Building git repositories in tests with the git CLI (a fixed author, no global config needed). */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Runs `git ARGS` in `cwd`; its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();
}

/** Writes `text` to `root/rel`, creating directories. */
export function put(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/**
 * A project repository at `root` (created): committed `.gitignore` (node_modules/, *.log),
 * `src/app.js` and a symlink `main.js -> src/app.js`; then, uncommitted, an ignored
 * `node_modules/left-pad/index.js` and an untracked, not ignored `notes.txt`.
 */
export function gitProject(root: string): string {
  mkdirSync(root, { recursive: true });
  git(root, "init", "-q", "-b", "main");
  put(root, ".gitignore", "node_modules/\n*.log\n");
  put(root, "src/app.js", "console.log('app')\n");
  symlinkSync("src/app.js", join(root, "main.js"));
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "init");
  put(root, "node_modules/left-pad/index.js", "module.exports = 1\n");
  put(root, "notes.txt", "untracked but not ignored\n");
  return root;
}

/**
 * A repository at `root` (created) with two commits on `main`: the first, tagged `v1`, holds
 * `version.txt` = "1"; the second `version.txt` = "2" and `extra.txt`. Returns v1's commit id.
 */
export function gitVersions(root: string): string {
  mkdirSync(root, { recursive: true });
  git(root, "init", "-q", "-b", "main");
  put(root, "version.txt", "1\n");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "v1");
  git(root, "tag", "v1");
  const v1 = git(root, "rev-parse", "HEAD");
  put(root, "version.txt", "2\n");
  put(root, "extra.txt", "main only\n");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "v2");
  return v1;
}
