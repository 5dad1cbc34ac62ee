/**
 * Which host paths MCP tools may read (seeds, sync sources) and write (exports). A model
 * steered by a prompt injection must not drop files into /etc or read ~/.ssh, so the MCP face
 * confines host paths to allowed roots: by default the directory `pyro mcp serve` runs in.
 * (The CLI and SDK act for their user directly and are not confined.)
 */
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { PyroError } from "../sdk/index.js";

/** Resolves symlinks in the longest existing prefix of `path` (the rest does not exist yet). */
function realish(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : resolve(realish(parent), basename(path));
  }
}

export class HostPathPolicy {
  private readonly roots: string[];

  /** `roots`: allowed directories (resolved through symlinks). @default [process.cwd()] */
  constructor(roots: readonly string[] = [process.cwd()]) {
    this.roots = roots.map((r) => realish(resolve(r)));
  }

  /**
   * The absolute path when it lies inside an allowed root.
   * @throws PyroError host_path_not_allowed naming the argument and the roots
   */
  check(argument: string, path: string): string {
    const absolute = resolve(path);
    const real = realish(absolute);
    if (
      this.roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`))
    ) {
      return absolute;
    }
    throw new PyroError(
      "host_path_not_allowed",
      `${argument} "${path}" is outside the host directories this MCP server may use (${this.roots.join(", ")})`,
      { hint: "start the server in that directory or add `--allowed-root DIR` to `pyro mcp serve`" },
    );
  }

  /**
   * A `repo_url` the server may clone: `https://`, `http://` and `git://` URLs as given; a local
   * path or `file://` URL only inside an allowed root (returned absolute). SSH and other
   * transports are refused: they would authenticate with this host's keys on the model's behalf.
   * @throws PyroError host_path_not_allowed
   */
  checkRepoUrl(argument: string, url: string): string {
    if (/^(https?|git):\/\//i.test(url)) return url;
    if (/^file:\/\//i.test(url)) return this.check(argument, fileURLToPath(url));
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) || /^[^/]+@[^/]+:/.test(url)) {
      throw new PyroError(
        "host_path_not_allowed",
        `${argument} "${url}": over MCP only https://, http://, git:// URLs and local repositories under the allowed roots are cloned`,
        { hint: "clone it yourself under an allowed root, or create the workspace with the CLI" },
      );
    }
    return this.check(argument, url);
  }

  /**
   * A `project_path`: the directory and the root of the git work tree around it (the nearest
   * ancestor holding `.git`, where git finds it), since the whole repository is seeded.
   * @throws PyroError host_path_not_allowed when either lies outside the allowed roots
   */
  checkProjectPath(argument: string, path: string): string {
    const dir = this.check(argument, path);
    for (let d = realish(dir); ; d = dirname(d)) {
      if (existsSync(resolve(d, ".git"))) {
        this.check(`${argument}'s git repository root`, d);
        break;
      }
      if (dirname(d) === d) break;
    }
    return dir;
  }
}
