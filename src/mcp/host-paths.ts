/**
 * Which host paths MCP tools may read (seeds, sync sources) and write (exports). A model
 * steered by a prompt injection must not drop files into /etc or read ~/.ssh, so the MCP face
 * confines host paths to allowed roots: by default the directory `pyro mcp serve` runs in.
 * (The CLI and SDK act for their user directly and are not confined.)
 */
import { realpathSync } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
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
}
