/**
 * What a module loads before its code runs, read from the static imports of the source under
 * src/ (dynamic `import()` is the lazy part and is not followed). Shared by the CLI start-up
 * test and the SDK's lazy-import test.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const src = fileURLToPath(new URL("../../src/", import.meta.url));

/** Value imports and re-exports of one file; `import type` and all-`type` bindings are erased by tsc. */
export function staticImports(file: string): string[] {
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
export function reachable(entry: string): { files: string[]; packages: string[] } {
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
