/**
 * Workspace seeds from git: the files of the repository around a project directory (what
 * `git ls-files --cached --others --exclude-standard` lists: tracked plus untracked but not
 * ignored, so `node_modules/` and build output stay behind), or the tree of a ref of a cloned
 * repository. Either is packed into a temporary .tar that then takes the ordinary seed path
 * (validateSeed, pushTree), so every archive check applies unchanged. The git CLI does the
 * git work; nothing here reads `.git` itself.
 */
import { execFile } from "node:child_process";
import { lstat, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { promisify } from "node:util";
import { PyroError } from "../../errors.js";

/** A git seed packed into a temp archive; `cleanup` removes it. */
export interface StagedGitSeed {
  /** Temporary .tar holding the files, for validateSeed and pushTree. */
  archive: string;
  /** What the workspace record names as its seed: the repository root, or `URL` / `URL#REF`. */
  origin: string;
  /** Files packed. */
  fileCount: number;
  cleanup(): Promise<void>;
}

/** Longest a clone may take before it is abandoned (a stalled remote must not hang create). */
const CLONE_TIMEOUT_MS = 300_000;

/**
 * git with prompts off (a credential prompt would hang an MCP server), `ext::` remotes
 * refused (they run commands), and output in bytes.
 */
async function git(args: string[], options: { cwd?: string; signal?: AbortSignal; timeoutMs?: number } = {}) {
  try {
    const { stdout } = await promisify(execFile)("git", ["-c", "protocol.ext.allow=never", ...args], {
      cwd: options.cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" },
      encoding: "buffer",
      maxBuffer: 256 * 1024 * 1024,
      timeout: options.timeoutMs ?? 60_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer; killed?: boolean };
    if (e.code === "ENOENT") {
      throw new PyroError("host_dependency_missing", '"git" is not installed', {
        hint: "install git on the host (apt-get install git)",
      });
    }
    if (e.name === "AbortError") throw new PyroError("interrupted", "git was interrupted");
    const stderr = e.stderr?.toString("utf8").trim().split("\n").slice(-4).join("\n") ?? "";
    throw new PyroError(
      "invalid_argument",
      `git ${args[0]} failed${e.killed ? " (timed out)" : ""}: ${stderr || e.message}`,
    );
  }
}

/** NUL-separated git output as names. */
const names = (out: Buffer) => out.toString("utf8").split("\0").filter(Boolean);

/** Packs `files` (paths relative to `root`) into a new temp .tar; symlinks stay links. */
async function pack(root: string, files: string[], origin: string): Promise<StagedGitSeed> {
  // A tracked file deleted in the work tree is still "cached": seed what is on disk.
  const present: string[] = [];
  for (const f of files) {
    if (
      await lstat(join(root, f)).then(
        () => true,
        () => false,
      )
    )
      present.push(f);
  }
  const dir = await mkdtemp(join(tmpdir(), "pyro-git-seed-"));
  const archive = join(dir, "seed.tar");
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const tar = await import("tar");
    // noDirRecurse: a submodule is listed as its directory; seed it empty, not its checkout.
    await tar.create(
      { cwd: root, file: archive, follow: false, noDirRecurse: true },
      present.length > 0 ? present : [],
    );
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { archive, origin, fileCount: present.length, cleanup };
}

/**
 * The repository containing `projectPath`, packed as `git ls-files --cached --others
 * --exclude-standard` lists it from the repository root (so `.gitignore`d files, `.git` and
 * other repositories' files are left out). `origin` is the repository root.
 * @throws PyroError invalid_argument when the path is not a directory inside a git work tree;
 *   host_dependency_missing without git
 */
export async function stageProjectSeed(projectPath: string, signal?: AbortSignal): Promise<StagedGitSeed> {
  const dir = resolve(projectPath);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory())
    throw new PyroError("invalid_argument", `project path "${projectPath}" is not a directory`);
  let root: string;
  try {
    root = (await git(["rev-parse", "--show-toplevel"], { cwd: dir, ...(signal ? { signal } : {}) }))
      .toString("utf8")
      .trim();
  } catch (err) {
    if (err instanceof PyroError && err.code === "invalid_argument") {
      throw new PyroError("invalid_argument", `project path "${projectPath}" is not inside a git work tree`, {
        hint: "use --seed-path DIR for a directory that is not a git repository",
      });
    }
    throw err;
  }
  const files = names(
    await git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      ...(signal ? { signal } : {}),
    }),
  );
  return pack(root, files, root);
}

/** True for URLs and paths git reads from this machine (a path, or `file://`). */
export function isLocalRepoUrl(url: string): boolean {
  return (
    url.startsWith("file://") ||
    isAbsolute(url) ||
    url.startsWith(".") ||
    !/^[A-Za-z][A-Za-z0-9+.-]*:|^[^/]+@[^/]+:/.test(url)
  );
}

/**
 * Clones `url` (shallow where git can: a branch or tag `ref`, or the default branch; any other
 * ref, e.g. a commit, by a full clone and checkout) into a temp dir and packs the ref's tree.
 * `origin` is `URL` or `URL#REF`.
 * @throws PyroError invalid_argument when the clone or checkout fails (unknown repository or ref);
 *   timeout after 300 s; host_dependency_missing without git
 */
export async function stageRepoSeed(
  url: string,
  ref: string | undefined,
  signal?: AbortSignal,
): Promise<StagedGitSeed> {
  if (url.startsWith("-") || ref?.startsWith("-")) {
    throw new PyroError("invalid_argument", "repo URL and ref must not start with '-'");
  }
  const dir = await mkdtemp(join(tmpdir(), "pyro-git-clone-"));
  const checkout = join(dir, "repo");
  const opts = { timeoutMs: CLONE_TIMEOUT_MS, ...(signal ? { signal } : {}) };
  try {
    // A local path clones its whole history whatever --depth says; file:// honours it.
    const source = isLocalRepoUrl(url) && !url.startsWith("file://") ? `file://${resolve(url)}` : url;
    try {
      await git(
        ["clone", "--quiet", "--depth", "1", ...(ref ? ["--branch", ref] : []), "--", source, checkout],
        opts,
      );
    } catch (err) {
      if (!ref || !(err instanceof PyroError && err.code === "invalid_argument")) throw err;
      // Not a branch or tag (e.g. a commit id): full clone, then check the ref out.
      await rm(checkout, { recursive: true, force: true });
      await git(["clone", "--quiet", "--no-checkout", "--", source, checkout], opts);
      await git(["checkout", "--quiet", "--detach", ref, "--"], { cwd: checkout, ...opts });
    }
    const files = names(await git(["ls-files", "-z", "--cached"], { cwd: checkout, ...opts }));
    return await pack(checkout, files, ref ? `${url}#${ref}` : url);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The seed fields of a create input. */
export interface SeedSources {
  seedPath?: string | undefined;
  projectPath?: string | undefined;
  repoUrl?: string | undefined;
  repoRef?: string | undefined;
}

/**
 * The git seed a create asks for (`projectPath`, or `repoUrl` with `repoRef`), staged; undefined
 * for a `seedPath` seed or none. The caller runs `cleanup` once the seed is imported.
 * @throws PyroError invalid_argument when more than one seed source is given, or `repoRef`
 *   without `repoUrl`; see {@link stageProjectSeed} and {@link stageRepoSeed}
 */
export async function stageGitSeed(
  input: SeedSources,
  signal?: AbortSignal,
): Promise<StagedGitSeed | undefined> {
  const given = (["seedPath", "projectPath", "repoUrl"] as const).filter((k) => input[k] !== undefined);
  if (given.length > 1) {
    throw new PyroError(
      "invalid_argument",
      `${given.join(" and ")} are mutually exclusive: give one seed source`,
    );
  }
  if (input.repoRef !== undefined && input.repoUrl === undefined) {
    throw new PyroError("invalid_argument", "repoRef needs repoUrl");
  }
  if (input.projectPath !== undefined) return stageProjectSeed(input.projectPath, signal);
  if (input.repoUrl !== undefined) return stageRepoSeed(input.repoUrl, input.repoRef, signal);
  return undefined;
}
