/**
 * What a `pyro` process loads before its action runs, read from the static imports of the
 * source (dynamic `import()` is the lazy part and is not followed): `--version` loads main.ts
 * and version.ts only; the command tree loads commander and the declarations, never the SDK,
 * an action or a renderer; `run` and `workspace exec` never reach the MCP server, the MCP SDK
 * or another command's action.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../../../src/", import.meta.url));

/** Value imports and re-exports of one file; `import type` and all-`type` bindings are erased by tsc. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  const decl =
    /^(?:import|export)\s+(type\s+)?(\{[^}]*\}|\*(?:\s+as\s+\w+)?|\w+(?:\s*,\s*\{[^}]*\})?)\s+from\s+"([^"]+)";/gm;
  for (const [, typeOnly, bindings = "", spec = ""] of text.matchAll(decl)) {
    if (typeOnly) continue;
    const named = /^\{([^}]*)\}$/.exec(bindings)?.[1];
    const names = named
      ?.split(",")
      .map((n) => n.trim())
      .filter(Boolean);
    if (names && names.length > 0 && names.every((n) => n.startsWith("type "))) continue;
    specs.push(spec);
  }
  for (const [, spec = ""] of text.matchAll(/^import\s+"([^"]+)";/gm)) specs.push(spec);
  return specs;
}

/** Every source file (relative to src/) and package reachable from `entry` through static imports. */
function reachable(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else if (!spec.startsWith("node:"))
        packages.add(
          spec
            .split("/")
            .slice(0, spec.startsWith("@") ? 2 : 1)
            .join("/"),
        );
    }
  };
  visit(join(src, entry));
  return { files: [...files].map((f) => relative(src, f)).sort(), packages: [...packages].sort() };
}

describe("static imports on the CLI's start path", () => {
  it("finds imports the way tsc keeps them", () => {
    // Sanity check of the parser on files whose imports are known.
    expect(reachable("cli/flags.ts").files).toEqual(["cli/errors.ts", "cli/flags.ts"]);
    expect(reachable("cli/output.ts").files).toContain("sdk/index.ts");
  });

  it("`pyro --version` loads main.ts and version.ts only", () => {
    expect(reachable("cli/main.ts")).toEqual({ files: ["cli/main.ts", "cli/version.ts"], packages: [] });
  });

  it("the command tree loads commander and flag declarations, no SDK, action or renderer", () => {
    const { files, packages } = reachable("cli/program.ts");
    expect(packages).toEqual(["commander"]);
    const heavy = files.filter(
      (f) =>
        !f.startsWith("cli/") ||
        f.startsWith("cli/actions/") ||
        f.startsWith("cli/render/") ||
        ["cli/output.ts", "cli/flag-file.ts"].includes(f),
    );
    expect(heavy).toEqual([]);
    expect(files).toContain("cli/commands/workspace/exec.ts");
  });

  it.each(["cli/actions/run.ts", "cli/actions/workspace/exec.ts"])(
    "%s reaches neither MCP nor another command's action",
    (entry) => {
      const { files, packages } = reachable(entry);
      expect(files.filter((f) => f.startsWith("mcp/"))).toEqual([]);
      expect(files.filter((f) => f.startsWith("cli/actions/") && f !== entry)).toEqual([]);
      expect(files).toContain("sdk/index.ts");
      expect(packages.filter((p) => p.startsWith("@modelcontextprotocol/"))).toEqual([]);
    },
  );
});
